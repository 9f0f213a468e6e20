"""Procedural toy dataset: a dSprites-like factorial grid of audio factors, rendered offline with pyo.

Method (ATIAM brief, exercise 3; after dSprites, Matthey et al. 2017,
https://github.com/google-deepmind/dsprites-dataset): every combination of a few
*known, independent* factors of variation is rendered exactly once, so a model's
latent space can be checked against ground-truth labels. Each file is a sustained
tone, mono, ``sample_rate`` Hz (48 kHz by default), ``duration_s`` long, with three
labelled factors:

``f0_hz``
    Fundamental frequency in Hz. Default: 8 log-spaced values from 110 to 880 Hz
    (three octaves).
``spectral_slope``
    Harmonic richness: partial ``k`` has amplitude ``1 / k**spectral_slope`` (sine
    phase). Higher slope = fewer audible harmonics = darker tone = lower spectral
    centroid. Default: 1.0 (sawtooth-like) to 3.0 (nearly a sine), 5 values.
    Only partials at or below ``min(20 kHz, 0.45 * sample_rate)`` are synthesised,
    so the tone is band-limited (no aliasing) at any f0.
``noise_ratio``
    Share of noise in the amplitude mix: ``x = (1 - r) * h + r * n`` where the
    harmonic part ``h`` and the noise part ``n`` both have unit steady-state RMS
    before mixing (``r = 0.5`` is equal power). ``n`` is Gaussian white noise through
    a 2nd-order Butterworth low-pass at ``min(12 kHz, 0.25 * sample_rate)``.
    Default: 0.0, 0.1, 0.25, 0.5.

The factors are independent by construction, but audio descriptors mix them: on the
default grid the spectral centroid falls monotonically with ``spectral_slope`` at
every f0 only for noise-free files; with ``noise_ratio >= 0.1`` the (magnitude-
weighted) centroid is dominated by the broadband noise and barely tracks the slope.
Spectral flatness rises monotonically with ``noise_ratio`` at every (f0, slope).

Synthesis (pyo, offline): one ``pyo.Server(audio="offline")`` is booted per call
and reused for every file (verified: files rendered one after another on the same
server are bit-identical to files rendered alone, after a short warm-up render
that absorbs the fade-in of the server's first ``start()``). Per file, pyo renders
two *stems* into a temporary 32-bit float WAV: channel 0 is ``Osc`` reading a
``HarmTable`` of the partial amplitudes (cubic interpolation), channel 1 is the
noise, played from a ``DataTable`` by ``TableRead`` and filtered by ``ButLP``.
Both stems go through the same ``Linseg`` envelope: 10 ms linear attack, steady,
50 ms linear release ending exactly at ``duration_s``. numpy then trims the stems to
``round(duration_s * sample_rate)`` samples (pyo pads recordings to whole 256-sample
buffers), mixes them at the exact ``noise_ratio`` and normalises the file.

Seeding: pyo's noise generators can only be seeded server-wide
(``Server.setGlobalSeed``), so a file's noise would depend on the rendering order and
on pyo's internal generator. The noise is instead drawn with numpy,
``np.random.default_rng([seed, index]).standard_normal(n)`` for file number
``index``, and handed to pyo through a ``DataTable``. The same ``seed`` (and grid)
therefore gives bit-identical samples; files with ``noise_ratio == 0`` do not depend
on the seed at all. The WAVs are written with scipy, not soundfile (libsndfile puts
a timestamped PEAK chunk in float WAVs), so the files are byte-identical too.

Level: every file is RMS-normalised so that its steady-state part (between the end
of the attack and the start of the release) is at ``TARGET_RMS_DBFS`` (-18 dBFS),
so loudness is *not* a hidden factor. Peaks then depend on the crest factor: on the
default grid they lie between -15.2 dBFS (nearly pure tones) and -5.3 dBFS (noisiest
files). A file whose peak would exceed ``PEAK_CEILING_DBFS`` (-1 dBFS; only
possible with custom grids, e.g. ``spectral_slope < 1``) is scaled down to that
ceiling instead, with a ``RuntimeWarning``.

Files written into ``out_dir``: ``toy_00000.wav`` ... (one per grid row, in grid
order), ``factors.csv`` (header ``file,f0_hz,spectral_slope,noise_ratio``) and a
``README.md`` dataset card.

pyo is imported lazily, so this module imports without it; the rendering functions
raise ``RuntimeError`` when pyo is missing. Only pyo's offline audio backend is
used: no sound card is needed (booting a real-time backend without an audio device
can crash pyo).
"""

