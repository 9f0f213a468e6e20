"""The toy dataset's card: audio descriptors measured on every file without its labels
(:func:`describe`), their concordance with the factors, the ``descriptors.png`` and
``spectrograms.png`` plots and the ``README.md`` text. See :mod:`.toy_pyo` for the method.
"""
from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from synth_server.data.toy_grid import (DESCRIPTOR_OF, FACTOR_NAMES, PEAK_CEILING_DBFS, REFERENCE,
                                        TARGET_RMS_DBFS, VIBRATO_RATE_HZ, _max_partial_hz,
                                        _noise_lowpass_hz, factor_grid)

ENVELOPE_WINDOW_S = 0.010  #: moving-RMS window of the envelope used by describe()
_N_PARTIALS_DESCRIBED = 6


def _envelope(x: np.ndarray, sample_rate: int) -> tuple[np.ndarray, int]:
    """Moving RMS over ``ENVELOPE_WINDOW_S`` (centred), hop 1 ms: (envelope, hop samples)."""
    hop = max(1, sample_rate // 1000)
    win = max(hop, int(round(ENVELOPE_WINDOW_S * sample_rate)))
    power = np.concatenate([[0.0], np.cumsum(np.square(x, dtype=np.float64))])
    centres = np.arange(0, len(x), hop)
    lo = np.clip(centres - win // 2, 0, len(x))
    hi = np.clip(centres + win // 2, 0, len(x))
    return np.sqrt(np.maximum(power[hi] - power[lo], 0.0) / win), hop


def _peak_hz(spec_db: np.ndarray, bin_hz: float, lo_hz: float, hi_hz: float) -> tuple[float, float]:
    """Largest peak of a dB spectrum in [lo_hz, hi_hz]: (frequency Hz by parabolic interpolation, dB)."""
    a = max(1, int(math.floor(lo_hz / bin_hz)))
    b = min(len(spec_db) - 2, int(math.ceil(hi_hz / bin_hz)))
    if b <= a:
        return float("nan"), -math.inf
    k = a + int(np.argmax(spec_db[a: b + 1]))
    y0, y1, y2 = spec_db[k - 1], spec_db[k], spec_db[k + 1]
    den = y0 - 2.0 * y1 + y2
    delta = 0.5 * (y0 - y2) / den if den < 0 else 0.0
    return (k + delta) * bin_hz, float(y1 - 0.25 * (y0 - y2) * delta)


def _vibrato_cents(x: np.ndarray, sample_rate: int, f0_hz: float) -> float:
    """sqrt(2) x std (cents) of the instantaneous frequency of the band 0.5..1.5 f0 of ``x``."""
    n = len(x)
    spec = np.fft.fft(x)
    freqs = np.fft.fftfreq(n, 1.0 / sample_rate)
    spec[(freqs < 0.5 * f0_hz) | (freqs > 1.5 * f0_hz)] = 0.0
    phase = np.unwrap(np.angle(np.fft.ifft(spec)))
    inst_hz = np.diff(phase) * sample_rate / (2.0 * np.pi)
    edge = int(0.05 * sample_rate)
    inst_hz = inst_hz[edge: n - 1 - edge]
    if len(inst_hz) < sample_rate // 20 or not np.all(inst_hz > 0):
        return float("nan")
    cents = 1200.0 * np.log2(inst_hz / np.median(inst_hz))
    return float(np.sqrt(2.0) * np.std(cents))


def describe(audio: np.ndarray, sample_rate: int) -> dict[str, float]:
    """Audio descriptors of one toy file, measured without its labels.

    Method: the envelope is a centred moving RMS (``ENVELOPE_WINDOW_S`` = 10 ms window,
    1 ms hop); its level is the envelope's 90th percentile; the *steady part* runs
    from the first to the last time the envelope reaches 90 % of that level. Attack
    and release times are the 10 %-to-90 % rise (fall) times divided by 0.8 (the
    full length of a linear ramp). Pitch is tracked with YIN (de Cheveigne &
    Kawahara 2002, ``librosa.yin``, 4096-sample frames, 256-sample hop) on the
    steady part: its median is the f0 estimate. The vibrato depth is ``sqrt(2)``
    times the standard deviation, in cents, of the instantaneous frequency of the
    first partial (exact for a sinusoidal vibrato): the analytic signal of the band
    0.5 to 1.5 f0 (FFT mask), phase unwrapped and differentiated, 50 ms trimmed at
    each end. Partials 1..6 are the largest peaks within +-0.4 f0 of ``k f0`` in a
    Hann-windowed, zero-padded FFT of the steady part (parabolic interpolation of the
    dB magnitude); the inharmonicity ``B`` follows from partial 5:
    ``r = (f_5 / 5 f_1)**2``, ``B = (r - 1) / (25 - r)``, the inverse of
    ``f_k = k f0 sqrt(1 + B k**2)``. Centroid and flatness are librosa's
    frame-wise spectral centroid and flatness (2048-point frames), averaged over the
    steady part.

    Args:
        audio: mono signal, shape ``[n_samples]``, float (any scale).
        sample_rate: Hz.

    Returns:
        ``{"f0_est_hz": Hz, "centroid_hz": Hz, "flatness": 0..1, "attack_est_s": s,
        "release_est_s": s, "even_odd_db": dB (energy of partials 2, 4, 6 over 1, 3, 5;
        floored at -80), "inharmonicity_est": B, "vibrato_est_cents": cents}``, all
        floats (NaN when a quantity cannot be measured, e.g. on silence).
    """
    import librosa

    x = np.asarray(audio, dtype=np.float64).reshape(-1)
    nan = float("nan")
    out = dict.fromkeys(DESCRIPTOR_OF.values(), nan)
    env, hop = _envelope(x, sample_rate)
    level = float(np.percentile(env, 90)) if len(env) else 0.0
    if not level > 0.0:
        return out
    above10, above90 = np.flatnonzero(env >= 0.1 * level), np.flatnonzero(env >= 0.9 * level)
    out["attack_est_s"] = (above90[0] - above10[0]) * hop / sample_rate / 0.8
    out["release_est_s"] = (above10[-1] - above90[-1]) * hop / sample_rate / 0.8
    steady = x[above90[0] * hop: above90[-1] * hop + 1]
    if len(steady) < 4096:
        steady = x
    y = steady.astype(np.float32)
    centroid = librosa.feature.spectral_centroid(y=y, sr=sample_rate, n_fft=2048, hop_length=512)
    out["centroid_hz"] = float(np.mean(centroid))
    out["flatness"] = float(np.mean(librosa.feature.spectral_flatness(y=y, n_fft=2048, hop_length=512)))
    if len(steady) >= 4096:
        track = librosa.yin(y, fmin=40.0, fmax=min(2000.0, sample_rate / 4.0), sr=sample_rate,
                            frame_length=4096, hop_length=256, center=False)
        f0 = float(np.median(track))
        out["f0_est_hz"] = f0
        out["vibrato_est_cents"] = _vibrato_cents(steady, sample_rate, f0)
        n_fft = 1 << max(19, int(math.ceil(math.log2(len(steady)))))
        spec = np.abs(np.fft.rfft(steady * np.hanning(len(steady)), n_fft))
        spec_db = 20.0 * np.log10(spec / (spec.max() + 1e-300) + 1e-12)
        bin_hz = sample_rate / n_fft
        found = [_peak_hz(spec_db, bin_hz, (k - 0.4) * f0, (k + 0.4) * f0)
                 for k in range(1, _N_PARTIALS_DESCRIBED + 1)]
        energy = [10.0 ** (db / 10.0) for _, db in found]
        out["even_odd_db"] = max(-80.0, 10.0 * math.log10(
            (sum(energy[1::2]) + 1e-30) / (sum(energy[0::2]) + 1e-30)))
        (f1, _), (f5, _) = found[0], found[4]
        if f1 > 0 and f5 > 0:
            r = (f5 / (5.0 * f1)) ** 2
            out["inharmonicity_est"] = (r - 1.0) / (25.0 - r)
    return {k: float(v) for k, v in out.items()}


def _varied(rows: list[dict[str, float]]) -> list[str]:
    return [k for k in FACTOR_NAMES if len({row[k] for row in rows}) > 1]


#: Direction in which each factor should move its descriptor (+1 up, -1 down).
DESCRIPTOR_SIGN: dict[str, int] = {name: (-1 if name == "spectral_slope" else 1) for name in FACTOR_NAMES}


def _groups(rows: list[dict[str, float]], factor: str) -> list[list[int]]:
    """Indices of rows that differ only in ``factor`` (groups of >= 2, sorted by ``factor``)."""
    groups: dict[tuple, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(tuple(row[k] for k in FACTOR_NAMES if k != factor), []).append(i)
    return [sorted(g, key=lambda i: rows[i][factor]) for g in groups.values() if len(g) > 1]


def concordance(rows: list[dict[str, float]], desc: list[dict[str, float]], factor: str) -> tuple[float, int]:
    """Share of file pairs that differ only in ``factor`` whose descriptor
    (``DESCRIPTOR_OF[factor]``) moves in the expected direction (``DESCRIPTOR_SIGN``).

    Args:
        rows: grid rows (labels), one per file.
        desc: :func:`describe` results, one per file, same order.
        factor: a name of FACTOR_NAMES.

    Returns:
        ``(share in [0, 1] or NaN when no pair, number of pairs)``; a pair with a NaN
        descriptor counts as discordant.
    """
    key, sign = DESCRIPTOR_OF[factor], DESCRIPTOR_SIGN[factor]
    good = total = 0
    for group in _groups(rows, factor):
        for a, b in itertools.combinations(group, 2):
            total += 1
            good += bool(sign * (desc[b][key] - desc[a][key]) > 0)
    return (good / total if total else float("nan")), total


def _write_card_plots(out: Path, names: list[str], rows: list[dict[str, float]],
                      desc: list[dict[str, float]], sample_rate: int) -> list[str]:
    """descriptors.png and spectrograms.png (matplotlib, Agg canvas, no pyplot state).

    Returns the names of the files written ([] and a RuntimeWarning without matplotlib).
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        warnings.warn("matplotlib is not installed: dataset card written without plots "
                      "(pip install 'synth-server[train]')", RuntimeWarning, stacklevel=3)
        return []
    import librosa
    import soundfile as sf

    varied = _varied(rows) or [FACTOR_NAMES[0]]
    # descriptor against factor
    n = len(varied)
    cols = min(4, n)
    fig = Figure(figsize=(3.6 * cols, 3.0 * math.ceil(n / cols)), layout="constrained")
    FigureCanvasAgg(fig)
    for i, factor in enumerate(varied):
        ax = fig.add_subplot(math.ceil(n / cols), cols, i + 1)
        key = DESCRIPTOR_OF[factor]
        groups = _groups(rows, factor)
        for group in groups[:64]:  # one line per set of files that differ only in this factor
            ax.plot([rows[j][factor] for j in group], [desc[j][key] for j in group],
                    marker="o", markersize=3, linewidth=0.8, alpha=0.6)
        if factor == "f0_hz":
            ax.set_xscale("log")
        ax.set_xlabel(factor)
        ax.set_ylabel(key)
        share, pairs = concordance(rows, desc, factor)
        ax.set_title(f"{len(groups)} groups; concordance {share:.2f} ({pairs} pairs)", fontsize=8)
        ax.grid(alpha=0.3)
    fig.savefig(out / "descriptors.png", dpi=80)

    # spectrograms: the first file, then each varied factor moved alone to its largest value
    base = rows[0]
    picks = [(0, "file 0 (base)")]
    for factor in varied:
        same = [i for i, row in enumerate(rows)
                if all(row[k] == base[k] for k in FACTOR_NAMES if k != factor) and row[factor] != base[factor]]
        if same:
            i = max(same, key=lambda j: rows[j][factor])
            picks.append((i, f"{factor} = {rows[i][factor]:g}"))
    cols = min(3, len(picks))
    fig = Figure(figsize=(4.2 * cols, 2.8 * math.ceil(len(picks) / cols)), layout="constrained")
    FigureCanvasAgg(fig)
    fmax = min(8000.0, sample_rate / 2.0)
    for j, (i, title) in enumerate(picks):
        ax = fig.add_subplot(math.ceil(len(picks) / cols), cols, j + 1)
        x = sf.read(out / names[i], dtype="float32")[0]
        mag = np.abs(librosa.stft(x, n_fft=2048, hop_length=256))
        db = 20.0 * np.log10(mag / (mag.max() + 1e-12) + 1e-6)
        top = int(fmax / (sample_rate / 2048)) + 1
        ax.imshow(db[:top], origin="lower", aspect="auto", vmin=-80, vmax=0, cmap="magma",
                  extent=(0.0, len(x) / sample_rate, 0.0, top * sample_rate / 2048))
        ax.set_title(f"{names[i]}: {title}", fontsize=9)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("Hz")
    fig.savefig(out / "spectrograms.png", dpi=80)
    return ["descriptors.png", "spectrograms.png"]


_MEANING = {
    "f0_hz": "fundamental frequency, Hz",
    "spectral_slope": "partial k has amplitude k^-slope; partials up to {max_partial:g} Hz",
    "noise_ratio": "x = (1-r)*harmonic + r*noise, both unit RMS; noise is white, "
                   "Butterworth low-pass at {lowpass:g} Hz",
    "attack_s": "linear attack from silence, s",
    "release_s": "linear release to silence, ending at the end of the file, s",
    "even_gain": "gain of the even partials (1: all harmonics, 0: odd only)",
    "inharmonicity": "B: partial k at k*f0*sqrt(1+B*k^2)",
    "vibrato_cents": f"peak vibrato depth at {VIBRATO_RATE_HZ:g} Hz, cents",
}


def _write_readme(path: Path, rows: list[dict[str, float]], *, out_dir: str, sample_rate: int,
                  duration_s: float, seed: int, subtype: str, pyo_version: str,
                  preset: str | None = None, desc: list[dict[str, float]] | None = None,
                  plots: Sequence[str] = ()) -> None:
    varied = _varied(rows)
    lines = [
        "# Toy dataset (synth-server, pyo offline)",
        "",
        "Procedural dSprites-like dataset (ATIAM brief, exercise 3): every combination of the",
        "factor values below is rendered once, as a tone, offline with pyo",
        f"{pyo_version} (`synth_server.data.toy_pyo`).",
        "",
        f"- files: {len(rows)} (`toy_00000.wav` ...), labels in `factors.csv`",
        f"- grid: {('preset `' + preset + '`') if preset else 'custom'}; varied factors: "
        f"{', '.join(f'`{k}`' for k in varied) or 'none'}",
        f"- format: mono WAV, {sample_rate} Hz, {subtype}, {duration_s:g} s each",
        "- envelope: `attack_s` linear attack, steady, `release_s` linear release",
        f"- level: steady-state RMS normalised to {TARGET_RMS_DBFS:g} dBFS in every file "
        f"(peaks capped at {PEAK_CEILING_DBFS:g} dBFS)",
        f"- seed: {seed} (noise of file i: numpy `default_rng([{seed}, i]).standard_normal`)",
        "",
        "## Factors",
        "",
        "| factor | values | range | meaning |",
        "|---|---|---|---|",
    ]
    for name in FACTOR_NAMES:
        values = sorted({row[name] for row in rows})
        shown = ", ".join(f"{v:g}" for v in values)
        meaning = _MEANING[name].format(max_partial=_max_partial_hz(sample_rate),
                                        lowpass=_noise_lowpass_hz(sample_rate))
        lines.append(f"| `{name}` | {shown} | {min(values):g} to {max(values):g} ({len(values)}) | {meaning} |")
    if desc is not None:
        lines += [
            "",
            "## Descriptors",
            "",
            "Measured on every file without its labels (`toy_pyo.describe`; values in",
            "`descriptors.csv`). Concordance: the share of pairs of files that differ only in",
            "the factor whose descriptor moves the expected way (1 = always). Noise blurs the",
            "pitch-based descriptors (f0, vibrato, partials) of files with `noise_ratio` >= 0.5.",
            "",
            "| factor | descriptor | expected | concordance | pairs | descriptor range |",
            "|---|---|---|---|---|---|",
        ]
        for name in varied:
            key = DESCRIPTOR_OF[name]
            share, pairs = concordance(rows, desc, name)
            values = np.array([d[key] for d in desc], dtype=np.float64)
            values = values[np.isfinite(values)]
            span = f"{values.min():.4g} to {values.max():.4g}" if len(values) else "n/a"
            arrow = "falls" if DESCRIPTOR_SIGN[name] < 0 else "rises"
            lines.append(f"| `{name}` | `{key}` | {arrow} | {share:.3f} | {pairs} | {span} |")
        lines.append("")
        lines += [f"![{p}]({p})" for p in plots]
    levels = {k: tuple(dict.fromkeys(row[k] for row in rows)) for k in FACTOR_NAMES}
    if preset is not None:
        grid_arg, grid_note = "", f"Preset `{preset}`."
    elif rows == factor_grid():
        preset, grid_arg, grid_note = "default", "", "The default grid."
    elif rows == factor_grid(**levels):
        shown = ", ".join(f"{k}={levels[k]!r}" for k in FACTOR_NAMES if levels[k] != (REFERENCE[k],))
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
        (f"synth-server dataset toy --out {out_dir}"
         + (f" --preset {preset}" if preset != "default" else "")
         + f" --sample-rate {sample_rate} --duration {duration_s:g} --seed {seed}"
         + ("" if plots or desc is not None else " --no-plots"))
        if not grid_arg and subtype == "FLOAT" else
        "python -c \"from synth_server.data.toy_pyo import factor_grid, render_toy_dataset; "
        f"render_toy_dataset({out_dir!r}, sample_rate={sample_rate}, "
        f"duration_s={duration_s!r}, seed={seed}, subtype={subtype!r}"
        f"{'' if preset in (None, 'default') or grid_arg else f', preset={preset!r}'}{grid_arg})\"",
        "```",
        "",
        f"{grid_note} The same seed and grid give bit-identical files.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
