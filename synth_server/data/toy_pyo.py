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
import itertools
import math
import os
import tempfile
import threading
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

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

#: Names of the labelled factors, in CSV column order.
FACTOR_NAMES: tuple[str, ...] = (
    "f0_hz", "spectral_slope", "noise_ratio", "attack_s", "release_s", "even_gain",
    "inharmonicity", "vibrato_cents",
)
#: Factors every grid row must give; the others default to :data:`REFERENCE`.
_REQUIRED = ("f0_hz", "spectral_slope", "noise_ratio")

ATTACK_S = 0.010  #: reference linear attack, seconds
RELEASE_S = 0.050  #: reference linear release, seconds (ends exactly at ``duration_s``)

#: Value of each factor when it is not varied.
REFERENCE: dict[str, float] = {
    "f0_hz": 220.0,
    "spectral_slope": 2.0,
    "noise_ratio": 0.0,
    "attack_s": ATTACK_S,
    "release_s": RELEASE_S,
    "even_gain": 1.0,
    "inharmonicity": 0.0,
    "vibrato_cents": 0.0,
}

#: Default factorial grid (8 x 5 x 4 = 160 files; the other factors at REFERENCE).
FACTORS: dict[str, tuple[float, ...]] = {
    "f0_hz": tuple(float(round(f, 2)) for f in np.geomspace(110.0, 880.0, 8)),
    "spectral_slope": (1.0, 1.5, 2.0, 2.5, 3.0),
    "noise_ratio": (0.0, 0.1, 0.25, 0.5),
}

#: Values of the mono-factor sets (``--preset mono:FACTOR``).
MONO_VALUES: dict[str, tuple[float, ...]] = {
    "f0_hz": FACTORS["f0_hz"],
    "spectral_slope": (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0),
    "noise_ratio": (0.0, 0.1, 0.25, 0.5, 0.75, 0.9),
    "attack_s": (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3),
    "release_s": (0.02, 0.05, 0.1, 0.2, 0.3, 0.4),
    "even_gain": (0.0, 0.25, 0.5, 0.75, 1.0),
    "inharmonicity": (0.0, 1e-4, 3e-4, 1e-3, 3e-3),
    "vibrato_cents": (0.0, 10.0, 25.0, 50.0, 100.0),
}

#: Low, middle and high level of each factor for the factorial presets.
FACTORIAL_LEVELS: dict[str, tuple[float, float, float]] = {
    "f0_hz": (110.0, 220.0, 440.0),
    "spectral_slope": (1.0, 2.0, 3.0),
    "noise_ratio": (0.0, 0.25, 0.5),
    "attack_s": (0.01, 0.05, 0.2),
    "release_s": (0.05, 0.1, 0.3),
    "even_gain": (0.0, 0.5, 1.0),
    "inharmonicity": (0.0, 3e-4, 2e-3),
    "vibrato_cents": (0.0, 25.0, 50.0),
}

#: Preset names accepted by :func:`preset_grid` (``FACTOR`` is any of FACTOR_NAMES).
PRESETS: tuple[str, ...] = ("default", "mono", "mono:FACTOR", "factorial", "factorial:FACTOR,FACTOR,...")

#: The audio descriptor (a key of :func:`describe`) that each factor should move.
DESCRIPTOR_OF: dict[str, str] = {
    "f0_hz": "f0_est_hz",
    "spectral_slope": "centroid_hz",
    "noise_ratio": "flatness",
    "attack_s": "attack_est_s",
    "release_s": "release_est_s",
    "even_gain": "even_odd_db",
    "inharmonicity": "inharmonicity_est",
    "vibrato_cents": "vibrato_est_cents",
}

#: Ranges accepted for each factor: (low, high, low bound open).
_RANGES: dict[str, tuple[float, float, bool]] = {
    "f0_hz": (0.0, 1e6, True),
    "spectral_slope": (0.0, 16.0, False),
    "noise_ratio": (0.0, 1.0, False),
    "attack_s": (0.001, 10.0, False),
    "release_s": (0.001, 10.0, False),
    "even_gain": (0.0, 1.0, False),
    "inharmonicity": (0.0, 0.1, False),
    "vibrato_cents": (0.0, 1200.0, False),
}

