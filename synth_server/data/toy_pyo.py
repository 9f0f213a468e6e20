"""Procedural toy dataset: dSprites-like grids of audio factors of variation, rendered offline with pyo.

Method (ATIAM brief, exercise 3; after dSprites, Matthey et al. 2017,
https://github.com/google-deepmind/dsprites-dataset): every combination of a few
*known, independent* factors of variation is rendered exactly once, so a model's
latent space can be checked against ground-truth labels. Each file is a tone, mono,
``sample_rate`` Hz (48 kHz by default), ``duration_s`` long, with eight labelled
factors (reference value, used when a factor is not varied, in brackets):

``f0_hz`` [220]
    Fundamental frequency in Hz. Default grid: 8 log-spaced values from 110 to
    880 Hz (three octaves).
``spectral_slope`` [2.0]
    Harmonic richness: partial ``k`` has amplitude ``1 / k**spectral_slope`` (sine
    phase). Higher slope = fewer audible harmonics = darker tone = lower spectral
    centroid. Default grid: 1.0 (sawtooth-like) to 3.0 (nearly a sine), 5 values.
    Only partials at or below ``min(20 kHz, 0.45 * sample_rate)`` (at the top of the
    vibrato) are synthesised, so the tone is band-limited (no aliasing) at any f0.
``noise_ratio`` [0.0]
    Share of noise in the amplitude mix: ``x = (1 - r) * h + r * n`` where the
    harmonic part ``h`` and the noise part ``n`` both have unit steady-state RMS
    before mixing (``r = 0.5`` is equal power). ``n`` is Gaussian white noise through
    a 2nd-order Butterworth low-pass at ``min(12 kHz, 0.25 * sample_rate)``.
    Default grid: 0.0, 0.1, 0.25, 0.5.
``attack_s`` [0.010]
    Linear attack of the amplitude envelope, seconds from silence to full level.
``release_s`` [0.050]
    Linear release (decay to silence) of the amplitude envelope, seconds; it ends
    exactly at ``duration_s``. ``attack_s + release_s`` must leave at least
    ``MIN_STEADY_S`` of steady level.
``even_gain`` [1.0]
    Odd/even harmonic balance: the even partials (k = 2, 4, ...) are multiplied by
    ``even_gain`` on top of the slope law. 1 = all harmonics (sawtooth-like at slope
    1), 0 = odd partials only (square/clarinet-like).
``inharmonicity`` [0.0]
    Stiff-string inharmonicity coefficient ``B`` (Fletcher 1964): partial ``k`` sits at
    ``f_k = k * f0 * sqrt(1 + B * k**2)``. 0 = harmonic; piano strings lie around
    1e-4 to 1e-3.
``vibrato_cents`` [0.0]
    Peak depth of a sinusoidal vibrato at ``VIBRATO_RATE_HZ`` (5 Hz), cents: every
    partial frequency is multiplied by ``2 ** (vibrato_cents / 1200 * sin(2 pi 5 t))``.

Presets (:func:`preset_grid`, ``synth-server dataset toy --preset NAME``):

``default``
    ``f0_hz x spectral_slope x noise_ratio`` = 8 x 5 x 4 = 160 files, the other
    factors at their reference values (the grid the shipped default model is
    trained on; its files are unchanged by the new factors).
``mono:FACTOR``
    Mono-factor set: ``FACTOR`` takes its ``MONO_VALUES`` (5 to 8 values), every
    other factor its reference value. ``mono`` alone is the union of all eight
    mono-factor sets (the reference tone once): 43 files.
``factorial``
    Every factor at two levels (low and high of ``FACTORIAL_LEVELS``): 2**8 = 256 files.
``factorial:A,B,...``
    The named factors at their three ``FACTORIAL_LEVELS`` each (3**n files), the
    others at reference: combinations of factors, to compare with the mono sets.

The factors are independent by construction, but audio descriptors mix them: on the
default grid the spectral centroid falls monotonically with ``spectral_slope`` at
every f0 only for noise-free files; with ``noise_ratio >= 0.1`` the (magnitude-
weighted) centroid is dominated by the broadband noise and barely tracks the slope.
Spectral flatness rises monotonically with ``noise_ratio`` at every (f0, slope).

Synthesis (pyo, offline): one ``pyo.Server(audio="offline")`` is booted per call
and reused for every file (verified: files rendered one after another on the same
server are bit-identical to files rendered alone, after a short warm-up render
that absorbs the fade-in of the server's first ``start()``). Per file, pyo renders
two *stems* into a temporary 32-bit float WAV. Channel 0 is the tone: harmonic tones
(``inharmonicity == 0``) are ``Osc`` reading a ``HarmTable`` of the partial
amplitudes (cubic interpolation); inharmonic tones are a bank of ``Sine``
oscillators, one per partial. With vibrato, the oscillator frequencies are
multiplied by ``Pow(2, Sine(5 Hz) * cents / 1200)``. Channel 1 is the noise, played
from a ``DataTable`` by ``TableRead`` and filtered by ``ButLP``. Both stems go
through the same ``Linseg`` envelope: ``attack_s`` linear attack, steady,
``release_s`` linear release ending exactly at ``duration_s``. numpy then trims the
stems to ``round(duration_s * sample_rate)`` samples (pyo pads recordings to whole
256-sample buffers), mixes them at the exact ``noise_ratio`` and normalises the file.

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
order), ``factors.csv`` (header ``file,f0_hz,spectral_slope,noise_ratio,attack_s,
release_s,even_gain,inharmonicity,vibrato_cents``) and a ``README.md`` dataset card;
with ``plots=True`` (default) also ``descriptors.csv`` (audio descriptors measured
on every file by :func:`describe`), ``descriptors.png`` (each varied factor against
the descriptor that should follow it) and ``spectrograms.png`` (the first file and,
for each varied factor, the file where only that factor moves to its largest value).

pyo is imported lazily, so this module imports without it; the rendering functions
raise ``RuntimeError`` when pyo is missing. Only pyo's offline audio backend is
used: no sound card is needed (booting a real-time backend without an audio device
can crash pyo).
"""