from __future__ import annotations

import csv
import itertools
import math
import os
import re
import tempfile
import threading
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "ATTACK_S",
    "FACTORS",
    "FACTOR_NAMES",
    "PEAK_CEILING_DBFS",
    "RELEASE_S",
    "TARGET_RMS_DBFS",
    "factor_grid",
    "load_factors",
    "render_toy_dataset",
]

#: Names of the labelled factors, in CSV column order.
FACTOR_NAMES: tuple[str, ...] = ("f0_hz", "spectral_slope", "noise_ratio")

#: Default factorial grid (8 x 5 x 4 = 160 files).
FACTORS: dict[str, tuple[float, ...]] = {
    "f0_hz": tuple(float(round(f, 2)) for f in np.geomspace(110.0, 880.0, 8)),
    "spectral_slope": (1.0, 1.5, 2.0, 2.5, 3.0),
    "noise_ratio": (0.0, 0.1, 0.25, 0.5),
}

ATTACK_S = 0.010  #: linear attack, seconds
RELEASE_S = 0.050  #: linear release, seconds (ends exactly at ``duration_s``)
MIN_DURATION_S = 0.1  #: shortest accepted ``duration_s``
TARGET_RMS_DBFS = -18.0  #: steady-state RMS of every file, dBFS
PEAK_CEILING_DBFS = -1.0  #: files never peak above this, dBFS
MAX_PARTIAL_HZ = 20_000.0  #: highest synthesised partial (also <= 0.45 * sample_rate)
NOISE_LOWPASS_HZ = 12_000.0  #: noise low-pass cutoff (also <= 0.25 * sample_rate)
HARM_TABLE_SIZE = 16_384  #: samples in one period of the wavetable
FILE_PATTERN = "toy_{index:05d}.wav"
_FILE_RE = re.compile(r"^toy_\d{5,}\.wav$")
_SUBTYPES = ("FLOAT", "PCM_16")

_PYO_MISSING = "pyo is not installed: pip install 'synth-server[train]'"
_RENDER_LOCK = threading.Lock()  # one pyo Server per process at a time


def _import_pyo():
    """Import pyo without its wx GUI; raise ``RuntimeError`` when it is missing."""
    os.environ["PYO_GUI_WX"] = "0"
    try:
        import pyo
    except ImportError as exc:
        raise RuntimeError(_PYO_MISSING) from exc
    return pyo


def _check_values(name: str, values: Sequence[float], lo: float, hi: float, lo_open: bool) -> tuple[float, ...]:
    try:
        out = tuple(float(v) for v in values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}") from exc
    if not out:
        raise ValueError(f"{name} must not be empty")
    for v in out:
        if not math.isfinite(v) or v > hi or v < lo or (lo_open and v == lo):
            bound = f"({lo}, {hi}]" if lo_open else f"[{lo}, {hi}]"
            raise ValueError(f"{name} values must lie in {bound}, got {v!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} has duplicate values: {out!r}")
    return out


def factor_grid(
    f0_hz: Sequence[float] = FACTORS["f0_hz"],
    spectral_slope: Sequence[float] = FACTORS["spectral_slope"],
    noise_ratio: Sequence[float] = FACTORS["noise_ratio"],
) -> list[dict[str, float]]:
    """Full factorial product of the factor values, in a deterministic order.

    Args:
        f0_hz: fundamental frequencies in Hz, each > 0.
        spectral_slope: partial-amplitude exponents (partial ``k`` has amplitude
            ``k**-slope``), each in [0, 16].
        noise_ratio: noise share of the amplitude mix, each in [0, 1].

    Returns:
        ``len(f0_hz) * len(spectral_slope) * len(noise_ratio)`` dicts
        ``{"f0_hz": float, "spectral_slope": float, "noise_ratio": float}``, ordered
        like ``itertools.product(f0_hz, spectral_slope, noise_ratio)`` (``f0_hz``
        varies slowest, ``noise_ratio`` fastest), row ``i`` becoming
        ``toy_{i:05d}.wav``.

    Raises:
        ValueError: a sequence is empty, has duplicates, non-numbers or values out
            of range.
    """
    f0 = _check_values("f0_hz", f0_hz, 0.0, 1e6, lo_open=True)
    slope = _check_values("spectral_slope", spectral_slope, 0.0, 16.0, lo_open=False)
    noise = _check_values("noise_ratio", noise_ratio, 0.0, 1.0, lo_open=False)
    return [
        {"f0_hz": a, "spectral_slope": b, "noise_ratio": c}
        for a, b, c in itertools.product(f0, slope, noise)
    ]


