"""Analysis-window constants shared by the offline STFT and the live inverse (no librosa)."""
from __future__ import annotations


def magnitude_scale(n_fft: int) -> float:
    """Factor between librosa's STFT magnitude and the normalised magnitude (periodic Hann window).

    ``sum(hann(n_fft)) / 2 == n_fft / 4``.
    """
    return n_fft / 4.0
