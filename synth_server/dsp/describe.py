"""Reference descriptors of spectral frames with librosa's feature functions (offline: fits,
heatmaps, reports, tests). The live path uses :func:`synth_server.dsp.features.describe_fast`,
numpy only, which matches these (see tests/test_descriptors.py).
"""
from __future__ import annotations

import numpy as np

from synth_server.dsp.features import (FLATNESS_AMIN, HANN_MEAN_POWER, ROLL_PERCENT, _frames,
                                       harmonic_f0, harmonicity, voiced)


def describe(mag: np.ndarray, sample_rate: int, n_fft: int) -> dict[str, np.ndarray]:
    """Every descriptor of :data:`synth_server.dsp.features.NAMES` (plus ``voiced``) with librosa's feature functions.

    Args:
        mag: [batch, n_bins] (or [n_bins]) normalised linear STFT magnitudes (non-negative).
        sample_rate: Hz. n_fft: FFT size (n_bins = n_fft / 2 + 1).
    Returns:
        name → [batch] float64 (``voiced``: bool). Units: :data:`synth_server.dsp.features.UNITS`.
    Source: librosa.feature.spectral_centroid / spectral_rolloff / spectral_bandwidth /
        spectral_flatness / rms (each with ``S=``, frames as columns).
    """
    import librosa

    mag = _frames(mag)
    spec = mag.T
    out: dict[str, np.ndarray] = {
        "centroid_hz": librosa.feature.spectral_centroid(S=spec, sr=sample_rate, n_fft=n_fft)[0],
        "rolloff_hz": librosa.feature.spectral_rolloff(S=spec, sr=sample_rate, n_fft=n_fft,
                                                       roll_percent=ROLL_PERCENT)[0],
        "bandwidth_hz": librosa.feature.spectral_bandwidth(S=spec, sr=sample_rate,
                                                           n_fft=n_fft)[0],
        "flatness": librosa.feature.spectral_flatness(S=spec, amin=FLATNESS_AMIN)[0],
    }
    rms = librosa.feature.rms(S=spec * (n_fft / 4.0), frame_length=n_fft)[0]
    out["loudness_db"] = 10.0 * np.log10(np.maximum(rms ** 2 / HANN_MEAN_POWER, 1e-16))
    f0 = harmonic_f0(mag, sample_rate, n_fft)
    out["harmonicity"] = harmonicity(mag, f0, sample_rate, n_fft)
    out["f0_hz"] = f0
    out["voiced"] = voiced(out["harmonicity"], out["loudness_db"])
    return out