def _max_partial_hz(sample_rate: int) -> float:
    return min(MAX_PARTIAL_HZ, 0.45 * sample_rate)


def _noise_lowpass_hz(sample_rate: int) -> float:
    return min(NOISE_LOWPASS_HZ, 0.25 * sample_rate)


def _partial_amplitudes(f0_hz: float, spectral_slope: float, sample_rate: int) -> list[float]:
    """Amplitudes ``k**-slope`` of the partials ``k * f0 <= _max_partial_hz(sample_rate)``."""
    n_partials = int(math.floor(_max_partial_hz(sample_rate) / f0_hz + 1e-9))
    k = np.arange(1, n_partials + 1, dtype=np.float64)
    return (k ** -float(spectral_slope)).tolist()


def _validate_grid(grid: Sequence[Mapping[str, float]], sample_rate: int) -> list[dict[str, float]]:
    if isinstance(grid, (str, bytes)) or not isinstance(grid, Sequence):
        raise ValueError("grid must be a list of dicts (see factor_grid())")
    if len(grid) == 0:
        raise ValueError("grid must not be empty")
    rows: list[dict[str, float]] = []
    limit = _max_partial_hz(sample_rate)
    for i, row in enumerate(grid):
        if not isinstance(row, Mapping) or set(row) != set(FACTOR_NAMES):
            keys = sorted(row) if isinstance(row, Mapping) else type(row).__name__
            raise ValueError(f"grid row {i} must have exactly the keys {FACTOR_NAMES}, got {keys}")
        f0 = _check_values("f0_hz", [row["f0_hz"]], 0.0, limit, lo_open=True)[0]
        slope = _check_values("spectral_slope", [row["spectral_slope"]], 0.0, 16.0, lo_open=False)[0]
        noise = _check_values("noise_ratio", [row["noise_ratio"]], 0.0, 1.0, lo_open=False)[0]
        rows.append({"f0_hz": f0, "spectral_slope": slope, "noise_ratio": noise})
    return rows


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


