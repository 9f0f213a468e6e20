"""Spectral representations the VAE can learn: the STFT frame itself, mel bands, log-frequency bands.

Every representation is a non-negative filterbank ``B`` [n_features, n_bins] applied to the
*power* of a normalised STFT frame (see :mod:`synth_server.dsp.stft`); a band's value
is its root-sum-square magnitude ``band_m = sqrt(sum_k B[m, k] |X_k|^2)``, in the units of the
normalised magnitude (a full-scale sinusoid at a band's centre gives 1.0), and the model sees
``log(band + log_floor)`` exactly as it sees ``log(|X| + log_floor)`` for ``"stft"`` (where B is
the identity).

* ``"stft"``: identity (n_bins = n_fft / 2 + 1 values, 1025 at n_fft 2048).
* ``"mel"``: ``n_mels`` triangular filters with peak 1 on the Slaney mel scale from 0 Hz to
  Nyquist (``librosa.filters.mel(norm=None)``; Stevens, Volkmann & Newman 1937; Slaney 1998).
* ``"logfreq"``: triangular filters whose centres are spaced ``bands_per_octave`` per octave
  (constant Q) from the first STFT bin to Nyquist; where the log spacing is finer than the STFT
  bins (below ~800 Hz at 24 bands per octave and 23.4 Hz bins) centres collapse onto single
  bins and the band *is* the bin, as madmom's ``LogarithmicFilterbank(unique_filters=True)``
  (Boeck, Korzeniowski, Schlueter, Krebs & Widmer 2016). An STFT-based approximation of a
  constant-Q transform: a true CQT (Brown 1991) needs windows longer than one hop at low
  frequencies, which a one-frame-in, one-hop-out synthesizer cannot play.

Inverse (:func:`synthesis_matrix`): a fixed non-negative matrix ``S`` [n_features, n_bins] maps
band powers back to bin powers, ``|X_k|^2 = sum_m band_m^2 S[m, k]``: each band's power is spread
evenly over the bins it covers (``band^2 / sum_k B[m, k]``) and bins between two band centres
interpolate linearly between the two bands (the triangle weights, divided by their sum at the
bin). It preserves the total power of a frame and is the identity for ``"stft"`` and for
one-bin log-frequency bands. It cannot restore the fine structure inside a wide band (a partial
becomes a band of noise-like energy): :func:`round_trip_quality` measures how much that costs.
It is computed from the config at load time (never stored) and used by
:class:`~synth_server.model.runtime.NumpyDecoder`, so the live path always gets linear STFT
magnitudes.
"""
from __future__ import annotations

import functools
from typing import Any, Optional

import numpy as np

from synth_server.core.config import REPRESENTATIONS, StftConfig

LOGFREQ_REFERENCE_HZ = 440.0  # band centres are A4 * 2 ** (i / bands_per_octave)


def _check(stft: StftConfig) -> None:
    if stft.representation not in REPRESENTATIONS:
        raise ValueError(f"unknown representation {stft.representation!r} "
                         f"(expected one of {', '.join(REPRESENTATIONS)})")
    if stft.representation == "mel" and not 8 <= stft.n_mels <= stft.n_bins // 2:
        raise ValueError(f"n_mels must be in 8..{stft.n_bins // 2}")
    if stft.representation == "logfreq" and not 1 <= stft.bands_per_octave <= 96:
        raise ValueError("bands_per_octave must be in 1..96")
    if stft.representation == "hpn":
        if not 1 <= stft.n_harmonics <= 256:
            raise ValueError("n_harmonics must be in 1..256")
        if not 8 <= stft.n_noise_bands <= stft.n_bins // 2:
            raise ValueError(f"n_noise_bands must be in 8..{stft.n_bins // 2}")


def _triangles(centres: np.ndarray, n_bins: int) -> np.ndarray:
    """Peak-1 triangular filters [len(centres), n_bins] between neighbouring centre bins.

    The first filter has no left slope and the last no right slope, so the filters sum to 1 on
    every bin from the first centre to the last.
    """
    k = np.arange(n_bins, dtype=np.float64)
    bank = np.zeros((len(centres), n_bins))
    for m, c in enumerate(centres):
        weight = (k == c).astype(np.float64)
        if m > 0:
            left = centres[m - 1]
            weight = np.maximum(weight, np.clip((k - left) / (c - left), 0.0, 1.0) * (k <= c))
        if m < len(centres) - 1:
            right = centres[m + 1]
            weight = np.maximum(weight, np.clip((right - k) / (right - c), 0.0, 1.0) * (k >= c))
        bank[m] = weight
    return bank


