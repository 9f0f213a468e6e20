"""Reference descriptors of spectral frames, and of audio, with librosa's feature functions
(offline: fits, heatmaps, reports, tests). The live path uses
:func:`synth_server.dsp.features.describe_fast` and
:func:`~synth_server.dsp.features.describe_audio_fast`, numpy only, which match these (see
tests/test_descriptors.py, tests/test_descriptor_heard.py).
"""
from __future__ import annotations

import numpy as np

from synth_server.dsp.features import (FLATNESS_AMIN, HANN_MEAN_POWER, ROLL_PERCENT, _frames,
                                       harmonic_f0, harmonicity, summarise_frames, voiced)
from synth_server.dsp.window import magnitude_scale


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


def describe_audio(audio: np.ndarray, sample_rate: int, n_fft: int, hop_length: int,
                   chunk: int = 256) -> dict[str, np.ndarray]:
    """Descriptors of steady sounds from their audio: what a listener of the sound hears.

    Each sound is analysed by ``librosa.stft(center=False)`` (periodic Hann, ``n_fft``,
    ``hop_length``; magnitudes normalised so a full-scale sinusoid peaks at 1), every frame is
    described by :func:`describe`, and each descriptor is the median over the sound's frames
    (f0_hz over its voiced frames; ``voiced`` from the median harmonicity and loudness:
    :func:`synth_server.dsp.features.summarise_frames`).

    Args:
        audio: [batch, n_samples] (or [n_samples]) float samples, full scale 1.0,
            n_samples >= n_fft.
        sample_rate: Hz. n_fft, hop_length: the analysis, samples (the model's).
        chunk: sounds analysed at once (memory).
    Returns:
        name → [batch] float64 (``voiced``: bool). Units: :data:`synth_server.dsp.features.UNITS`.
    """
    import librosa

    y = np.asarray(audio, dtype=np.float32)
    y = y[None, :] if y.ndim == 1 else y
    parts = []
    for start in range(0, len(y), chunk):
        part = y[start:start + chunk]
        spec = np.abs(librosa.stft(part, n_fft=n_fft, hop_length=hop_length, window="hann",
                                   center=False)) / magnitude_scale(n_fft)  # [b, bins, frames]
        frames = np.moveaxis(spec, 1, 2).reshape(-1, spec.shape[1])
        parts.append(summarise_frames(describe(frames, sample_rate, n_fft), len(part)))
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
