"""The toy dataset's factors of variation and grids (what :mod:`.toy_pyo` renders): factor names,
reference values, accepted ranges, the default, mono and factorial presets, each row's partial
frequencies and amplitudes, and the row validation. No pyo, no files; see :mod:`.toy_pyo` for the
method (ATIAM brief, exercise 3; after dSprites, Matthey et al. 2017).
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np

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
