"""The measures of ``synth-server evaluate``: the Mutual Information Gap of latents against
labelled factors, Griffin-Lim resynthesis of decoded frames, and pyin pitch error in cents.

- MIG: Chen, Li, Grosse & Duvenaud 2018, "Isolating Sources of Disentanglement in VAEs", eq. 7,
  estimated as in Locatello et al. 2019 (disentanglement_lib): latents discretised into
  ``MIG_BINS`` equal-width bins, ``sklearn.metrics.mutual_info_score``.
- Resynthesis: ``librosa.griffinlim`` (:func:`synth_server.dsp.stft.griffin_lim`).
- Pitch: ``librosa.pyin`` (Mauch & Dixon 2014) at 16 kHz with 2-cent bins.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from synth_server.core.config import StftConfig
from synth_server.data.labels import BOOKKEEPING_COLUMNS

MIG_BINS = 20
PITCH_SAMPLE_RATE = 16000
PITCH_RESOLUTION = 0.02  # pyin bins of 2 cents
PITCH_RANGE_SEMITONES = 7.0


# -- disentanglement --------------------------------------------------------------------------

def factor_names(rows: Sequence[dict[str, Any]], kind: str) -> list[str]:
    """Numeric label columns that vary over ``rows`` (the factors MIG is measured against).
    SoundFont sets: program, family, pitch, velocity (f0_hz repeats pitch)."""
    if not rows:
        return []
    skip = BOOKKEEPING_COLUMNS | ({"f0_hz"} if kind == "soundfont" else set())
    names = []
    for key, value in rows[0].items():
        if key in skip or isinstance(value, str):
            continue
        if len({row[key] for row in rows}) > 1:
            names.append(key)
    return names


def discretise(values: np.ndarray, n_bins: int = MIG_BINS) -> np.ndarray:
    """Integer codes [n] of a factor: its distinct values when there are at most ``n_bins``,
    else ``n_bins`` quantile bins."""
    values = np.asarray(values, dtype=np.float64)
    unique, codes = np.unique(values, return_inverse=True)
    if len(unique) <= n_bins:
        return codes
    edges = np.quantile(values, np.linspace(0, 1, n_bins + 1)[1:-1])
    return np.digitize(values, edges)


def histogram_discretise(z: np.ndarray, n_bins: int = MIG_BINS) -> np.ndarray:
    """[n, d] latents -> [n, d] codes of ``n_bins`` equal-width bins per dimension
    (disentanglement_lib's ``_histogram_discretize``)."""
    out = np.zeros(z.shape, dtype=np.int64)
    for j in range(z.shape[1]):
        edges = np.histogram(z[:, j], n_bins)[1]
        out[:, j] = np.digitize(z[:, j], edges[:-1])
    return out


def mutual_information_gap(z: np.ndarray, factors: dict[str, np.ndarray],
                           n_bins: int = MIG_BINS) -> dict[str, Any]:
    """Mutual Information Gap (Chen et al. 2018, eq. 7).

    ``MIG = 1/K sum_k (I(z_j1; v_k) - I(z_j2; v_k)) / H(v_k)``, j1 and j2 the latent dimensions
    with the largest and second largest mutual information with factor v_k. Estimated on
    discretised latents (``n_bins`` equal-width bins) with ``sklearn.metrics.mutual_info_score``
    (nats), as disentanglement_lib (Locatello et al. 2019).

    Args:
        z: [n, d] codes (posterior means or PCA scores).
        factors: name -> [n] integer codes (:func:`discretise`); constant factors are skipped.
    Returns:
        {"mig": float in [0, 1] (NaN without factors), "per_factor": {name: gap / entropy},
        "best_dim": {name: j1}, "mi": {name: [I(z_j; v_k) / H(v_k) for j]}}.
    """
    from sklearn.metrics import mutual_info_score

    codes = histogram_discretise(np.asarray(z, dtype=np.float64), n_bins)
    per_factor: dict[str, float] = {}
    best: dict[str, int] = {}
    mi_rows: dict[str, list[float]] = {}
    for name, v in factors.items():
        entropy = mutual_info_score(v, v)
        if entropy <= 0:
            continue
        mi = np.array([mutual_info_score(codes[:, j], v) for j in range(codes.shape[1])])
        order = np.argsort(mi)[::-1]
        second = mi[order[1]] if len(mi) > 1 else 0.0
        per_factor[name] = float(np.clip((mi[order[0]] - second) / entropy, 0.0, 1.0))
        best[name] = int(order[0])
        mi_rows[name] = [float(m / entropy) for m in mi]
    mig = float(np.mean(list(per_factor.values()))) if per_factor else float("nan")
    return {"mig": mig, "per_factor": per_factor, "best_dim": best, "mi": mi_rows}


# -- resynthesis and pitch --------------------------------------------------------------------

def frames_to_audio(log_features: np.ndarray, keep: np.ndarray, n_frames: int, n_samples: int,
                    stft: StftConfig, n_iter: int, seed: int = 0) -> np.ndarray:
    """Decoded log features -> audio.

    Args:
        log_features: [n_keep, n_features] ``log(feature + log_floor)`` of the kept frames.
        keep: [n_frames] bool, which analysis frames they are (the others are silence).
        n_frames: frames of the original analysis.
        n_samples: length of the original signal.
        stft: analysis config (bands are mapped to STFT magnitudes with the play-time matrix).
        n_iter: Griffin-Lim iterations.
    Returns:
        [n_samples] float32 signal.
    """
    from synth_server.dsp.filterbank import magnitude_from_bands
    from synth_server.dsp.stft import from_log, griffin_lim

    mag = np.zeros((n_frames, stft.n_bins), dtype=np.float32)
    mag[keep] = magnitude_from_bands(from_log(log_features, stft), stft)
    y = griffin_lim(mag, stft, n_iter=n_iter, seed=seed)
    out = np.zeros(n_samples, dtype=np.float32)
    out[: min(n_samples, len(y))] = y[:n_samples]
    return out


def pitch_track(y: np.ndarray, sample_rate: int, f0_hz: float) -> np.ndarray:
    """pyin f0 [n_frames] in Hz (NaN where unvoiced), 10 ms hop at 16 kHz, searched within
    +-``PITCH_RANGE_SEMITONES`` of ``f0_hz`` with ``PITCH_RESOLUTION`` semitone bins."""
    import librosa

    y16 = librosa.resample(np.asarray(y, dtype=np.float32), orig_sr=sample_rate,
                           target_sr=PITCH_SAMPLE_RATE)
    ratio = 2.0 ** (PITCH_RANGE_SEMITONES / 12.0)
    fmax = min(f0_hz * ratio, PITCH_SAMPLE_RATE / 4)
    f0, voiced, _ = librosa.pyin(y16, fmin=f0_hz / ratio, fmax=fmax, sr=PITCH_SAMPLE_RATE,
                                 frame_length=1024, hop_length=160,
                                 resolution=PITCH_RESOLUTION)
    return np.where(voiced, f0, np.nan)


def cents_error(reference: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    """|1200 log2(estimate / reference)| over frames voiced in both: [n_common] cents."""
    n = min(len(reference), len(estimate))
    a, b = reference[:n], estimate[:n]
    both = np.isfinite(a) & np.isfinite(b)
    return np.abs(1200.0 * np.log2(b[both] / a[both]))
