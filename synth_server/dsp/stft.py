"""Log-magnitude STFT analysis and offline inversion (librosa).

Magnitudes are *normalised*: divided by ``sum(window) / 2`` so that a full-scale sinusoid
(amplitude 1.0) peaks at 1.0 whatever ``n_fft`` is. The model works on
``log(magnitude + log_floor)``.
"""
from __future__ import annotations

import numpy as np

from synth_server.core.config import StftConfig
from synth_server.dsp.window import magnitude_scale


def stft_magnitude(y: np.ndarray, stft: StftConfig) -> np.ndarray:
    """Normalised STFT magnitude of a mono signal.

    Args:
        y: np.ndarray [shape=(n,)], float, samples at ``stft.sample_rate``.
        stft: STFT parameters.
    Returns:
        np.ndarray [shape=(n_frames, n_bins)], float32, normalised magnitude (full-scale sine = 1).
    Source: librosa.stft (centered frames, periodic Hann window).
    """
    import librosa

    spec = librosa.stft(
        np.asarray(y, dtype=np.float32), n_fft=stft.n_fft, hop_length=stft.hop_length,
        window="hann", center=True,
    )
    return (np.abs(spec).T / magnitude_scale(stft.n_fft)).astype(np.float32)


def to_log(magnitude: np.ndarray, stft: StftConfig) -> np.ndarray:
    """``log(magnitude + log_floor)``, same shape, float32."""
    return np.log(np.asarray(magnitude, dtype=np.float32) + np.float32(stft.log_floor))


def from_log(log_magnitude: np.ndarray, stft: StftConfig) -> np.ndarray:
    """Inverse of :func:`to_log`, clipped at 0. Same shape, float32."""
    return np.maximum(np.exp(log_magnitude) - np.float32(stft.log_floor), 0.0).astype(np.float32)


def griffin_lim(magnitude: np.ndarray, stft: StftConfig, n_iter: int = 32,
                seed: int = 0) -> np.ndarray:
    """Offline inverse of normalised magnitude frames by Griffin-Lim.

    Args:
        magnitude: np.ndarray [shape=(n_frames, n_bins)], normalised magnitude.
        stft: STFT parameters (must match the analysis).
        n_iter: Griffin-Lim iterations.
        seed: seed of the initial random phase.
    Returns:
        np.ndarray [shape=(n,)], float32 signal.
    Source: Griffin & Lim 1984 with Perraudin et al. 2013 momentum, as librosa.griffinlim.
    """
    import librosa

    spec = np.asarray(magnitude, dtype=np.float32).T * magnitude_scale(stft.n_fft)
    y = librosa.griffinlim(
        spec, n_iter=n_iter, hop_length=stft.hop_length, n_fft=stft.n_fft, window="hann",
        center=True, random_state=np.random.default_rng(seed),
    )
    return y.astype(np.float32)
