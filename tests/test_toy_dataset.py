"""Tests for the procedural toy dataset (synth_server.data.toy_pyo), with real pyo offline rendering."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from synth_server.data import toy_pyo
from synth_server.data.toy_pyo import (
    FACTOR_NAMES,
    FACTORS,
    factor_grid,
    load_factors,
    render_toy_dataset,
)

import soundfile as sf

SR = 48000
DUR = 0.3
SMALL = dict(f0_hz=(220.0, 440.0), spectral_slope=(1.0, 3.0), noise_ratio=(0.0, 0.5))


def _needs_pyo():
    import pyo  # noqa: F401 - make test installs the [train] extra; a missing pyo must fail


@pytest.fixture(scope="module")
def small_grid():
    return factor_grid(**SMALL)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, small_grid):
    _needs_pyo()
    out = tmp_path_factory.mktemp("toy_seed0")
    return render_toy_dataset(out, sample_rate=SR, duration_s=DUR, seed=0, grid=small_grid, progress=False,
                              plots=False)


def _read_all(dataset_dir: Path) -> dict[str, np.ndarray]:
    return {row["file"]: sf.read(dataset_dir / row["file"], dtype="float32")[0] for row in load_factors(dataset_dir)}


def _by_factors(dataset_dir: Path) -> dict[tuple, np.ndarray]:
    audio = _read_all(dataset_dir)
    return {tuple(row[k] for k in FACTOR_NAMES[:3]): audio[row["file"]] for row in load_factors(dataset_dir)}


# -- grid ------------------------------------------------------------------------------


def test_default_factors_are_a_factorial_grid():
    grid = factor_grid()
    assert len(FACTORS["f0_hz"]) == 8 and len(FACTORS["spectral_slope"]) == 5 and len(FACTORS["noise_ratio"]) == 4
    assert len(grid) == 160
    assert FACTORS["f0_hz"][0] == 110.0 and FACTORS["f0_hz"][-1] == 880.0
    ratios = np.diff(np.log(FACTORS["f0_hz"]))
    assert np.allclose(ratios, ratios[0], atol=1e-4)  # log-spaced
    assert min(FACTORS["noise_ratio"]) == 0.0 and max(FACTORS["noise_ratio"]) == 0.5
    assert grid == factor_grid()  # deterministic
    assert grid[0] == {**toy_pyo.REFERENCE, "f0_hz": 110.0, "spectral_slope": 1.0, "noise_ratio": 0.0}
    assert all(len({row[k] for row in grid}) == 1 for k in FACTOR_NAMES[3:])  # new factors at reference
    assert grid[1]["noise_ratio"] == 0.1  # noise_ratio varies fastest
    assert len({tuple(sorted(row.items())) for row in grid}) == 160


def test_factor_grid_order_and_values(small_grid):
    assert len(small_grid) == 8
    assert [tuple(r.values())[:3] for r in small_grid[:3]] == [(220.0, 1.0, 0.0), (220.0, 1.0, 0.5), (220.0, 3.0, 0.0)]
    assert all(list(r) == list(FACTOR_NAMES) for r in small_grid)
    assert all(isinstance(v, float) for r in small_grid for v in r.values())


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(f0_hz=()),
        dict(f0_hz=(0.0,)),
        dict(f0_hz=(220.0, 220.0)),
        dict(spectral_slope=(-1.0,)),
        dict(noise_ratio=(1.5,)),
        dict(noise_ratio=(float("nan"),)),
        dict(f0_hz=("abc",)),
    ],
)
def test_factor_grid_rejects_bad_values(kwargs):
    with pytest.raises(ValueError):
        factor_grid(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(duration_s=0.05),
        dict(sample_rate=1000),
        dict(seed=-1),
        dict(subtype="PCM_8"),
        dict(grid=[]),
        dict(grid=[{"f0_hz": 220.0, "spectral_slope": 1.0}]),
        dict(grid=[{"f0_hz": 22000.0, "spectral_slope": 1.0, "noise_ratio": 0.0}]),  # above band limit
    ],
)
def test_render_rejects_bad_arguments(tmp_path, kwargs):
    with pytest.raises(ValueError):
        render_toy_dataset(tmp_path / "x", progress=False, **kwargs)
    assert not (tmp_path / "x").exists()


def test_missing_pyo_raises_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyo", None)  # makes `import pyo` raise ImportError
    with pytest.raises(RuntimeError, match=r"pyo is not installed: pip install 'synth-server\[train\]'"):
        render_toy_dataset(tmp_path, grid=factor_grid(**SMALL), progress=False)


# -- rendered files ----------------------------------------------------------------------


def test_files_exist_and_are_valid_audio(rendered, small_grid):
    wavs = sorted(p.name for p in rendered.glob("toy_*.wav"))
    assert wavs == [f"toy_{i:05d}.wav" for i in range(len(small_grid))]
    for name in wavs:
        info = sf.info(rendered / name)
        assert info.samplerate == SR and info.channels == 1 and info.format == "WAV"
        assert info.frames == round(DUR * SR)
        x, _ = sf.read(rendered / name, dtype="float64")
        assert np.all(np.isfinite(x))
        assert np.max(np.abs(x)) <= 1.0
        steady = x[int(toy_pyo.ATTACK_S * SR) + 1 : -int(toy_pyo.RELEASE_S * SR) - 1]
        rms_db = 20 * np.log10(np.sqrt(np.mean(steady**2)))
        assert rms_db == pytest.approx(toy_pyo.TARGET_RMS_DBFS, abs=0.05)  # loudness is not a factor
        assert -20.0 < 20 * np.log10(np.max(np.abs(x))) < -3.0
        assert abs(x[0]) < 1e-3 and abs(x[-1]) < 1e-3  # attack from / release to silence


def test_factors_csv_matches_files_and_grid(rendered, small_grid):
    header = (rendered / "factors.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "file," + ",".join(FACTOR_NAMES)
    assert FACTOR_NAMES[:3] == ("f0_hz", "spectral_slope", "noise_ratio")
    rows = load_factors(rendered)
    assert [r["file"] for r in rows] == [f"toy_{i:05d}.wav" for i in range(len(small_grid))]
    assert [{k: r[k] for k in FACTOR_NAMES} for r in rows] == small_grid
    assert all((rendered / r["file"]).is_file() for r in rows)
    card = (rendered / "README.md").read_text(encoding="utf-8")
    assert "files: 8" in card and "seed: 0" in card and "render_toy_dataset(" in card
    assert all(f"`{name}`" in card for name in FACTOR_NAMES)


def test_load_factors_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_factors(tmp_path)
    (tmp_path / "factors.csv").write_text("name,f0_hz\nx.wav,1\n")
    with pytest.raises(ValueError):
        load_factors(tmp_path)


def test_same_seed_identical_different_seed_differs(rendered, small_grid, tmp_path):
    again = render_toy_dataset(tmp_path / "s0", sample_rate=SR, duration_s=DUR, seed=0, grid=small_grid,
                               progress=False, plots=False)
    other = render_toy_dataset(tmp_path / "s1", sample_rate=SR, duration_s=DUR, seed=1, grid=small_grid,
                               progress=False, plots=False)
    a, b, c = _read_all(rendered), _read_all(again), _read_all(other)
    for row in load_factors(rendered):
        name = row["file"]
        assert (rendered / name).read_bytes() == (again / name).read_bytes()
        assert b"PEAK" not in (rendered / name).read_bytes()[:512]  # no write timestamp in the header
        if row["noise_ratio"] > 0:
            assert not np.array_equal(a[name], c[name])
        else:
            assert np.array_equal(a[name], c[name])  # no noise -> seed-independent
        assert np.array_equal(a[name], b[name])


def test_rendering_order_does_not_matter(rendered, small_grid, tmp_path):
    """Reusing one offline pyo server across files leaks nothing into the next file."""
    out = render_toy_dataset(
        tmp_path / "rev", sample_rate=SR, duration_s=DUR, seed=0, grid=small_grid[::-1], progress=False, plots=False
    )
    fwd, rev = _by_factors(rendered), _by_factors(out)
    for key, x in fwd.items():
        if key[2] == 0.0:  # noise-free files do not depend on their index
            assert np.array_equal(x, rev[key])
    names = {r["file"] for r in load_factors(rendered)}
    assert len({fwd[k].tobytes() for k in fwd}) == len(names)  # all files distinct


def test_existing_folder_is_refused_or_kept_whole(tmp_path):
    from synth_server.data.staging import OutputExistsError

    _needs_pyo()
    out = tmp_path / "ds"
    out.mkdir()
    sf.write(out / "toy_00099.wav", np.zeros(100, dtype=np.float32), SR)
    (out / "keep.txt").write_text("not ours")
    (out / "descriptors.png").write_bytes(b"old card plot")
    before = sorted(p.name for p in out.iterdir())
    grid = factor_grid((440.0,), (2.0,), (0.0,))
    with pytest.raises(OutputExistsError):
        render_toy_dataset(out, duration_s=0.1, grid=grid, progress=False, plots=False)
    assert sorted(p.name for p in out.iterdir()) == before
    old = tmp_path / "ds.old"
    render_toy_dataset(out, duration_s=0.1, grid=grid, progress=False, plots=False, keep_old_as=old)
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "factors.csv", "toy_00000.wav"]
    assert sorted(p.name for p in old.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "ds.old"]  # no staging left


def test_pcm16_output(tmp_path):
    _needs_pyo()
    out = render_toy_dataset(
        tmp_path, duration_s=0.1, grid=factor_grid((440.0,), (2.0,), (0.25,)), progress=False, subtype="PCM_16",
        plots=False,
    )
    assert sf.info(out / "toy_00000.wav").subtype == "PCM_16"


# -- the factors are audible ------------------------------------------------------------------


def _f0_from_fft(x: np.ndarray, sr: int) -> float:
    n = 1 << 20  # zero-padded: 0.05 Hz bins
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)), n))
    k = int(np.argmax(spec))
    a, b, c = np.log(spec[k - 1 : k + 2])
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * sr / n  # parabolic interpolation


def test_pitch_matches_f0(rendered):
    audio = _read_all(rendered)
    checked = 0
    for row in load_factors(rendered):
        if row["noise_ratio"] == 0.0:
            f0 = _f0_from_fft(audio[row["file"]].astype(np.float64), SR)
            assert f0 == pytest.approx(row["f0_hz"], rel=0.01)
            checked += 1
    assert checked == 4


def test_pitch_matches_f0_pyin(rendered):
    import librosa
    row = next(r for r in load_factors(rendered) if r["noise_ratio"] == 0.0 and r["spectral_slope"] == 1.0)
    x = sf.read(rendered / row["file"], dtype="float32")[0]
    f0, voiced, _ = librosa.pyin(x, fmin=80.0, fmax=1000.0, sr=SR, frame_length=4096)
    assert np.any(voiced)
    assert np.nanmedian(f0[voiced]) == pytest.approx(row["f0_hz"], rel=0.01)


def test_higher_slope_gives_lower_centroid(rendered):
    """Noise-free files only: with noise mixed in, the magnitude-weighted centroid is
    dominated by the broadband noise (see the toy_pyo module docstring)."""
    import librosa
    by = _by_factors(rendered)
    for f0 in SMALL["f0_hz"]:
        bright, dark = (
            float(np.mean(librosa.feature.spectral_centroid(y=by[(f0, s, 0.0)], sr=SR))) for s in (1.0, 3.0)
        )
        assert dark < 0.5 * bright, (f0, dark, bright)


def test_higher_noise_ratio_gives_higher_flatness(rendered):
    import librosa
    by = _by_factors(rendered)
    for f0 in SMALL["f0_hz"]:
        for slope in SMALL["spectral_slope"]:
            clean, noisy = (
                float(np.mean(librosa.feature.spectral_flatness(y=by[(f0, slope, r)]))) for r in (0.0, 0.5)
            )
            assert noisy > clean, (f0, slope, clean, noisy)


def test_band_limited_no_energy_near_nyquist(rendered):
    """Partials stop at 20 kHz: nothing aliased above it in a bright, high, noise-free tone."""
    x = _by_factors(rendered)[(440.0, 1.0, 0.0)].astype(np.float64)
    seg = x[2000:12000] * np.hanning(10000)
    spec = np.abs(np.fft.rfft(seg))
    freqs = np.fft.rfftfreq(len(seg), 1 / SR)
    assert 20 * np.log10(spec[freqs > 20500].max() / spec.max()) < -100


# -- presets and the new factors ----------------------------------------------------------------


def test_presets():
    assert toy_pyo.preset_grid("default") == factor_grid()
    assert len(toy_pyo.preset_grid("factorial")) == 2 ** len(FACTOR_NAMES)
    assert len(toy_pyo.preset_grid("factorial:attack_s,inharmonicity")) == 9
    for name in FACTOR_NAMES:
        rows = toy_pyo.preset_grid(f"mono:{name}")
        assert [r[name] for r in rows] == list(toy_pyo.MONO_VALUES[name])
        for other in FACTOR_NAMES:  # mono-factor set: everything else at the reference value
            if other != name:
                assert {r[other] for r in rows} == {toy_pyo.REFERENCE[other]}
    mono = toy_pyo.preset_grid("mono")
    assert len(mono) == len({tuple(r.values()) for r in mono}) == 43
    for bad in ("nope", "mono:pitch", "factorial:f0_hz,f0_hz", "factorial:"):
        with pytest.raises(ValueError):
            toy_pyo.preset_grid(bad)
    with pytest.raises(ValueError):
        render_toy_dataset("unused", preset="default", grid=factor_grid(), progress=False)
    with pytest.raises(ValueError, match="steady"):  # attack + release longer than the file
        render_toy_dataset("unused", duration_s=0.2, progress=False,
                           grid=[{"f0_hz": 220.0, "spectral_slope": 2.0, "noise_ratio": 0.0, "attack_s": 0.15}])


NEW = dict(f0_hz=220.0, spectral_slope=2.0, noise_ratio=0.0)
CASES = {  # name -> extra factors (the others at reference)
    "ref": {},
    "inharm": {"inharmonicity": 1e-3},
    "odd": {"even_gain": 0.0, "spectral_slope": 1.0},
    "all": {"spectral_slope": 1.0},
    "a50": {"attack_s": 0.05, "spectral_slope": 4.0, "f0_hz": 440.0},
    "a150": {"attack_s": 0.15, "release_s": 0.2, "spectral_slope": 4.0, "f0_hz": 440.0},
    "vib": {"vibrato_cents": 50.0},
}


@pytest.fixture(scope="module")
def new_factors(tmp_path_factory):
    _needs_pyo()
    grid = [{**NEW, **extra} for extra in CASES.values()]
    out = render_toy_dataset(tmp_path_factory.mktemp("toy_new"), duration_s=0.6, grid=grid, progress=False)
    rows = load_factors(out)
    audio = {name: sf.read(out / row["file"], dtype="float64")[0] for name, row in zip(CASES, rows)}
    return out, rows, audio


def _partial_peaks(x: np.ndarray, approx_hz: list[float]) -> list[tuple[float, float]]:
    """(frequency Hz, dB) of the largest FFT peak within 3 % of each approximate frequency."""
    seg = x[4800:-4800]
    n = 1 << 20
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg)), n))
    db = 20 * np.log10(spec / spec.max() + 1e-12)
    out = []
    for f in approx_hz:
        lo, hi = int(f * 0.97 * n / SR), int(f * 1.03 * n / SR)
        k = lo + int(np.argmax(db[lo:hi]))
        a, b, c = db[k - 1 : k + 2]
        out.append(((k + 0.5 * (a - c) / (a - 2 * b + c)) * SR / n, b))
    return out


def test_new_factor_labels_and_files(new_factors):
    out, rows, audio = new_factors
    assert len(rows) == len(CASES) and all(set(FACTOR_NAMES) <= set(r) for r in rows)
    assert rows[1]["inharmonicity"] == 1e-3 and rows[6]["vibrato_cents"] == 50.0
    for x in audio.values():
        assert len(x) == round(0.6 * SR) and np.max(np.abs(x)) < 1.0


def test_inharmonicity_shifts_partials_by_the_formula(new_factors):
    _, _, audio = new_factors
    b = 1e-3
    want = [k * 220.0 * np.sqrt(1 + b * k * k) for k in (1, 5, 8)]
    got = _partial_peaks(audio["inharm"], want)
    for (f, _), w in zip(got, want):
        assert f == pytest.approx(w, abs=0.2)  # e.g. partial 5 at 1113.7 Hz, not 1100 Hz
    harmonic = _partial_peaks(audio["ref"], [1100.0])[0][0]
    assert harmonic == pytest.approx(1100.0, abs=0.2)


def test_even_gain_removes_even_partials(new_factors):
    _, _, audio = new_factors
    odd = _partial_peaks(audio["odd"], [220.0, 440.0, 660.0, 880.0, 1100.0])
    full = _partial_peaks(audio["all"], [220.0, 440.0, 660.0, 880.0, 1100.0])
    assert odd[1][1] - odd[0][1] < -60 and odd[3][1] - odd[0][1] < -60  # k = 2, 4 gone
    assert odd[2][1] - odd[0][1] == pytest.approx(20 * np.log10(1 / 3), abs=0.5)  # k = 3 at 1/3
    assert full[1][1] - full[0][1] == pytest.approx(20 * np.log10(1 / 2), abs=0.5)  # k = 2 at 1/2


def _rms_env(x: np.ndarray, win: int = 240) -> np.ndarray:
    return np.sqrt(np.convolve(x * x, np.ones(win) / win, mode="same"))


@pytest.mark.parametrize("case", ["a50", "a150"])
def test_attack_and_release_times_from_the_envelope(new_factors, case):
    _, rows, audio = new_factors
    row = rows[list(CASES).index(case)]
    env = _rms_env(audio[case])  # 5 ms window: two periods of 440 Hz
    level = np.median(env[len(env) // 2 - 2400 : len(env) // 2 + 2400])
    t_half_up = np.argmax(env >= 0.5 * level) / SR
    t_half_down = (len(env) - 1 - np.flatnonzero(env >= 0.5 * level)[-1]) / SR
    assert t_half_up == pytest.approx(row["attack_s"] / 2, abs=0.003)  # linear ramp: half level at half time
    assert t_half_down == pytest.approx(row["release_s"] / 2, abs=0.003)


def test_vibrato_depth_and_rate(new_factors):
    _, _, audio = new_factors
    x = audio["vib"]
    hop, n_fft = 240, 1 << 15
    track = []
    for start in range(4800, len(x) - 4800 - 2048, hop):  # 2048-sample frames, zero-padded peak picking
        frame = x[start : start + 2048] * np.hanning(2048)
        spec = np.abs(np.fft.rfft(frame, n_fft))
        lo, hi = int(180 * n_fft / SR), int(260 * n_fft / SR)
        k = lo + int(np.argmax(spec[lo:hi]))
        a, b, c = np.log(spec[k - 1 : k + 2])
        track.append((k + 0.5 * (a - c) / (a - 2 * b + c)) * SR / n_fft)
    cents = 1200 * np.log2(np.array(track) / 220.0)
    depth = (cents.max() - cents.min()) / 2
    assert 40.0 < depth < 52.0  # 50 cents, slightly smoothed by the 43 ms frames
    crossings = np.flatnonzero(np.diff(np.sign(cents - np.median(cents))) != 0)
    rate = (len(crossings) - 1) / 2 / ((crossings[-1] - crossings[0]) * hop / SR)
    assert rate == pytest.approx(toy_pyo.VIBRATO_RATE_HZ, rel=0.1)
    ref = 1200 * np.log2(_partial_peaks(audio["ref"], [220.0])[0][0] / 220.0)
    assert abs(ref) < 1.0  # no vibrato at the reference value


def test_describe_recovers_each_factor(new_factors):
    out, rows, audio = new_factors
    d = {name: toy_pyo.describe(x, SR) for name, x in audio.items()}
    assert d["inharm"]["inharmonicity_est"] == pytest.approx(1e-3, rel=0.02)
    assert abs(d["ref"]["inharmonicity_est"]) < 1e-6
    assert d["odd"]["even_odd_db"] < -60 < d["all"]["even_odd_db"]
    assert d["a50"]["attack_est_s"] == pytest.approx(0.05, abs=0.005)
    assert d["a150"]["attack_est_s"] == pytest.approx(0.15, abs=0.005)
    assert d["a150"]["release_est_s"] == pytest.approx(0.2, abs=0.005)
    assert d["vib"]["vibrato_est_cents"] == pytest.approx(50.0, rel=0.05)
    assert d["ref"]["vibrato_est_cents"] < 3.0
    assert d["ref"]["f0_est_hz"] == pytest.approx(220.0, rel=0.005)


def test_dataset_card_plots_and_descriptors(new_factors):
    out, rows, _ = new_factors
    for name in ("descriptors.png", "spectrograms.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    desc = (out / "descriptors.csv").read_text().splitlines()
    assert desc[0].split(",")[0] == "file" and len(desc) == len(rows) + 1
    card = (out / "README.md").read_text()
    for name in FACTOR_NAMES:
        assert f"`{name}`" in card
    assert "![spectrograms.png](spectrograms.png)" in card and "concordance" in card


def test_mono_sets_are_concordant(tmp_path):
    """Each mono-factor set moves its descriptor monotonically (all pairs concordant)."""
    _needs_pyo()
    for factor in ("inharmonicity", "even_gain", "vibrato_cents"):
        out = render_toy_dataset(tmp_path / factor, duration_s=0.4, preset=f"mono:{factor}",
                                 progress=False, plots=False)
        rows = load_factors(out)
        desc = [toy_pyo.describe(sf.read(out / r["file"])[0], SR) for r in rows]
        share, pairs = toy_pyo.concordance([{k: r[k] for k in FACTOR_NAMES} for r in rows], desc, factor)
        assert pairs == len(rows) * (len(rows) - 1) // 2 and share == 1.0, factor
