"""Streaming inverse STFT: magnitude frames in, hops of audio out, in real time.

Phase is built frame by frame without look-ahead, by peak-locked phase propagation:

1. spectral peaks are found on the magnitude frame (local maxima above -70 dB re the frame peak);
   each peak's frequency is refined by quadratic interpolation of the log-magnitude
   (Smith & Serra 1987, "PARSHL");
2. every bin keeps a running phase that advances each hop by ``2 pi hop f / sample_rate``, where f
   is the frequency of the peak that owns the bin (the nearest peak within the Hann main lobe,
   +-2 bins), or the bin's own centre frequency when no peak owns it (phase-vocoder propagation of
   the instantaneous frequency, Flanagan & Golden 1966). A partial that glides into a neighbouring
   bin so finds that bin's phase already advanced at the partial's frequency;
3. bins in a main lobe take their peak's running phase plus the phase relation of a stationary
   sinusoid (identity phase locking, Laroche & Dolson 1999): for a periodic Hann window starting
   at the frame start, neighbouring bins differ by pi;
4. bins outside every main lobe (noise) get a random phase (xorshift64*, Marsaglia 2003, seeded);
5. frames are windowed again (Hann) and overlap-added; the sum of squared windows is divided out.

Steps 1-4 are one compiled loop (numba, already a dependency of librosa); the cosine/sine and the
inverse FFT (scipy.fft) are vectorised numpy over a batch of frames; step 5 is
:func:`overlap_add_hop`, compiled, allocation-free and GIL-free, the same function the audio
callback's kernel calls once per hop. A batch
of frames gives exactly the samples the same frames give one at a time, so ``serve`` (one frame
per hop) and ``render`` / the benchmark (hundreds of frames per call) play the same sound.
Issue 3 compares it with RTPGHI (Prusa & Holighaus 2017) and Griffin-Lim: see docs/latency.md.
"""
from __future__ import annotations

import numba
import numpy as np
import scipy.fft

from synth_server.dsp.window import magnitude_scale

MAIN_LOBE_BINS = 2
PEAK_THRESHOLD_DB = -70.0
TWO_PI = 2.0 * np.pi
INV_TWO_PI = 1.0 / TWO_PI