def logfreq_centres(stft: StftConfig) -> np.ndarray:
    """STFT bin index of every log-frequency band centre: int64 [n_features], strictly increasing.

    Centres ``440 * 2 ** (i / bands_per_octave)`` Hz from the first bin (fs / n_fft Hz) to Nyquist,
    rounded to the nearest bin and made unique; the Nyquist bin is always the last centre.
    """
    bin_hz = stft.sample_rate / stft.n_fft
    nyquist = stft.sample_rate / 2.0
    bpo = stft.bands_per_octave
    lo = int(np.floor(bpo * np.log2(bin_hz / LOGFREQ_REFERENCE_HZ)))
    hi = int(np.ceil(bpo * np.log2(nyquist / LOGFREQ_REFERENCE_HZ)))
    freqs = LOGFREQ_REFERENCE_HZ * 2.0 ** (np.arange(lo, hi + 1) / bpo)
    bins = np.clip(np.round(freqs / bin_hz), 1, stft.n_bins - 1).astype(np.int64)
    return np.unique(np.concatenate([bins, [stft.n_bins - 1]]))


@functools.lru_cache(maxsize=16)
def _filterbank_cached(stft: StftConfig) -> np.ndarray:
    _check(stft)
    if stft.representation == "hpn":
        raise ValueError("the hpn representation has no filterbank: its features need the f0 "
                         "(synth_server.dsp.hpn.analyse)")
    if stft.representation == "stft":
        bank = np.eye(stft.n_bins)
    elif stft.representation == "mel":
        import librosa

        bank = librosa.filters.mel(sr=stft.sample_rate, n_fft=stft.n_fft, n_mels=stft.n_mels,
                                   fmin=0.0, fmax=stft.sample_rate / 2.0, htk=False, norm=None,
                                   dtype=np.float64)
    else:
        bank = _triangles(logfreq_centres(stft), stft.n_bins)
    bank.setflags(write=False)
    return bank


def filterbank(stft: StftConfig) -> np.ndarray:
    """The analysis filterbank B of ``stft.representation``.

    Returns:
        np.ndarray [n_features, n_bins] float64, non-negative, read-only (cached).
    Raises:
        ValueError: unknown representation or parameters out of range.
    Source: librosa.filters.mel (mel), madmom LogarithmicFilterbank (logfreq).
    """
    return _filterbank_cached(stft)


def n_features(stft: StftConfig) -> int:
    """Number of values per frame the model sees for this config (rows of :func:`filterbank`;
    ``n_harmonics + n_noise_bands`` for "hpn", see :mod:`synth_server.dsp.hpn`).

    Raises:
        ValueError: unknown representation or parameters out of range.
    """
    if stft.representation == "stft":
        return stft.n_bins
    if stft.representation == "hpn":
        _check(stft)
        return stft.n_harmonics + stft.n_noise_bands
    return int(filterbank(stft).shape[0])


@functools.lru_cache(maxsize=16)
def _synthesis_cached(stft: StftConfig) -> np.ndarray:
    bank = filterbank(stft)
    area = bank.sum(axis=1, keepdims=True)            # [n_features, 1]: bins per band
    coverage = bank.sum(axis=0, keepdims=True)        # [1, n_bins]: sum of weights per bin
    with np.errstate(divide="ignore", invalid="ignore"):
        matrix = np.where(coverage > 0, bank / np.maximum(area, 1e-12) / coverage, 0.0)
    matrix.setflags(write=False)
    return matrix


def band_synthesis(stft: StftConfig) -> Optional[np.ndarray]:
    """What :class:`~synth_server.model.runtime.NumpyDecoder` needs to turn decoded band
    magnitudes into STFT bins: :func:`synthesis_matrix` [n_features, n_bins] for "mel" and
    "logfreq", None for "stft" (the network outputs the bins themselves) and for "hpn" (its noise
    bands use :func:`synth_server.dsp.hpn.noise_synthesis`)."""
    return None if stft.representation in ("stft", "hpn") else synthesis_matrix(stft)


def synthesis_matrix(stft: StftConfig) -> np.ndarray:
    """Non-negative inverse S of the filterbank on powers: ``|X|^2 ~= band^2 @ S``.

    ``S[m, k] = B[m, k] / (sum_j B[m, j] * sum_n B[n, k])`` (0 on bins no band covers).

    Returns:
        np.ndarray [n_features, n_bins] float64, non-negative, read-only (cached); the identity
        for ``"stft"``.
    Raises:
        ValueError: unknown representation or parameters out of range.
    """
    return _synthesis_cached(stft)