VIBRATO_RATE_HZ = 5.0  #: vibrato rate, Hz
MIN_DURATION_S = 0.1  #: shortest accepted ``duration_s``
MIN_STEADY_S = 0.04  #: shortest steady part between attack and release, seconds
TARGET_RMS_DBFS = -18.0  #: steady-state RMS of every file, dBFS
PEAK_CEILING_DBFS = -1.0  #: files never peak above this, dBFS
MAX_PARTIAL_HZ = 20_000.0  #: highest synthesised partial (also <= 0.45 * sample_rate)
NOISE_LOWPASS_HZ = 12_000.0  #: noise low-pass cutoff (also <= 0.25 * sample_rate)
HARM_TABLE_SIZE = 16_384  #: samples in one period of the wavetable
FILE_PATTERN = "toy_{index:05d}.wav"
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
    *,
    attack_s: Sequence[float] = (REFERENCE["attack_s"],),
    release_s: Sequence[float] = (REFERENCE["release_s"],),
    even_gain: Sequence[float] = (REFERENCE["even_gain"],),
    inharmonicity: Sequence[float] = (REFERENCE["inharmonicity"],),
    vibrato_cents: Sequence[float] = (REFERENCE["vibrato_cents"],),
) -> list[dict[str, float]]:
    """Full factorial product of the factor values, in a deterministic order.

    Args:
        f0_hz: fundamental frequencies in Hz, each > 0.
        spectral_slope: partial-amplitude exponents (partial ``k`` has amplitude
            ``k**-slope``), each in [0, 16].
        noise_ratio: noise share of the amplitude mix, each in [0, 1].
        attack_s: linear attack times, seconds, each in [0.001, 10].
        release_s: linear release times, seconds, each in [0.001, 10].
        even_gain: gain of the even partials, each in [0, 1].
        inharmonicity: stiff-string coefficient B (``f_k = k f0 sqrt(1 + B k^2)``),
            each in [0, 0.1].
        vibrato_cents: peak vibrato depth in cents (rate ``VIBRATO_RATE_HZ``), each in
            [0, 1200].

    Returns:
        ``prod(len(values))`` dicts with the keys :data:`FACTOR_NAMES` (float values),
        ordered like ``itertools.product`` over the factors in ``FACTOR_NAMES`` order
        (``f0_hz`` varies slowest, ``vibrato_cents`` fastest), row ``i`` becoming
        ``toy_{i:05d}.wav``. With the defaults: the 160-row default grid.

    Raises:
        ValueError: a sequence is empty, has duplicates, non-numbers or values out
            of range.
    """
    given = dict(f0_hz=f0_hz, spectral_slope=spectral_slope, noise_ratio=noise_ratio,
                 attack_s=attack_s, release_s=release_s, even_gain=even_gain,
                 inharmonicity=inharmonicity, vibrato_cents=vibrato_cents)
    levels = [_check_values(name, given[name], *_RANGES[name]) for name in FACTOR_NAMES]
    return [dict(zip(FACTOR_NAMES, combo)) for combo in itertools.product(*levels)]


def _factor_name(name: str) -> str:
    name = name.strip()
    if name not in FACTOR_NAMES:
        raise ValueError(f"unknown factor {name!r}; factors: {', '.join(FACTOR_NAMES)}")
    return name


def preset_grid(preset: str) -> list[dict[str, float]]:
    """The grid of a named preset (see the module docstring and :data:`PRESETS`).

    Args:
        preset: ``"default"`` (160 files), ``"mono"`` (all mono-factor sets, 43 files),
            ``"mono:FACTOR"`` (``len(MONO_VALUES[FACTOR])`` files), ``"factorial"``
            (every factor at 2 levels, 256 files) or ``"factorial:A,B,..."`` (the named
            factors at 3 levels each, ``3**n`` files).

    Returns:
        Grid rows as :func:`factor_grid` returns them (every key of FACTOR_NAMES).

    Raises:
        ValueError: unknown preset or factor name, or a factor named twice.
    """
    preset = str(preset).strip()
    reference = {k: (v,) for k, v in REFERENCE.items()}
    if preset == "default":
        return factor_grid()
    if preset == "mono":
        rows: list[dict[str, float]] = []
        for name in FACTOR_NAMES:
            rows += [r for r in preset_grid(f"mono:{name}") if r not in rows]
        return rows
    if preset.startswith("mono:"):
        name = _factor_name(preset[len("mono:"):])
        return factor_grid(**{**reference, name: MONO_VALUES[name]})
    if preset == "factorial":
        return factor_grid(**{k: (v[0], v[-1]) for k, v in FACTORIAL_LEVELS.items()})
    if preset.startswith("factorial:"):
        names = [_factor_name(n) for n in preset[len("factorial:"):].split(",") if n.strip()]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"preset {preset!r}: name each factor once, e.g. factorial:f0_hz,even_gain")
        return factor_grid(**{**reference, **{n: FACTORIAL_LEVELS[n] for n in names}})
    raise ValueError(f"unknown preset {preset!r}; presets: {', '.join(PRESETS)}")


def _max_partial_hz(sample_rate: int) -> float:
    return min(MAX_PARTIAL_HZ, 0.45 * sample_rate)


def _noise_lowpass_hz(sample_rate: int) -> float:
    return min(NOISE_LOWPASS_HZ, 0.25 * sample_rate)