from __future__ import annotations

import csv
import math
import tempfile
from pathlib import Path

import numpy as np

# The grid, the synthesis and the dataset card live in their own modules (storage and the
# command stay here); every public name stays importable from synth_server.data.toy_pyo.
from synth_server.data.toy_card import (DESCRIPTOR_SIGN, _write_card_plots, _write_readme,
                                        concordance, describe)
from synth_server.data.toy_grid import (ATTACK_S, DESCRIPTOR_OF, FACTOR_NAMES, FACTORIAL_LEVELS,
                                        FACTORS, MIN_DURATION_S, MONO_VALUES, PEAK_CEILING_DBFS,
                                        PRESETS, REFERENCE, RELEASE_S, TARGET_RMS_DBFS,
                                        VIBRATO_RATE_HZ, _validate_grid, factor_grid, partials,
                                        preset_grid)
from synth_server.data.toy_synth import (_RENDER_LOCK, _SUBTYPES, _import_pyo, _mix_and_normalise,
                                         _OfflineRenderer, _write_wav)

__all__ = [
    "ATTACK_S",
    "DESCRIPTOR_OF",
    "DESCRIPTOR_SIGN",
    "FACTORIAL_LEVELS",
    "FACTORS",
    "FACTOR_NAMES",
    "MONO_VALUES",
    "PEAK_CEILING_DBFS",
    "PRESETS",
    "REFERENCE",
    "RELEASE_S",
    "TARGET_RMS_DBFS",
    "VIBRATO_RATE_HZ",
    "concordance",
    "describe",
    "factor_grid",
    "load_factors",
    "partials",
    "preset_grid",
    "render_toy_dataset",
]

FILE_PATTERN = "toy_{index:05d}.wav"