def band_magnitude(magnitude: np.ndarray, stft: StftConfig) -> np.ndarray:
    """Root-sum-square band magnitudes of normalised STFT magnitude frames.

    Args:
        magnitude: np.ndarray [n_frames, n_bins], normalised linear STFT magnitude.
        stft: analysis config (representation and its parameters).
    Returns:
        np.ndarray [n_frames, n_features] float32 (the input itself, as float32, for "stft").
    """
    mag = np.asarray(magnitude, dtype=np.float32)
    if stft.representation == "stft":
        return mag
    power = mag.astype(np.float64) ** 2 @ filterbank(stft).T
    return np.sqrt(power).astype(np.float32)


def magnitude_from_bands(bands: np.ndarray, stft: StftConfig) -> np.ndarray:
    """Linear STFT magnitudes from band magnitudes (the inverse used at play time).

    Args:
        bands: np.ndarray [n_frames, n_features], non-negative band magnitudes.
        stft: config.
    Returns:
        np.ndarray [n_frames, n_bins] float32, ``sqrt(bands^2 @ S)``.
    """
    b = np.asarray(bands, dtype=np.float32)
    if stft.representation == "stft":
        return b
    return np.sqrt(b.astype(np.float64) ** 2 @ synthesis_matrix(stft)).astype(np.float32)


def log_features_from_log_magnitude(log_magnitude: np.ndarray, stft: StftConfig,
                                    chunk: int = 8192) -> np.ndarray:
    """Model input features from log-magnitude STFT frames (as ``datasets.frames.load_frames``).

    Args:
        log_magnitude: np.ndarray [n_frames, n_bins] float32, ``log(|X| + log_floor)``.
        stft: config.
        chunk: frames converted at a time (bounds the float64 temporary memory).
    Returns:
        np.ndarray [n_frames, n_features] float32, ``log(band + log_floor)``; the input
        unchanged for "stft".
    """
    if stft.representation == "stft":
        return np.asarray(log_magnitude, dtype=np.float32)
    from synth_server.dsp.stft import from_log, to_log

    out = np.empty((len(log_magnitude), n_features(stft)), dtype=np.float32)
    for i in range(0, len(log_magnitude), chunk):
        out[i:i + chunk] = to_log(band_magnitude(from_log(log_magnitude[i:i + chunk], stft),
                                                 stft), stft)
    return out


def round_trip_quality(y: np.ndarray, stft: StftConfig, n_iter: int = 32,
                       seed: int = 0) -> dict[str, Any]:
    """How much a representation's inverse loses, on one signal.

    The signal's normalised STFT magnitude goes through the representation and back
    (:func:`band_magnitude`, ``log``/``exp`` with the floor, :func:`magnitude_from_bands`), then
    to audio by Griffin-Lim (``n_iter`` iterations, librosa, random initial phase ``seed``).

    Args:
        y: np.ndarray [n], float, mono signal at ``stft.sample_rate``.
        stft: config (representation and its parameters).
        n_iter: Griffin-Lim iterations.
        seed: initial phase seed.
    Returns:
        ``{"representation", "n_features", "spectral_convergence", "mrstft"}``:
        spectral_convergence of the round-tripped linear magnitudes against the analysed ones
        (phase-free, 0 = lossless), and the multi-resolution STFT distance
        (:func:`~synth_server.dsp.metrics.mrstft_distance`) of the Griffin-Lim audio
        to ``y`` (includes Griffin-Lim's own phase error: compare with the "stft" row).
    """
    from synth_server.dsp.metrics import mrstft_distance, spectral_convergence
    from synth_server.dsp.stft import from_log, griffin_lim, stft_magnitude, to_log

    magnitude = stft_magnitude(y, stft)
    bands = from_log(to_log(band_magnitude(magnitude, stft), stft), stft)
    back = magnitude_from_bands(bands, stft)
    audio = griffin_lim(back, stft, n_iter=n_iter, seed=seed)
    return {
        "representation": stft.representation,
        "n_features": n_features(stft),
        "spectral_convergence": round(spectral_convergence(back, magnitude), 4),
        "mrstft": round(mrstft_distance(y, audio, stft.sample_rate), 4),
    }