def partials(row: Mapping[str, float], sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies and amplitudes of the partials of one grid row.

    Partial ``k`` (1-based) sits at ``f_k = k * f0_hz * sqrt(1 + inharmonicity * k**2)``
    Hz with amplitude ``k**-spectral_slope`` (times ``even_gain`` for even ``k``); only
    partials whose highest frequency, ``f_k * 2**(vibrato_cents / 1200)``, is at or
    below ``min(20 kHz, 0.45 * sample_rate)`` are kept (at least the fundamental).

    Returns:
        ``(freqs_hz, amplitudes)``: float64 arrays of shape ``[n_partials]``.
    """
    limit = _max_partial_hz(sample_rate) / 2.0 ** (row["vibrato_cents"] / 1200.0)
    f0, b = float(row["f0_hz"]), float(row["inharmonicity"])
    n_max = max(1, int(math.floor(limit / f0 + 1e-9)))
    k = np.arange(1, n_max + 1, dtype=np.float64)
    freqs = k * f0 * np.sqrt(1.0 + b * k * k)
    keep = freqs <= limit + 1e-9 * f0  # the same partials as floor(limit / f0 + 1e-9) when B = 0
    keep[0] = True
    k, freqs = k[keep], freqs[keep]
    amps = k ** -float(row["spectral_slope"])
    amps[k % 2 == 0] *= float(row["even_gain"])
    return freqs, amps


def _validate_grid(grid: Sequence[Mapping[str, float]], sample_rate: int,
                   duration_s: float) -> list[dict[str, float]]:
    if isinstance(grid, (str, bytes)) or not isinstance(grid, Sequence):
        raise ValueError("grid must be a list of dicts (see factor_grid())")
    if len(grid) == 0:
        raise ValueError("grid must not be empty")
    rows: list[dict[str, float]] = []
    limit = _max_partial_hz(sample_rate)
    for i, row in enumerate(grid):
        if (not isinstance(row, Mapping) or not set(_REQUIRED) <= set(row)
                or not set(row) <= set(FACTOR_NAMES)):
            keys = sorted(row) if isinstance(row, Mapping) else type(row).__name__
            raise ValueError(f"grid row {i} must have the keys {_REQUIRED} and optionally "
                             f"{FACTOR_NAMES[len(_REQUIRED):]}, got {keys}")
        full = {name: row.get(name, REFERENCE[name]) for name in FACTOR_NAMES}
        checked = {name: _check_values(name, [full[name]], *_RANGES[name])[0] for name in FACTOR_NAMES}
        top = checked["f0_hz"] * 2.0 ** (checked["vibrato_cents"] / 1200.0)
        if top > limit:
            raise ValueError(f"grid row {i}: f0_hz {checked['f0_hz']} (with vibrato {top:.1f} Hz) "
                             f"is above the band limit {limit:g} Hz")
        if checked["attack_s"] + checked["release_s"] > duration_s - MIN_STEADY_S + 1e-9:
            raise ValueError(f"grid row {i}: attack_s + release_s = "
                             f"{checked['attack_s'] + checked['release_s']:g} s leaves less than "
                             f"{MIN_STEADY_S} s of steady level in {duration_s:g} s")
        rows.append(checked)
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
        self._tables: dict[tuple[float, ...], object] = {}
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

    def render_stems(self, row: Mapping[str, float], noise: np.ndarray | None) -> np.ndarray:
        """Render (n_samples, 2) float64 stems of one validated grid row:
        [:, 0] the tone, [:, 1] the noise (0 if ``noise`` is None)."""
        pyo, dur = self.pyo, self.duration_s
        f0_hz, cents = float(row["f0_hz"]), float(row["vibrato_cents"])
        harmonic = row["inharmonicity"] == 0.0
        freqs, amps = partials(row, self.sample_rate)
        key = (f0_hz, row["spectral_slope"], row["even_gain"], cents)
        if harmonic and key not in self._tables:
            self._tables[key] = pyo.HarmTable(amps.tolist(), size=HARM_TABLE_SIZE)
        attack, release = float(row["attack_s"]), float(row["release_s"])

        def build():
            env = pyo.Linseg(
                [(0.0, 0.0), (attack, 1.0), (dur - release, 1.0), (dur, 0.0)]
            ).play()
            objs = [env]
            vib = None
            if cents > 0.0:
                lfo = pyo.Sine(freq=VIBRATO_RATE_HZ, mul=cents / 1200.0)
                vib = pyo.Pow(2.0, lfo)  # frequency ratio 2 ** (cents/1200 * sin(2 pi rate t))
                objs += [lfo, vib]
            if harmonic:
                freq = f0_hz if vib is None else vib * f0_hz
                tone = pyo.Osc(self._tables[key], freq=freq, interp=4, mul=env).out(0)
                objs += [freq, tone] if vib is not None else [tone]
            else:
                freq = freqs.tolist() if vib is None else [vib * float(f) for f in freqs]
                bank = pyo.Sine(freq=freq, mul=amps.tolist())
                tone = pyo.Mix(bank, voices=1, mul=env).out(0)
                objs += ([] if vib is None else freq) + [bank, tone]
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


def _steady(n: int, sample_rate: int, attack_s: float, release_s: float) -> slice:
    return slice(int(math.ceil(attack_s * sample_rate)), n - int(math.ceil(release_s * sample_rate)))


def _mix_and_normalise(stems: np.ndarray, noise_ratio: float, sample_rate: int, name: str,
                       attack_s: float = ATTACK_S, release_s: float = RELEASE_S) -> np.ndarray:
    """Mix the stems at ``noise_ratio`` and RMS-normalise the steady part; returns float32 (n,)."""
    steady = _steady(stems.shape[0], sample_rate, attack_s, release_s)
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


# -- descriptors and the dataset card ----------------------------------------------------------

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