class _OfflineRenderer:
    """One booted offline pyo Server, reused to render the stems of many files."""

    def __init__(self, pyo, sample_rate: int, duration_s: float, tmp_dir: Path) -> None:
        self.pyo = pyo
        self.sample_rate = sample_rate
        self.duration_s = duration_s
        self.n_samples = int(round(duration_s * sample_rate))
        self.stem_path = str(tmp_dir / "stems.wav")
        self._tables: dict[tuple[float, float], object] = {}
        self.server = pyo.Server(
            sr=sample_rate, nchnls=2, duplex=0, audio="offline", verbosity=1
        )
        self.server.boot()
        if not self.server.getIsBooted():
            raise RuntimeError("pyo offline Server failed to boot")
        # The first start() after boot fades the output in over its first buffers;
        # render a throwaway tone so that every real file renders identically.
        self._render(lambda: [self.pyo.Sine(freq=440.0, mul=0.1).out(0)], 0.05)

    def _render(self, build, duration_s: float) -> np.ndarray:
        """Build a graph with ``build()``, render ``duration_s`` s, return (samples, 2) float64."""
        import soundfile as sf

        self.server.recordOptions(
            dur=duration_s, filename=self.stem_path, fileformat=0, sampletype=3
        )
        objects = build()
        try:
            self.server.start()  # offline: renders the whole file, then returns
        finally:
            for obj in objects:
                if hasattr(obj, "stop"):
                    obj.stop()
            del objects
        audio, sr = sf.read(self.stem_path, dtype="float64", always_2d=True)
        if sr != self.sample_rate or audio.shape[1] != 2:
            raise RuntimeError(f"pyo rendered an unexpected file: {sr} Hz, {audio.shape[1]} channels")
        return audio

    def render_stems(self, f0_hz: float, spectral_slope: float, noise: np.ndarray | None) -> np.ndarray:
        """Render (n_samples, 2) float64 stems: [:, 0] harmonic tone, [:, 1] noise (0 if None)."""
        pyo, dur = self.pyo, self.duration_s
        key = (f0_hz, spectral_slope)
        if key not in self._tables:
            amps = _partial_amplitudes(f0_hz, spectral_slope, self.sample_rate)
            self._tables[key] = pyo.HarmTable(amps, size=HARM_TABLE_SIZE)
        table = self._tables[key]

        def build():
            env = pyo.Linseg(
                [(0.0, 0.0), (ATTACK_S, 1.0), (dur - RELEASE_S, 1.0), (dur, 0.0)]
            ).play()
            tone = pyo.Osc(table, freq=float(f0_hz), interp=4, mul=env).out(0)
            objs = [env, tone]
            if noise is not None:
                data = pyo.DataTable(size=len(noise), init=noise.tolist())
                reader = pyo.TableRead(data, freq=data.getRate(), loop=0, interp=1).play()
                filt = pyo.ButLP(reader, freq=_noise_lowpass_hz(self.sample_rate), mul=env).out(1)
                objs += [reader, filt, data]
            return objs

        audio = self._render(build, dur)
        if audio.shape[0] < self.n_samples:
            raise RuntimeError(
                f"pyo rendered {audio.shape[0]} samples, expected at least {self.n_samples}"
            )
        return audio[: self.n_samples]

    def close(self) -> None:
        self._tables.clear()
        try:
            self.server.stop()
        finally:
            self.server.shutdown()


def _mix_and_normalise(stems: np.ndarray, noise_ratio: float, sample_rate: int, name: str) -> np.ndarray:
    """Mix the stems at ``noise_ratio`` and RMS-normalise; returns float32 (n,)."""
    n = stems.shape[0]
    steady = slice(int(math.ceil(ATTACK_S * sample_rate)), n - int(math.ceil(RELEASE_S * sample_rate)))
    harm_rms = _rms(stems[steady, 0])
    if not harm_rms > 0.0:
        raise RuntimeError(f"{name}: pyo rendered a silent harmonic stem")
    mix = stems[:, 0] / harm_rms
    if noise_ratio > 0.0:
        noise_rms = _rms(stems[steady, 1])
        if not noise_rms > 0.0:
            raise RuntimeError(f"{name}: pyo rendered a silent noise stem")
        mix = (1.0 - noise_ratio) * mix + noise_ratio * (stems[:, 1] / noise_rms)
    mix *= 10.0 ** (TARGET_RMS_DBFS / 20.0) / _rms(mix[steady])
    peak = float(np.max(np.abs(mix)))
    ceiling = 10.0 ** (PEAK_CEILING_DBFS / 20.0)
    if peak > ceiling:
        warnings.warn(
            f"{name}: peak {20 * math.log10(peak):.1f} dBFS at {TARGET_RMS_DBFS} dBFS RMS; "
            f"scaled down to a {PEAK_CEILING_DBFS} dBFS peak",
            RuntimeWarning,
            stacklevel=3,
        )
        mix *= ceiling / peak
    if not np.all(np.isfinite(mix)):
        raise RuntimeError(f"{name}: non-finite samples")
    return mix.astype(np.float32)


def _write_wav(path: Path, audio: np.ndarray, sample_rate: int, subtype: str) -> None:
    """Write mono float32 ``audio`` as WAV with no timestamped metadata.

    scipy is used rather than soundfile because libsndfile adds a PEAK chunk holding
    the write time to float WAVs, so identical audio would give different files.
    """
    from scipy.io import wavfile

    if subtype == "PCM_16":
        audio = np.clip(np.round(audio.astype(np.float64) * 32767.0), -32768, 32767).astype(np.int16)
    wavfile.write(path, sample_rate, audio)


