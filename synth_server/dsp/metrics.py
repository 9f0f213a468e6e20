"""Phase-blind audio distances: the multi-resolution STFT distance used by the phase benchmark.

A magnitude-only comparison at several time/frequency resolutions, so that a reconstruction whose
phase differs from the reference's (every phase reconstruction does) is not penalised for the
phase itself, only for what the phase does to the magnitudes at other resolutions (smearing,
beating between overlapping frames, transients spread in time).

Source: the multi-resolution STFT loss of Yamamoto, Song & Kim 2020 ("Parallel WaveGAN", eq. 4-6:
spectral convergence + mean absolute log-magnitude difference, averaged over resolutions), after
the spectral-convergence / log-magnitude losses of Arik, Jun & Diamos 2018 ("Fast spectrogram
inversion using multi-head convolutional neural networks").
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

DEFAULT_FFT_SIZES = (512, 1024, 2048, 4096)
DEFAULT_EPS = 1e-5  # normalised-magnitude floor of the log term: -100 dB re a full-scale sine


def _normalised_magnitude(y: np.ndarray, n_fft: int, hop_length: int) -> np.ndarray:
    """|STFT| / (n_fft / 4): [n_bins, n_frames] float64, a full-scale sine peaks at 1.0."""
    import librosa

    spec = librosa.stft(np.asarray(y, dtype=np.float64), n_fft=n_fft, hop_length=hop_length,
                        window="hann", center=True, pad_mode="constant")
    return np.abs(spec) / (n_fft / 4.0)


def _match_length(reference: np.ndarray, estimate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Check both signals; zero-pad or truncate ``estimate`` to ``len(reference)``."""
    ref = np.asarray(reference, dtype=np.float64)
    est = np.asarray(estimate, dtype=np.float64)
    if ref.ndim != 1 or est.ndim != 1:
        raise ValueError("reference and estimate must be 1-D (mono) signals")
    if ref.size == 0:
        raise ValueError("reference is empty")
    if not (np.isfinite(ref).all() and np.isfinite(est).all()):
        raise ValueError("signals must be finite")
    if est.size < ref.size:
        est = np.concatenate([est, np.zeros(ref.size - est.size)])
    return ref, est[: ref.size]


def mrstft_terms(reference: np.ndarray, estimate: np.ndarray, sample_rate: int,
                 fft_sizes: Sequence[int] = DEFAULT_FFT_SIZES, eps: float = DEFAULT_EPS,
                 max_freq_hz: Optional[float] = None) -> dict[int, tuple[float, float]]:
    """Per-resolution spectral convergence and log-magnitude L1 distance.

    Args:
        reference: np.ndarray [shape=(n,)], float, the original signal at ``sample_rate``.
        estimate: np.ndarray [shape=(m,)], float, the reconstruction, sample-aligned with
            ``reference``; zero-padded or truncated to ``n`` samples (missing samples count as
            silence).
        sample_rate: Hz (> 0); only bins at or below ``max_freq_hz`` are compared.
        fft_sizes: STFT sizes in samples (Hann window of that length, hop = size / 4, centred
            frames); each must be >= 16.
        eps: floor of the normalised magnitude inside the log (1e-5 = -100 dB re full scale), so
            that silent bins of both signals compare equal instead of as log(0).
        max_freq_hz: highest frequency compared (default: Nyquist).
    Returns:
        ``{fft_size: (spectral_convergence, log_magnitude_l1)}``:
        spectral_convergence = ||S_ref - S_est||_F / ||S_ref||_F (dimensionless, 0 = identical,
        1 = as far as silence is), log_magnitude_l1 = mean |ln max(S_ref, eps) - ln max(S_est,
        eps)| over bins and frames (nepers; 0 = identical). S are normalised STFT magnitudes.
    Raises:
        ValueError: non-1-D, empty or non-finite signals, bad sizes or rates.
    """
    if sample_rate <= 0:
        raise ValueError("sample_rate must be > 0")
    if not fft_sizes or min(fft_sizes) < 16:
        raise ValueError("fft_sizes must be a non-empty list of sizes >= 16")
    if eps <= 0:
        raise ValueError("eps must be > 0")
    ref, est = _match_length(reference, estimate)
    out: dict[int, tuple[float, float]] = {}
    for n_fft in fft_sizes:
        n_fft = int(n_fft)
        s_ref = _normalised_magnitude(ref, n_fft, n_fft // 4)
        s_est = _normalised_magnitude(est, n_fft, n_fft // 4)
        if max_freq_hz is not None:
            keep = int(np.floor(max_freq_hz * n_fft / sample_rate)) + 1
            s_ref, s_est = s_ref[:keep], s_est[:keep]
        denom = np.linalg.norm(s_ref)
        sc = float(np.linalg.norm(s_ref - s_est) / denom) if denom > 0 else \
            (0.0 if np.linalg.norm(s_est) == 0 else float("inf"))
        log_l1 = float(np.mean(np.abs(np.log(np.maximum(s_ref, eps))
                                      - np.log(np.maximum(s_est, eps)))))
        out[n_fft] = (sc, log_l1)
    return out


def mrstft_distance(reference: np.ndarray, estimate: np.ndarray, sample_rate: int,
                    fft_sizes: Sequence[int] = DEFAULT_FFT_SIZES, eps: float = DEFAULT_EPS,
                    max_freq_hz: Optional[float] = None) -> float:
    """Multi-resolution STFT distance (lower is better; 0 for identical signals).

    ``mean over fft_sizes of (spectral_convergence + log_magnitude_l1)``, see :func:`mrstft_terms`
    for the arguments, units and length handling (Yamamoto et al. 2020, eq. 6, without the
    1/2 weighting; the default sizes 512-4096 span 10.7-85 ms at 48 kHz).

    Args:
        reference: np.ndarray [shape=(n,)], original signal.
        estimate: np.ndarray [shape=(m,)], reconstruction aligned with ``reference``.
        sample_rate: Hz.
    Returns:
        float, dimensionless.
    """
    terms = mrstft_terms(reference, estimate, sample_rate, fft_sizes, eps, max_freq_hz)
    return float(np.mean([sc + lm for sc, lm in terms.values()]))


def spectral_convergence(magnitude: np.ndarray, target: np.ndarray) -> float:
    """||magnitude - target||_F / ||target||_F over the common leading frames.

    Args:
        magnitude: np.ndarray [shape=(n_frames, n_bins)], e.g. the re-analysed reconstruction.
        target: np.ndarray [shape=(m_frames, n_bins)], the magnitudes that were inverted.
    Returns:
        float, dimensionless (0 = the reconstruction is a consistent STFT of exactly ``target``).
    """
    n = min(len(magnitude), len(target))
    a = np.asarray(magnitude[:n], dtype=np.float64)
    b = np.asarray(target[:n], dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))
