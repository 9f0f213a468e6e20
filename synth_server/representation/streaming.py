"""Streaming inverse STFT: one magnitude frame in, one hop of audio out, in real time.

Phase is built frame by frame without look-ahead, by peak-locked phase propagation:

1. spectral peaks are found on the magnitude frame (local maxima above -70 dB re the frame peak);
   each peak's frequency is refined by quadratic interpolation of the log-magnitude
   (Smith & Serra 1987, "PARSHL");
2. the phase of each peak bin advances by ``2 pi hop f / sample_rate`` from the previous frame
   (phase-vocoder propagation of the instantaneous frequency, Flanagan & Golden 1966);
3. bins within the Hann main lobe (+-2 bins) of a peak are locked to it with the phase relation of a
   stationary sinusoid (identity phase locking, Laroche & Dolson 1999): for a periodic Hann window
   starting at the frame start, neighbouring bins differ by pi;
4. bins outside every main lobe (noise) get a random phase;
5. frames are windowed again (Hann) and overlap-added; the sum of squared windows is divided out.

This is the real-time cousin of phase-gradient heap integration (PGHI, Prusa et al. 2017), which
issue 3 compares against Griffin-Lim. Cost: a few rFFT-sized numpy operations per hop.
"""
from __future__ import annotations

import numpy as np

from synth_server.representation.stft import magnitude_scale

MAIN_LOBE_BINS = 2
PEAK_THRESHOLD_DB = -70.0


class StreamingInverse:
    """Magnitude frames → audio, one hop at a time, keeping phase and overlap state.

    Args:
        n_fft: FFT size in samples.
        hop_length: samples output per frame; ``n_fft`` must be a multiple of ``4 * hop_length``
            fraction-free overlap (n_fft / hop_length >= 4).
        seed: seed of the random phases (initial and noise bins).
    Raises:
        ValueError: if ``n_fft / hop_length`` is not an integer >= 4.
    """

    def __init__(self, n_fft: int, hop_length: int, seed: int = 0):
        if n_fft % hop_length or n_fft // hop_length < 4:
            raise ValueError("n_fft must be an integer multiple (>= 4) of hop_length")
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_bins = n_fft // 2 + 1
        self._rng = np.random.default_rng(seed)
        self._bins = np.arange(self.n_bins, dtype=np.float64)
        self._advance = 2.0 * np.pi * hop_length / n_fft  # phase advance per bin of frequency
        self._parity = np.pi * self._bins  # pi * k: phase relation inside a Hann main lobe
        self._phase = self._rng.uniform(-np.pi, np.pi, self.n_bins)
        window = np.hanning(n_fft + 1)[:-1]  # periodic Hann
        ola_gain = np.sum(window * window) / hop_length  # sum of squared windows per sample
        self._synthesis = (window * magnitude_scale(n_fft) / ola_gain).astype(np.float64)
        self._ola = np.zeros(n_fft + hop_length, dtype=np.float64)
        self._threshold = 10.0 ** (PEAK_THRESHOLD_DB / 20.0)

    def reset(self) -> None:
        """Forget phase and overlap state (the next frame starts from silence)."""
        self._ola[:] = 0.0
        self._phase = self._rng.uniform(-np.pi, np.pi, self.n_bins)

    def phase_for(self, magnitude: np.ndarray) -> np.ndarray:
        """Compute (and keep) the synthesis phase of the next frame.

        Args:
            magnitude: np.ndarray [shape=(n_bins,)], normalised magnitude (>= 0).
        Returns:
            np.ndarray [shape=(n_bins,)], float64 phase in radians.
        """
        mag = magnitude
        peak_level = mag.max()
        random_phase = self._rng.uniform(-np.pi, np.pi, self.n_bins)
        if not np.isfinite(peak_level) or peak_level <= 1e-9:
            self._phase = random_phase
            return self._phase
        inner = mag[1:-1]
        is_peak = (inner > mag[:-2]) & (inner >= mag[2:]) & (inner > peak_level * self._threshold)
        peaks = np.flatnonzero(is_peak) + 1
        if peaks.size == 0:
            self._phase = random_phase
            return self._phase
        log_mag = np.log(mag + 1e-12)
        a, b, c = log_mag[peaks - 1], log_mag[peaks], log_mag[peaks + 1]
        denom = a - 2.0 * b + c
        safe = np.where(np.abs(denom) > 1e-12, denom, -1.0)
        delta = np.clip(np.where(np.abs(denom) > 1e-12, 0.5 * (a - c) / safe, 0.0), -0.5, 0.5)
        peak_phase = self._phase[peaks] + self._advance * (peaks + delta)
        # each bin belongs to its nearest peak
        owner = np.searchsorted((peaks[:-1] + peaks[1:]) * 0.5, self._bins)
        owner_bin = peaks[owner]
        locked = peak_phase[owner] + self._parity - np.pi * owner_bin
        near = np.abs(self._bins - owner_bin) <= MAIN_LOBE_BINS
        phase = np.where(near, locked, random_phase)
        self._phase = np.mod(phase + np.pi, 2.0 * np.pi) - np.pi
        return self._phase

    def process(self, magnitude: np.ndarray) -> np.ndarray:
        """Turn one magnitude frame into ``hop_length`` new output samples.

        Args:
            magnitude: np.ndarray [shape=(n_bins,)], normalised magnitude (full-scale sine = 1).
                Non-finite values are treated as 0.
        Returns:
            np.ndarray [shape=(hop_length,)], float64 samples (a copy).
        """
        mag = np.nan_to_num(np.asarray(magnitude, dtype=np.float64), nan=0.0, posinf=0.0,
                            neginf=0.0)
        np.maximum(mag, 0.0, out=mag)
        phase = self.phase_for(mag)
        frame = np.fft.irfft(mag * np.exp(1j * phase), n=self.n_fft)
        hop = self.hop_length
        self._ola[: self.n_fft] += frame * self._synthesis
        out = self._ola[:hop].copy()
        self._ola[:-hop] = self._ola[hop:]
        self._ola[-hop:] = 0.0
        return out

    @property
    def latency_samples(self) -> int:
        """Samples between a frame's arrival and its window centre reaching the output."""
        return self.n_fft // 2


def stream_inverse(magnitude: np.ndarray, n_fft: int, hop_length: int, seed: int = 0) -> np.ndarray:
    """Run :class:`StreamingInverse` over all frames and align with ``librosa.stft(center=True)``.

    Args:
        magnitude: np.ndarray [shape=(n_frames, n_bins)], normalised magnitude.
    Returns:
        np.ndarray [shape=(n_frames * hop_length,)], float32 signal; sample i corresponds to
        sample i of the analysed signal (the ``n_fft // 2`` centring delay is removed).
    """
    inv = StreamingInverse(n_fft, hop_length, seed)
    frames = [inv.process(m) for m in magnitude]
    frames += [inv.process(np.zeros(inv.n_bins)) for _ in range(n_fft // hop_length)]
    y = np.concatenate(frames)
    start = n_fft // 2
    return y[start: start + magnitude.shape[0] * hop_length].astype(np.float32)
