"""Real-time phase-gradient heap integration (RTPGHI): magnitude frames in, hops of audio out.

Method: Průša & Holighaus 2017, "Phase vocoder done right" / Průša & Søndergaard 2016, "Real-time
spectrogram inversion using phase gradient heap integration", on the phase-gradient relations of
Průša, Balazs & Søndergaard 2017, "A noniterative method for reconstruction of phase from STFT
magnitude" (IEEE/ACM TASLP 25(5)). Written from the equations below, not from any existing code.

Phase convention and gradients. For a Gaussian window ``g(t) = exp(-pi t^2 / lam)`` the STFT phase
``phi`` and log-magnitude ``s`` are linked (the STFT is, up to a factor, an analytic function of
``x - i lam w``). With the phase referenced to the window centre ``x`` (time in samples,
frequency ``w`` in cycles/sample)::

    d phi / dx = 2 pi w + (1 / lam) d s / dw        (instantaneous frequency, rad/sample)
    d phi / dw = -lam d s / dx                        (-2 pi x energy's offset from the centre)

A periodic Hann window of length N behaves like the Gaussian with ``lam = 0.25645 N^2``. On the
discrete grid (hop a, bin spacing 1/N cycles/sample) with centred differences in frequency::

    advance(n, m) = a * (2 pi m / N + (s[n, m+1] - s[n, m-1]) / (2 * 0.25645 N))  rad per hop
    step(n, m)    = -0.25645 N * a^-1 * (s[n, m] - s[n-1, m])                     rad per bin

``step`` uses a backward difference in time (no look-ahead, ``delay=0``) or the centred
``(s[n+1] - s[n-1]) / 2`` (``delay=1``: one extra hop of latency). It is clipped to [-pi, pi]
(an impulse can sit at most N/2 samples from the window centre).

Heap integration, per frame n: bins below ``tol`` times the frame's peak get a random phase and
take no part. A max-heap (keyed by log-magnitude) starts with the previous frame's significant
bins (implemented as those bins sorted once, by a counting sort in 0.14 dB steps, and merged with
a heap of current-frame bins). Pop the largest: a previous-frame bin m hands its phase forward in time,
``phi[n, m] = phi[n-1, m] + (advance[n-1, m] + advance[n, m]) / 2``; a current-frame bin m
hands it to its neighbours m +- 1, ``phi[n, m+-1] = phi[n, m] +- (step[n, m] + step[n, m+-1]) / 2``.
Each bin takes the first phase it is handed and is then pushed. If the heap empties while
significant bins are left (an onset after silence), the largest of them is integrated in time
from its own previous (random) phase and the loop goes on. The heap loop is compiled with numba
(already a dependency of librosa); gradients, FFTs and overlap-add are vectorised numpy/scipy.

Synthesis is the same as :class:`synth_server.dsp.streaming.StreamingInverse`: the
window-centre phase becomes the frame-start phase ``phi - pi m`` (periodic Hann, frame starting
at its first sample), ``irfft``, Hann synthesis window scaled by ``magnitude_scale(n_fft) / (sum
of squared windows per sample)``, overlap-add, so that the normalised STFT magnitude of a signal
(:func:`synth_server.dsp.stft.stft_magnitude`) comes back at the same level.
"""
from __future__ import annotations

import numba
import numpy as np
import scipy.fft

from synth_server.dsp.window import magnitude_scale

GAMMA_HANN = 0.25645  # lam = GAMMA_HANN * n_fft**2: Gaussian equivalent of a Hann window
DEFAULT_TOL = 1e-5  # bins below tol * frame peak (-100 dB) get a random phase
TWO_PI = 2.0 * np.pi
_ABS_FLOOR = 1e-12  # log-magnitude floor for all-silent frames
_BUCKETS_PER_NEPER = 64.0  # resolution of the previous-frame sort
_N_BUCKETS = 2048  # 32 nepers (278 dB) of range; anything lower shares the last bucket


@numba.njit(cache=True, nogil=True)
def _heap_push(keys, items, size, key, item):  # pragma: no cover - compiled
    """Push onto the max-heap stored in ``keys``/``items``[:size]; returns the new size."""
    i = size
    keys[i] = key
    items[i] = item
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] >= keys[i]:
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        items[parent], items[i] = items[i], items[parent]
        i = parent
    return size + 1