def render_toy_dataset(
    out_dir: str | Path,
    *,
    sample_rate: int = 48000,
    duration_s: float = 1.0,
    seed: int = 0,
    grid: list[dict] | None = None,
    preset: str | None = None,
    plots: bool = True,
    progress: bool = True,
    subtype: str = "FLOAT",
    keep_old_as: str | Path | None = None,
) -> Path:
    """Render the toy dataset offline with pyo into ``out_dir``.

    Writes one mono WAV per grid row, ``toy_{i:05d}.wav`` (``sample_rate`` Hz,
    ``round(duration_s * sample_rate)`` samples, 32-bit float by default; byte-identical
    for the same arguments), plus ``factors.csv`` (header ``file`` then
    :data:`FACTOR_NAMES`, one row per file in grid order) and a ``README.md`` dataset
    card; with ``plots`` also ``descriptors.csv``, ``descriptors.png`` and
    ``spectrograms.png`` (see :func:`describe`). Everything is written into a staging
    folder beside ``out_dir`` and renamed onto it at the end (:mod:`.staging`): on any
    error or Ctrl-C ``out_dir`` is left as it was. See the module docstring for the
    synthesis, seeding and normalisation method (pyo offline; ATIAM brief ex. 3; dSprites).

    Args:
        out_dir: output directory: absent (created) or empty, unless ``keep_old_as`` is given.
        sample_rate: Hz, >= 8000.
        duration_s: seconds per file, >= 0.1, and >= ``attack_s + release_s + 0.04``
            for every row.
        seed: non-negative int; seeds the noise (same seed -> bit-identical files).
        grid: rows from :func:`factor_grid` or :func:`preset_grid`; rows may omit the
            factors after ``noise_ratio`` (they take their :data:`REFERENCE` value).
            Each ``f0_hz`` (at the top of its vibrato) must be <= ``min(20 kHz,
            0.45 * sample_rate)``. Default: ``preset_grid(preset or "default")``.
        preset: a preset name of :func:`preset_grid` (not together with ``grid``).
        plots: measure descriptors and write ``descriptors.csv`` and the PNG plots
            (about 30 ms a file; the PNGs need matplotlib).
        progress: show a tqdm progress bar.
        subtype: sample format of the WAVs: ``"FLOAT"`` (32-bit float) or ``"PCM_16"``.
        keep_old_as: where to move a non-empty ``out_dir``, whole, when the new dataset is
            published (must not exist; see :func:`.staging.backup_path`).

    Returns:
        ``Path(out_dir)``.

    Raises:
        RuntimeError: pyo is not installed, fails to boot, or renders bad audio.
        ValueError: invalid sample_rate, duration_s, seed, grid, preset or subtype.
        OutputExistsError: ``out_dir`` is not empty and ``keep_old_as`` is None (a
            ``FileExistsError``; raised before anything is rendered).
        OSError: the staging folder cannot be created or renamed.

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
    if grid is not None and preset is not None:
        raise ValueError("give grid or preset, not both")
    if grid is None:
        grid = preset_grid(preset or "default")
    rows = _validate_grid(grid, sample_rate, duration_s)

    pyo = _import_pyo()
    from tqdm.auto import tqdm

    from synth_server.data.staging import staged_output

    with staged_output(out_dir, keep_old_as=keep_old_as) as stage:
        _render_toy_into(stage, pyo, tqdm, rows, out_dir=out_dir, sample_rate=sample_rate,
                         duration_s=duration_s, seed=seed, preset=preset, plots=plots,
                         progress=progress, subtype=subtype)
    return Path(out_dir)


def _render_toy_into(out: Path, pyo, tqdm, rows: list[dict[str, float]], *, out_dir: str | Path,
                     sample_rate: int, duration_s: float, seed: int, preset: str | None,
                     plots: bool, progress: bool, subtype: str) -> None:
    """Write the toy dataset's files into the empty folder ``out`` (``out_dir`` names it in the card)."""
    names = [FILE_PATTERN.format(index=i) for i in range(len(rows))]
    n_samples = int(round(duration_s * sample_rate))
    desc: list[dict[str, float]] | None = [] if plots else None

    with _RENDER_LOCK, tempfile.TemporaryDirectory(prefix="toy_pyo_") as tmp:
        renderer = _OfflineRenderer(pyo, sample_rate, duration_s, Path(tmp))
        try:
            for index, (name, row) in enumerate(
                zip(tqdm(names, desc="toy dataset (pyo offline)", unit="file", disable=not progress), rows)
            ):
                noise = None
                if row["noise_ratio"] > 0.0:
                    noise = np.random.default_rng([seed, index]).standard_normal(n_samples)
                stems = renderer.render_stems(row, noise)
                audio = _mix_and_normalise(stems, row["noise_ratio"], sample_rate, name,
                                           row["attack_s"], row["release_s"])
                _write_wav(out / name, audio, sample_rate, subtype)
                if desc is not None:
                    desc.append(describe(audio, sample_rate))
        finally:
            renderer.close()

    with open(out / "factors.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("file", *FACTOR_NAMES))
        for name, row in zip(names, rows):
            writer.writerow((name, *(repr(row[k]) for k in FACTOR_NAMES)))
    written: list[str] = []
    if desc is not None:
        with open(out / "descriptors.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            keys = list(DESCRIPTOR_OF.values())
            writer.writerow(("file", *keys))
            for name, d in zip(names, desc):
                writer.writerow((name, *(f"{d[k]:.6g}" for k in keys)))
        written = _write_card_plots(out, names, rows, desc, sample_rate)
    _write_readme(
        out / "README.md", rows, out_dir=str(out_dir), sample_rate=sample_rate,
        duration_s=duration_s, seed=seed, subtype=subtype,
        pyo_version=str(getattr(pyo, "PYO_VERSION", "?")), preset=preset, desc=desc,
        plots=written,
    )


def load_factors(dataset_dir: str | Path) -> list[dict]:
    """Read ``factors.csv`` of a rendered toy dataset.

    Args:
        dataset_dir: directory written by :func:`render_toy_dataset`.

    Returns:
        One dict per file, in file order: ``{"file": str (file name, relative to
        dataset_dir), "f0_hz": float, "spectral_slope": float, ...}`` with every column
        of the header (datasets written before the extra factors have only ``f0_hz``,
        ``spectral_slope`` and ``noise_ratio``); every column other than ``file`` is
        parsed as float.

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