@numba.njit(cache=True, nogil=True)
def _peak_locked_phase(log_mag, running, running_freq, rng_state, phase_out, advance,
                       log_threshold, main_lobe):  # pragma: no cover - compiled
    """Steps 1-4 for ``n`` frames (allocates its scratch; see :func:`peak_locked_phase_into`)."""
    n_bins = log_mag.shape[1]
    peak_locked_phase_into(log_mag, running, running_freq, rng_state, phase_out, advance,
                           log_threshold, main_lobe, np.empty(n_bins, np.int64),
                           np.empty(n_bins, np.float64), np.empty(n_bins, np.float64),
                           np.empty(n_bins, np.int64))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def peak_locked_phase_into(log_mag, running, running_freq, rng_state, phase_out, advance,
                           log_threshold, main_lobe, peak_bin, peak_freq, peak_phase,
                           owner):  # pragma: no cover - compiled
    """Steps 1-4 for ``n`` frames.

    Args:
        log_mag: [n, K] float32, log of the magnitude (finite).
        running: [K] float64, phase of each bin in the previous frame (state, updated).
        running_freq: [K] float64, instantaneous frequency (bins) each bin had in the previous
            frame (state, updated).
        rng_state: [1] uint64, xorshift64* state of the noise phases (updated).
        phase_out: [n, K] float32, receives the phases (radians, not wrapped).
        advance: phase advance per hop per bin of frequency (2 pi hop / n_fft).
        log_threshold: peaks lower than the frame maximum by more than this (natural log) are
            ignored.
        main_lobe: bins on each side of a peak locked to it.
        peak_bin, owner: [K] int64 scratch; peak_freq, peak_phase: [K] float64 scratch (so the
            audio callback's kernel allocates nothing).
    """
    n_frames, n_bins = log_mag.shape
    state = rng_state[0]
    for t in range(n_frames):
        lm = log_mag[t]
        top = lm[0]
        for k in range(1, n_bins):
            if lm[k] > top:
                top = lm[k]
        limit = top + log_threshold
        n_peaks = 0
        if top > -20.7:  # frame peak above 1e-9: otherwise all noise phases
            for p in range(1, n_bins - 1):
                b = lm[p]
                a = lm[p - 1]
                c = lm[p + 1]
                is_peak = (b > limit) & (b > a) & (b >= c)
                peak_bin[n_peaks] = p
                n_peaks += is_peak
            for i in range(n_peaks):
                p = peak_bin[i]
                a = lm[p - 1]
                b = lm[p]
                c = lm[p + 1]
                denom = a - 2.0 * b + c
                delta = 0.0
                if denom < -1e-12:
                    delta = min(max(0.5 * (a - c) / denom, -0.5), 0.5)
                f = p + delta
                peak_freq[i] = f
                # trapezoidal time integration of the instantaneous frequency (as in PGHI)
                v = running[p] + advance * 0.5 * (f + running_freq[p])
                peak_phase[i] = v - TWO_PI * np.floor(v * INV_TWO_PI)
        for k in range(n_bins):
            owner[k] = -1
        for i in range(n_peaks):
            p = peak_bin[i]
            lo = max(p - main_lobe, 0)
            hi = min(p + main_lobe, n_bins - 1)
            if i > 0:
                lo = max(lo, (peak_bin[i - 1] + p) // 2 + 1)
            if i + 1 < n_peaks:
                hi = min(hi, (p + peak_bin[i + 1]) // 2)
            for k in range(lo, hi + 1):
                owner[k] = i
        for k in range(n_bins):
            i = owner[k]
            if i >= 0:  # locked to its peak; the next frame continues from this phase
                v = peak_phase[i] + np.pi * (k - peak_bin[i])
                running_freq[k] = peak_freq[i]
            else:
                state ^= state >> np.uint64(12)
                state ^= state << np.uint64(25)
                state ^= state >> np.uint64(27)
                r = (state * np.uint64(0x2545F4914F6CDD1D)) >> np.uint64(40)
                v = TWO_PI * (r * (1.0 / 16777216.0))
                running_freq[k] = k
            phase_out[t, k] = v
            running[k] = v - TWO_PI * np.floor(v * INV_TWO_PI)
    rng_state[0] = state


@numba.njit(cache=True, nogil=True, error_model="numpy")
def overlap_add_hop(frame, window, tail, out, accumulate):  # pragma: no cover - compiled
    """One hop of weighted overlap-add (Allen & Rabiner 1977), in place, allocation-free and
    GIL-free (the audio callback's kernel calls it once per hop; the streaming inverse once
    per frame).

    Args:
        frame: [n_fft] float32, the new inverse-FFT frame.
        window: [n_fft] float32, synthesis window (with the inverse-STFT gain).
        tail: [n_fft] float32, the overlap not yet output; frame * window is added to it, its
            first ``hop`` samples go out and it moves ``hop`` samples on (the last ``hop``
            become 0).
        out: [hop] float32, receives the finished samples (hop = len(out)).
        accumulate: add into ``out`` (True: a second signal on the same hop, e.g. the hpn
            noise over the harmonics) or overwrite it (False).
    """
    n_fft = tail.shape[0]
    hop = out.shape[0]
    for i in range(n_fft):
        tail[i] += frame[i] * window[i]
    if accumulate:
        for i in range(hop):
            out[i] += tail[i]
    else:
        for i in range(hop):
            out[i] = tail[i]
    for i in range(n_fft - hop):
        tail[i] = tail[i + hop]
    for i in range(n_fft - hop, n_fft):
        tail[i] = 0.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _window_overlap_add(frames, window, tail, out):  # pragma: no cover - compiled
    """Step 5: ``out`` [n * hop] = windowed ``frames`` [n, n_fft] overlap-added, frame by frame
    with :func:`overlap_add_hop` (the kernel's own); ``tail`` [n_fft] holds the overlap carried
    between calls."""
    n_frames = frames.shape[0]
    hop = out.shape[0] // n_frames
    for j in range(n_frames):
        overlap_add_hop(frames[j], window, tail, out[j * hop:(j + 1) * hop], False)


class StreamingInverse:
    """Magnitude frames → audio, hop by hop or many frames at once, keeping phase and overlap state.

    Args:
        n_fft: FFT size in samples.
        hop_length: samples output per frame; ``n_fft / hop_length`` must be an integer >= 4.
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
        self._overlap = n_fft // hop_length
        self._rng = np.random.default_rng(seed)
        self._advance = TWO_PI * hop_length / n_fft  # phase advance per hop per bin of frequency
        self._running = self._rng.uniform(0.0, TWO_PI, self.n_bins)
        self._running_freq = np.arange(self.n_bins, dtype=np.float64)
        window = np.hanning(n_fft + 1)[:-1]  # periodic Hann
        ola_gain = np.sum(window * window) / hop_length  # sum of squared windows per sample
        self._synthesis = (window * magnitude_scale(n_fft) / ola_gain).astype(np.float32)
        self._tail = np.zeros(n_fft, dtype=np.float32)  # overlap not yet output
        self._log_threshold = PEAK_THRESHOLD_DB / 20.0 * np.log(10.0)
        self._noise_state = self._rng.integers(1, 2**63, size=1, dtype=np.uint64)

    def kernel_state(self) -> dict[str, np.ndarray | float]:
        """Copies of the state and constants the audio callback's kernel needs to continue
        exactly where this object stands: ``running``, ``running_freq`` [n_bins] float64,
        ``rng`` [1] uint64, ``tail`` [n_fft] float32, ``window`` [n_fft] float32 (synthesis
        window with the inverse-STFT gain), ``advance``, ``log_threshold`` (floats)."""
        return {"running": self._running.copy(), "running_freq": self._running_freq.copy(),
                "rng": self._noise_state.copy(), "tail": self._tail.copy(),
                "window": self._synthesis.copy(), "advance": float(self._advance),
                "log_threshold": float(self._log_threshold)}

    def reset(self) -> None:
        """Forget phase and overlap state (the next frame starts from silence)."""
        self._tail[:] = 0.0
        self._running = self._rng.uniform(0.0, TWO_PI, self.n_bins)
        self._running_freq = np.arange(self.n_bins, dtype=np.float64)

    def phases(self, magnitude: np.ndarray) -> np.ndarray:
        """Synthesis phases of the next frames (and advance the running phase).

        Args:
            magnitude: np.ndarray [shape=(n_frames, n_bins)], float32, finite, >= 0.
        Returns:
            np.ndarray [shape=(n_frames, n_bins)], float32 phase in radians (not wrapped).
        """
        phase = np.empty(magnitude.shape, dtype=np.float32)
        log_mag = np.add(magnitude, np.float32(1e-12))
        np.log(log_mag, out=log_mag)
        _peak_locked_phase(log_mag, self._running, self._running_freq, self._noise_state, phase,
                           self._advance, self._log_threshold, MAIN_LOBE_BINS)
        return phase

    def process_frames(self, magnitude: np.ndarray, checked: bool = False) -> np.ndarray:
        """Turn ``n_frames`` magnitude frames into ``n_frames * hop_length`` new samples.

        Args:
            magnitude: np.ndarray [shape=(n_frames, n_bins)], normalised magnitude (full-scale
                sine = 1). Non-finite and negative values are treated as 0.
            checked: the caller guarantees a C-contiguous float32 array, finite and >= 0
                (skips the clean-up copy; the renderer's decoder output is).
        Returns:
            np.ndarray [shape=(n_frames * hop_length,)], float32 samples (a new array).
        Raises:
            ValueError: wrong number of bins.
        """
        if checked:
            mag = magnitude
        else:
            mag = np.array(magnitude, dtype=np.float32, ndmin=2, copy=True)
            np.nan_to_num(mag, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
            np.maximum(mag, 0.0, out=mag)
        if mag.ndim != 2 or mag.shape[1] != self.n_bins:
            raise ValueError(f"expected [n_frames, {self.n_bins}] magnitudes, got {mag.shape}")
        n, hop = mag.shape[0], self.hop_length
        phase = self.phases(mag)
        spectrum = np.empty(mag.shape, dtype=np.complex64)
        spectrum.real = mag * np.cos(phase)
        spectrum.imag = mag * np.sin(phase)
        frames = scipy.fft.irfft(spectrum, n=self.n_fft, axis=1, workers=1)
        out = np.empty(n * hop, dtype=np.float32)  # frame j covers [j*hop, j*hop + n_fft)
        _window_overlap_add(frames, self._synthesis, self._tail, out)
        return out

    def process(self, magnitude: np.ndarray) -> np.ndarray:
        """Turn one magnitude frame into ``hop_length`` new output samples.

        Args:
            magnitude: np.ndarray [shape=(n_bins,)], normalised magnitude (full-scale sine = 1).
                Non-finite values are treated as 0.
        Returns:
            np.ndarray [shape=(hop_length,)], float32 samples (a new array).
        """
        return self.process_frames(np.asarray(magnitude)[None, :])

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
    padded = np.concatenate([np.asarray(magnitude, dtype=np.float32),
                             np.zeros((n_fft // hop_length, inv.n_bins), dtype=np.float32)])
    y = inv.process_frames(padded)
    start = n_fft // 2
    return y[start: start + magnitude.shape[0] * hop_length].astype(np.float32)