@numba.njit(cache=True, nogil=True)
def _heap_pop(keys, items, size):  # pragma: no cover - compiled
    """Pop the largest item of the max-heap; returns (item, new size)."""
    top = items[0]
    size -= 1
    keys[0] = keys[size]
    items[0] = items[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and keys[left + 1] > keys[left]:
            child = left + 1
        if keys[i] >= keys[child]:
            break
        keys[child], keys[i] = keys[i], keys[child]
        items[child], items[i] = items[i], items[child]
        i = child
    return top, size


@numba.njit(cache=True, nogil=True)
def _sort_descending(values, mask, order, bucket, counts):  # pragma: no cover - compiled
    """Indices m with ``mask[m]`` into ``order``, loudest ``values`` first; returns their count.

    Counting sort on ``(max - value)`` in steps of 1 / _BUCKETS_PER_NEPER (0.14 dB; equal
    values within a step keep their bin order), O(n_bins) instead of O(n_bins log n_bins).
    """
    top = -np.inf
    for m in range(values.shape[0]):
        if mask[m] and values[m] > top:
            top = values[m]
    counts[:] = 0
    n = 0
    for m in range(values.shape[0]):
        if mask[m]:
            k = min(int((top - values[m]) * _BUCKETS_PER_NEPER), _N_BUCKETS - 1)
            bucket[m] = k
            counts[k + 1] += 1
            n += 1
    for k in range(_N_BUCKETS):
        counts[k + 1] += counts[k]
    for m in range(values.shape[0]):
        if mask[m]:
            order[counts[bucket[m]]] = m
            counts[bucket[m]] += 1
    return n


@numba.njit(cache=True, nogil=True)
def _integrate(log_mag, advance, step, significant, random_phase, prev_log, prev_advance,
               prev_phase, prev_significant, phase_out):  # pragma: no cover - compiled
    """Heap integration over frames ``[n, K]``; ``prev_*`` [K] hold the previous frame (updated).

    Writes the window-centre phase of every frame into ``phase_out`` [n, K] (float64). The
    previous frame's bins never change once the frame starts, so instead of pushing them onto the
    heap they are sorted once and merged with it (same pop order, half the heap traffic).
    """
    n_frames, n_bins = log_mag.shape
    keys = np.empty(n_bins + 1, np.float64)
    items = np.empty(n_bins + 1, np.int64)
    done = np.empty(n_bins, np.bool_)
    order = np.empty(n_bins, np.int64)
    bucket = np.empty(n_bins, np.int64)
    counts = np.empty(_N_BUCKETS + 1, np.int64)
    for t in range(n_frames):
        s = log_mag[t]
        adv = advance[t]
        stp = step[t]
        phase = phase_out[t]
        remaining = 0
        for m in range(n_bins):
            if significant[t, m]:
                done[m] = False
                remaining += 1
            else:
                done[m] = True
                phase[m] = random_phase[t, m]
        n_prev = _sort_descending(prev_log, prev_significant, order, bucket, counts)
        next_prev = 0
        size = 0
        while remaining > 0:
            take_prev = next_prev < n_prev and (size == 0 or prev_log[order[next_prev]] >= keys[0])
            if take_prev:  # previous frame: forward in time
                m = order[next_prev]
                next_prev += 1
                if not done[m]:
                    phase[m] = prev_phase[m] + 0.5 * (prev_advance[m] + adv[m])
                    done[m] = True
                    remaining -= 1
                    size = _heap_push(keys, items, size, s[m], m)
            elif size > 0:  # current frame: across frequency
                m, size = _heap_pop(keys, items, size)
                if m + 1 < n_bins and not done[m + 1]:
                    phase[m + 1] = phase[m] + 0.5 * (stp[m] + stp[m + 1])
                    done[m + 1] = True
                    remaining -= 1
                    size = _heap_push(keys, items, size, s[m + 1], m + 1)
                if m >= 1 and not done[m - 1]:
                    phase[m - 1] = phase[m] - 0.5 * (stp[m] + stp[m - 1])
                    done[m - 1] = True
                    remaining -= 1
                    size = _heap_push(keys, items, size, s[m - 1], m - 1)
            else:  # nothing left to propagate from: start at the loudest undone bin
                best = -1
                for m in range(n_bins):
                    if not done[m] and (best < 0 or s[m] > s[best]):
                        best = m
                phase[best] = prev_phase[best] + 0.5 * (prev_advance[best] + adv[best])
                done[best] = True
                remaining -= 1
                size = _heap_push(keys, items, size, s[best], best)
        for m in range(n_bins):
            p = phase[m] % (2.0 * np.pi)
            phase[m] = p
            prev_phase[m] = p
            prev_log[m] = s[m]
            prev_advance[m] = adv[m]
            prev_significant[m] = significant[t, m]


class OverlapAdd:
    """Complex frames → audio by inverse rFFT, Hann synthesis window and overlap-add.

    Matches the synthesis of :class:`~synth_server.dsp.streaming.StreamingInverse`:
    a frame's samples start at its first sample (frame-start phase convention), the window is a
    periodic Hann scaled by ``magnitude_scale(n_fft) / (sum of squared windows per sample)``, so
    normalised magnitudes (full-scale sine = 1) come back at their analysis level.

    Args:
        n_fft: FFT size in samples.
        hop_length: samples per frame; ``n_fft / hop_length`` must be an integer >= 4.
    Raises:
        ValueError: bad overlap.
    """

    def __init__(self, n_fft: int, hop_length: int):
        if hop_length < 1 or n_fft % hop_length or n_fft // hop_length < 4:
            raise ValueError("n_fft must be an integer multiple (>= 4) of hop_length")
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_bins = n_fft // 2 + 1
        self._overlap = n_fft // hop_length
        window = np.hanning(n_fft + 1)[:-1]
        ola_gain = np.sum(window * window) / hop_length
        self._synthesis = (window * magnitude_scale(n_fft) / ola_gain).astype(np.float32)
        self._tail = np.zeros(n_fft, dtype=np.float32)

    def reset(self) -> None:
        """Drop the pending overlap."""
        self._tail[:] = 0.0

    def __call__(self, magnitude: np.ndarray, phase: np.ndarray) -> np.ndarray:
        """Overlap-add frames ``magnitude * exp(i phase)``.

        Args:
            magnitude: np.ndarray [shape=(n_frames, n_bins)], normalised magnitude.
            phase: np.ndarray [shape=(n_frames, n_bins)], frame-start phase (radians).
        Returns:
            np.ndarray [shape=(n_frames * hop_length,)], float32, the next samples.
        """
        n, hop = magnitude.shape[0], self.hop_length
        spectrum = np.empty(magnitude.shape, dtype=np.complex64)
        spectrum.real = magnitude * np.cos(phase)
        spectrum.imag = magnitude * np.sin(phase)
        frames = scipy.fft.irfft(spectrum, n=self.n_fft, axis=1, workers=1)
        frames *= self._synthesis
        acc = np.zeros((n + self._overlap) * hop, dtype=np.float32)
        acc[: self.n_fft] += self._tail
        for r in range(self._overlap):
            acc[r * hop: r * hop + n * hop] += frames[:, r * hop:(r + 1) * hop].reshape(-1)
        self._tail[:] = acc[n * hop: n * hop + self.n_fft]
        return acc[: n * hop]


def _clean(magnitude: np.ndarray, n_bins: int) -> np.ndarray:
    """[n, n_bins] float64 copy with non-finite and negative values set to 0."""
    mag = np.array(magnitude, dtype=np.float64, ndmin=2, copy=True)
    if mag.ndim != 2 or mag.shape[1] != n_bins:
        raise ValueError(f"expected frames of {n_bins} bins, got shape {np.shape(magnitude)}")
    np.nan_to_num(mag, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    np.maximum(mag, 0.0, out=mag)
    return mag


class RtpghiInverse:
    """Real-time PGHI: magnitude frames → audio, hop by hop or many frames per call.

    Args:
        n_fft: FFT size in samples (periodic Hann analysis window of this length).
        hop_length: samples output per frame; ``n_fft / hop_length`` must be an integer >= 4.
        tol: relative magnitude threshold: bins below ``tol * frame peak`` get a random phase.
        delay: 0 = no look-ahead (backward time difference); 1 = one frame of look-ahead
            (centred time difference, one more hop of latency).
        gamma: Gaussian-equivalent window constant, ``lam = gamma * n_fft**2`` (Hann: 0.25645).
        seed: seed of the random phases.
    Raises:
        ValueError: bad overlap, tol, or delay.
    """

    def __init__(self, n_fft: int, hop_length: int, tol: float = DEFAULT_TOL, delay: int = 0,
                 gamma: float = GAMMA_HANN, seed: int = 0):
        if delay not in (0, 1):
            raise ValueError("delay must be 0 or 1")
        if not 0.0 < tol < 1.0:
            raise ValueError("tol must be in (0, 1)")
        self._ola = OverlapAdd(n_fft, hop_length)
        self.n_fft = n_fft
        self.hop_length = hop_length
        self.n_bins = n_fft // 2 + 1
        self.tol = tol
        self.delay = delay
        self.gamma = gamma
        self._rng = np.random.default_rng(seed)
        bins = np.arange(self.n_bins, dtype=np.float64)
        self._bin_advance = TWO_PI * hop_length * bins / n_fft  # phase-vocoder advance per hop
        self._dev_scale = hop_length / (2.0 * gamma * n_fft)  # advance per unit d s over 2 bins
        self._step_scale = gamma * n_fft / hop_length  # phase step per bin per unit d s / frame
        self._parity = np.pi * bins  # window-centre → frame-start phase
        self.reset()

    def reset(self) -> None:
        """Forget phase, look-ahead and overlap state (the next frame follows silence)."""
        k = self.n_bins
        self._ola.reset()
        self._prev_log = np.full(k, np.log(_ABS_FLOOR))
        self._prev_advance = self._bin_advance.copy()
        self._prev_phase = self._rng.uniform(0.0, TWO_PI, k)
        self._prev_significant = np.zeros(k, dtype=np.bool_)
        self._pending = np.zeros((1, k))  # delay=1: the frame whose phase awaits its successor

    @property
    def latency_samples(self) -> int:
        """Samples between a frame's arrival and its window centre reaching the output."""
        return self.n_fft // 2 + self.delay * self.hop_length

    def _log_magnitude(self, mag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(log-magnitude floored at tol * frame peak, significant-bin mask), both [n, K]."""
        peak = mag.max(axis=1, keepdims=True)
        floor = np.maximum(peak * self.tol, _ABS_FLOOR)
        significant = (mag > floor) & (peak > _ABS_FLOOR * 1e3)
        return np.log(np.maximum(mag, floor)), significant

    def phases(self, magnitude: np.ndarray, following: np.ndarray | None = None) -> np.ndarray:
        """Window-centre phases of frames ``magnitude`` [n, K] (advances the phase state).

        Args:
            magnitude: np.ndarray [shape=(n, n_bins)], cleaned normalised magnitude.
            following: for ``delay=1``, the frames after each of them [n, n_bins].
        Returns:
            np.ndarray [shape=(n, n_bins)], float64 phase in [0, 2 pi).
        """
        log_mag, significant = self._log_magnitude(magnitude)
        padded = np.concatenate([log_mag[:, 1:2], log_mag, log_mag[:, -2:-1]], axis=1)
        advance = self._bin_advance + self._dev_scale * (padded[:, 2:] - padded[:, :-2])
        before = np.concatenate([self._prev_log[None, :], log_mag[:-1]])
        if following is None:
            slope = log_mag - before
        else:
            slope = 0.5 * (self._log_magnitude(following)[0] - before)
        step = np.clip(-self._step_scale * slope, -np.pi, np.pi)
        random_phase = self._rng.uniform(0.0, TWO_PI, magnitude.shape)
        phase = np.empty(magnitude.shape, dtype=np.float64)
        _integrate(log_mag, advance, step, significant, random_phase, self._prev_log,
                   self._prev_advance, self._prev_phase, self._prev_significant, phase)
        return phase

    def process_frames(self, magnitude: np.ndarray) -> np.ndarray:
        """Turn ``n_frames`` magnitude frames into ``n_frames * hop_length`` new samples.

        Same samples whether frames come one per call or all at once.

        Args:
            magnitude: np.ndarray [shape=(n_frames, n_bins)], normalised magnitude (full-scale
                sine = 1). Non-finite and negative values are treated as 0.
        Returns:
            np.ndarray [shape=(n_frames * hop_length,)], float32 samples. With ``delay=1`` they
            belong to the frames one call-frame earlier (the first is the initial silence).
        Raises:
            ValueError: wrong number of bins.
        """
        mag = _clean(magnitude, self.n_bins)
        if self.delay:
            sequence = np.concatenate([self._pending, mag])
            targets, following = sequence[:-1], sequence[1:]
            self._pending = mag[-1:].copy()
        else:
            targets, following = mag, None
        phase = self.phases(targets, following) - self._parity
        return self._ola(targets, phase)

    def process(self, magnitude: np.ndarray) -> np.ndarray:
        """One magnitude frame [n_bins] → ``hop_length`` new float32 samples."""
        return self.process_frames(np.asarray(magnitude)[None, :])


class RandomPhaseInverse:
    """Baseline: an independent uniform random phase per bin and frame, same overlap-add.

    Args:
        n_fft: FFT size; hop_length: samples per frame; seed: random seed.
    """

    def __init__(self, n_fft: int, hop_length: int, seed: int = 0):
        self._ola = OverlapAdd(n_fft, hop_length)
        self.n_bins = self._ola.n_bins
        self._rng = np.random.default_rng(seed)

    def process_frames(self, magnitude: np.ndarray) -> np.ndarray:
        """[n_frames, n_bins] normalised magnitude → [n_frames * hop_length] float32 samples."""
        mag = _clean(magnitude, self.n_bins)
        return self._ola(mag, self._rng.uniform(0.0, TWO_PI, mag.shape))


class PhaseVocoderInverse:
    """Baseline: a plain phase vocoder without peak information. Every bin keeps a running phase
    advanced by its own centre frequency each hop, ``2 pi hop k / n_fft`` (Flanagan & Golden
    1966, with no instantaneous-frequency estimate and no phase locking); random start.

    Args:
        n_fft: FFT size; hop_length: samples per frame; seed: random seed of the start phases.
    """

    def __init__(self, n_fft: int, hop_length: int, seed: int = 0):
        self._ola = OverlapAdd(n_fft, hop_length)
        self.n_bins = self._ola.n_bins
        self._phase = np.random.default_rng(seed).uniform(0.0, TWO_PI, self.n_bins)
        self._advance = TWO_PI * hop_length * np.arange(self.n_bins) / n_fft

    def process_frames(self, magnitude: np.ndarray) -> np.ndarray:
        """[n_frames, n_bins] normalised magnitude → [n_frames * hop_length] float32 samples."""
        mag = _clean(magnitude, self.n_bins)
        steps = np.arange(1, mag.shape[0] + 1)[:, None]
        phase = self._phase + steps * self._advance
        self._phase = np.mod(phase[-1], TWO_PI)
        return self._ola(mag, phase)


def _aligned(inverse, magnitude: np.ndarray, n_fft: int, hop_length: int,
             extra_frames: int = 0) -> np.ndarray:
    """Run ``inverse`` over all frames plus a silent tail; drop the centring (and look-ahead)
    delay so that sample i matches sample i of the analysed signal."""
    mag = np.asarray(magnitude, dtype=np.float64)
    tail = np.zeros((n_fft // hop_length + extra_frames, mag.shape[1]))
    y = inverse.process_frames(np.concatenate([mag, tail]))
    start = n_fft // 2 + extra_frames * hop_length
    return y[start: start + mag.shape[0] * hop_length].astype(np.float32)


def pghi_inverse(magnitude: np.ndarray, n_fft: int, hop_length: int, seed: int = 0,
                 tol: float = DEFAULT_TOL, delay: int = 0) -> np.ndarray:
    """Run :class:`RtpghiInverse` over all frames, aligned like ``stream_inverse``.

    Args:
        magnitude: np.ndarray [shape=(n_frames, n_bins)], normalised magnitude.
        n_fft, hop_length: STFT parameters of the analysis.
        seed, tol, delay: see :class:`RtpghiInverse`.
    Returns:
        np.ndarray [shape=(n_frames * hop_length,)], float32 signal; sample i corresponds to sample
        i of the analysed signal (``librosa.stft(center=True)``: the ``n_fft // 2`` centring
        delay and, with ``delay=1``, the look-ahead hop are removed).
    """
    inverse = RtpghiInverse(n_fft, hop_length, tol=tol, delay=delay, seed=seed)
    return _aligned(inverse, magnitude, n_fft, hop_length, extra_frames=delay)


def phase_vocoder_inverse(magnitude: np.ndarray, n_fft: int, hop_length: int,
                          seed: int = 0) -> np.ndarray:
    """Plain phase-vocoder baseline, aligned like ``stream_inverse``: [n_frames * hop_length]."""
    return _aligned(PhaseVocoderInverse(n_fft, hop_length, seed), magnitude, n_fft, hop_length)


def random_phase_inverse(magnitude: np.ndarray, n_fft: int, hop_length: int,
                         seed: int = 0) -> np.ndarray:
    """Random-phase baseline, aligned like ``stream_inverse``: [n_frames * hop_length] float32."""
    return _aligned(RandomPhaseInverse(n_fft, hop_length, seed), magnitude, n_fft, hop_length)