def _write_readme(path: Path, rows: list[dict[str, float]], *, out_dir: str, sample_rate: int,
                  duration_s: float, seed: int, subtype: str, pyo_version: str) -> None:
    lines = [
        "# Toy dataset (synth-server, pyo offline)",
        "",
        "Procedural dSprites-like dataset (ATIAM brief, exercise 3): every combination of the",
        "factor values below is rendered once, as a sustained tone, offline with pyo",
        f"{pyo_version} (`synth_server.datasets.toy_pyo`).",
        "",
        f"- files: {len(rows)} (`toy_00000.wav` ...), labels in `factors.csv`",
        f"- format: mono WAV, {sample_rate} Hz, {subtype}, {duration_s:g} s each",
        f"- envelope: {ATTACK_S * 1000:g} ms linear attack, steady, {RELEASE_S * 1000:g} ms linear release",
        f"- level: steady-state RMS normalised to {TARGET_RMS_DBFS:g} dBFS in every file "
        f"(peaks capped at {PEAK_CEILING_DBFS:g} dBFS)",
        f"- seed: {seed} (noise of file i: numpy `default_rng([{seed}, i]).standard_normal`)",
        "",
        "## Factors",
        "",
        "| factor | values | range | meaning |",
        "|---|---|---|---|",
    ]
    meaning = {
        "f0_hz": "fundamental frequency, Hz",
        "spectral_slope": f"partial k has amplitude k^-slope; partials up to {_max_partial_hz(sample_rate):g} Hz",
        "noise_ratio": "x = (1-r)*harmonic + r*noise, both unit RMS; noise is white, "
        f"Butterworth low-pass at {_noise_lowpass_hz(sample_rate):g} Hz",
    }
    for name in FACTOR_NAMES:
        values = sorted({row[name] for row in rows})
        shown = ", ".join(f"{v:g}" for v in values)
        lines.append(f"| `{name}` | {shown} | {min(values):g} to {max(values):g} ({len(values)}) | {meaning[name]} |")
    levels = {k: tuple(dict.fromkeys(row[k] for row in rows)) for k in FACTOR_NAMES}
    if rows == factor_grid():
        grid_arg, grid_note = "", "The default grid."
    elif rows == factor_grid(**levels):
        shown = ", ".join(f"{k}={levels[k]!r}" for k in FACTOR_NAMES)
        grid_arg = f", grid=factor_grid({shown})"
        grid_note = "A custom factorial grid."
    else:
        grid_arg = ", grid=GRID"
        grid_note = "A custom, non-factorial grid: GRID is the list of rows of `factors.csv`."
    lines += [
        "",
        "## Reproduce",
        "",
        "```",
        (f"synth-server dataset toy --out {out_dir} --sample-rate {sample_rate} "
         f"--duration {duration_s:g} --seed {seed}")
        if not grid_arg and subtype == "FLOAT" else
        "python -c \"from synth_server.datasets.toy_pyo import factor_grid, render_toy_dataset; "
        f"render_toy_dataset({out_dir!r}, sample_rate={sample_rate}, "
        f"duration_s={duration_s!r}, seed={seed}, subtype={subtype!r}{grid_arg})\"",
        "```",
        "",
        f"{grid_note} The same seed and grid give bit-identical files.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def render_toy_dataset(
    out_dir: str | Path,
    *,
    sample_rate: int = 48000,
    duration_s: float = 1.0,
    seed: int = 0,
    grid: list[dict] | None = None,
    progress: bool = True,
    subtype: str = "FLOAT",
) -> Path:
    """Render the toy dataset offline with pyo into ``out_dir``.

    Writes one mono WAV per grid row, ``toy_{i:05d}.wav`` (``sample_rate`` Hz,
    ``round(duration_s * sample_rate)`` samples, 32-bit float by default; byte-identical
    for the same arguments), plus
    ``factors.csv`` (header ``file,f0_hz,spectral_slope,noise_ratio``, one row per
    file in grid order) and a ``README.md`` dataset card. Stale ``toy_*.wav`` files
    already in ``out_dir`` that are not part of this grid are deleted, so the
    directory always matches ``factors.csv``. See the module docstring for the
    synthesis, seeding and normalisation method (pyo offline; ATIAM brief ex. 3;
    dSprites).

    Args:
        out_dir: output directory, created if needed.
        sample_rate: Hz, >= 8000.
        duration_s: seconds per file, >= 0.1 (10 ms attack + 50 ms release + steady part).
        seed: non-negative int; seeds the noise (same seed -> bit-identical files).
        grid: rows from :func:`factor_grid` (default: ``factor_grid()``, 160 files).
            Each ``f0_hz`` must be <= ``min(20 kHz, 0.45 * sample_rate)``.
        progress: show a tqdm progress bar.
        subtype: sample format of the WAVs: ``"FLOAT"`` (32-bit float) or ``"PCM_16"``.

    Returns:
        ``Path(out_dir)``.

    Raises:
        RuntimeError: pyo is not installed, fails to boot, or renders bad audio.
        ValueError: invalid sample_rate, duration_s, seed, grid or subtype.

    Not thread-safe across processes sharing ``out_dir``; calls in one process are
    serialised (pyo runs one Server at a time).
    """
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate < 8000:
        raise ValueError(f"sample_rate must be an int >= 8000, got {sample_rate!r}")
    sample_rate = int(sample_rate)
    duration_s = float(duration_s)
    if not math.isfinite(duration_s) or duration_s < MIN_DURATION_S:
        raise ValueError(f"duration_s must be >= {MIN_DURATION_S}, got {duration_s!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    seed = int(seed)
    if subtype not in _SUBTYPES:
        raise ValueError(f"subtype must be one of {_SUBTYPES}, got {subtype!r}")
    rows = _validate_grid(factor_grid() if grid is None else grid, sample_rate)

    pyo = _import_pyo()
    from tqdm.auto import tqdm

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = [FILE_PATTERN.format(index=i) for i in range(len(rows))]
    n_samples = int(round(duration_s * sample_rate))

    with _RENDER_LOCK, tempfile.TemporaryDirectory(prefix="toy_pyo_") as tmp:
        renderer = _OfflineRenderer(pyo, sample_rate, duration_s, Path(tmp))
        try:
            for index, (name, row) in enumerate(
                zip(tqdm(names, desc="toy dataset (pyo offline)", unit="file", disable=not progress), rows)
            ):
                noise = None
                if row["noise_ratio"] > 0.0:
                    noise = np.random.default_rng([seed, index]).standard_normal(n_samples)
                stems = renderer.render_stems(row["f0_hz"], row["spectral_slope"], noise)
                audio = _mix_and_normalise(stems, row["noise_ratio"], sample_rate, name)
                _write_wav(out / name, audio, sample_rate, subtype)
        finally:
            renderer.close()

    keep = set(names)
    for stale in out.iterdir():
        if _FILE_RE.match(stale.name) and stale.name not in keep and stale.is_file():
            stale.unlink()

    with open(out / "factors.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("file", *FACTOR_NAMES))
        for name, row in zip(names, rows):
            writer.writerow((name, *(repr(row[k]) for k in FACTOR_NAMES)))
    _write_readme(
        out / "README.md", rows, out_dir=str(out_dir), sample_rate=sample_rate,
        duration_s=duration_s, seed=seed, subtype=subtype,
        pyo_version=str(getattr(pyo, "PYO_VERSION", "?")),
    )
    return out


def load_factors(dataset_dir: str | Path) -> list[dict]:
    """Read ``factors.csv`` of a rendered toy dataset.

    Args:
        dataset_dir: directory written by :func:`render_toy_dataset`.

    Returns:
        One dict per file, in file order: ``{"file": str (file name, relative to
        dataset_dir), "f0_hz": float, "spectral_slope": float, "noise_ratio": float}``
        (every column other than ``file`` is parsed as float).

    Raises:
        FileNotFoundError: no ``factors.csv`` in ``dataset_dir``.
        ValueError: the header does not start with ``file`` or a value is not a number.
    """
    path = Path(dataset_dir) / "factors.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header or header[0] != "file":
            raise ValueError(f"{path}: header must start with 'file', got {header!r}")
        rows = []
        for line_no, values in enumerate(reader, start=2):
            if not values:
                continue
            if len(values) != len(header):
                raise ValueError(f"{path}:{line_no}: expected {len(header)} columns, got {len(values)}")
            try:
                row: dict = {"file": values[0]}
                row.update({k: float(v) for k, v in zip(header[1:], values[1:])})
            except ValueError as exc:
                raise ValueError(f"{path}:{line_no}: {exc}") from exc
            rows.append(row)
    return rows
