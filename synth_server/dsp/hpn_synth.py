"""The harmonic-plus-noise synthesis and the decoder's inputs, without the analysis.

The part of :mod:`synth_server.dsp.hpn` that plays features (its module docstring gives the exact
per-hop arithmetic, the contract the engine's numba voices follow): :class:`HpnSynth`, the
conditioning vector, ``midi_to_hz`` and the noise overlap-add gain. It imports no filterbank (so
no librosa): the noise bands' synthesis matrix is an argument, computed at load time
(:func:`synth_server.dsp.hpn.noise_synthesis`, carried by an hpn model's decoder), so the
steering layer (``nav``) and the engine may import it. :mod:`synth_server.dsp.hpn` re-exports
every name.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from synth_server.core.config import StftConfig
from synth_server.dsp.window import magnitude_scale

HARMONIC_LIMIT = 0.45  #: harmonics at or above this fraction of the sample rate are silent
REFERENCE_PITCH = 60.0  #: conditioning centre (MIDI)


def midi_to_hz(midi_pitch: np.ndarray | float) -> np.ndarray | float:
    """``440 * 2 ** ((midi_pitch - 69) / 12)`` Hz; midi_pitch may be fractional (any shape)."""
    return 440.0 * 2.0 ** ((np.asarray(midi_pitch, dtype=np.float64) - 69.0) / 12.0)


def conditioning(midi_pitch: np.ndarray | float, loudness_db: np.ndarray | float) -> np.ndarray:
    """The decoder's conditioning vector c of an hpn model.

    ``c = [(midi_pitch - 60) / 24, (loudness_db + 30) / 30]`` (plain arithmetic so the numba
    kernel repeats it exactly).

    Args:
        midi_pitch: MIDI pitch (fractional allowed), scalar or [n].
        loudness_db: frame loudness ``20 log10(max(A, 1e-4))`` dB, scalar or [n] (broadcast).
    Returns:
        np.ndarray [n, 2] float32 ([2] for scalars).
    """
    pitch = np.asarray(midi_pitch, dtype=np.float64)
    level = np.asarray(loudness_db, dtype=np.float64)
    pitch, level = np.broadcast_arrays(pitch, level)
    return np.stack([(pitch - REFERENCE_PITCH) / 24.0, (level + 30.0) / 30.0],
                    axis=-1).astype(np.float32)


def noise_ola_gain(stft: StftConfig) -> float:
    """Factor on the noise bin magnitudes so that random-phase frames, windowed and
    overlap-added like the spectral path's coherent frames, come out with the STFT magnitudes
    asked: ``sqrt(n_fft / hop_length)`` (2.83, +9.03 dB at 2048 / 256). Independent random
    phases add in power across the n_fft / hop_length overlapping frames, coherent ones in
    amplitude (the window's normalisation assumes the latter). Measured by
    tests/test_voices.py on the live engine, which applies the same factor."""
    return float(np.sqrt(stft.n_fft / stft.hop_length))


class HpnSynth:
    """The reference harmonic-plus-noise synthesizer: voices of features in, hops of audio out.

    Every call to :meth:`render_hop` plays one hop for every voice given (see the module
    docstring for the exact per-hop arithmetic the real-time engine repeats).

    Args:
        stft: config of the model (sample_rate, n_fft, hop_length, n_harmonics, n_noise_bands).
        synthesis: [n_noise_bands, n_bins] the noise bands' synthesis matrix S
            (:func:`synth_server.dsp.hpn.noise_synthesis`; an hpn model's decoder carries it as
            ``NumpyDecoder.synthesis``).
        max_voices: voice slots.
        seed: seed of the noise phases (numpy PCG64).
    Source: Serra & Smith 1990 (SMS resynthesis: additive oscillators + filtered noise by
    inverse FFT and overlap-add); Engel et al. 2020 (DDSP harmonic-plus-noise synthesizer).
    """

    def __init__(self, stft: StftConfig, synthesis: np.ndarray, max_voices: int = 16,
                 seed: int = 0):
        self.stft = stft
        self.max_voices = int(max_voices)
        self.n_harmonics = stft.n_harmonics
        self.n_noise_bands = stft.n_noise_bands
        self._k = np.arange(1, stft.n_harmonics + 1, dtype=np.float64)
        self._phase = np.zeros((self.max_voices, stft.n_harmonics))
        self._previous = np.zeros((self.max_voices, stft.n_harmonics))
        self._ramp = (np.arange(stft.hop_length, dtype=np.float64) + 1.0) / stft.hop_length
        self._sample = np.arange(stft.hop_length, dtype=np.float64)
        self._synthesis_matrix = np.asarray(synthesis, dtype=np.float64)
        if self._synthesis_matrix.shape != (stft.n_noise_bands, stft.n_bins):
            raise ValueError(f"noise synthesis matrix {self._synthesis_matrix.shape}, expected "
                             f"({stft.n_noise_bands}, {stft.n_bins})")
        window = np.hanning(stft.n_fft + 1)[:-1]
        ola_gain = np.sum(window * window) / stft.hop_length
        self._window = window * magnitude_scale(stft.n_fft) / ola_gain
        self._noise_gain = noise_ola_gain(stft)
        self._tail = np.zeros(stft.n_fft)
        self._rng = np.random.default_rng(seed)

    def note_on(self, voice: int) -> None:
        """Start ``voice`` afresh: phases 0, previous amplitudes 0."""
        self._phase[voice] = 0.0
        self._previous[voice] = 0.0

    def harmonic_amplitudes(self, features: np.ndarray, f0_hz: np.ndarray,
                            amplitude: np.ndarray) -> np.ndarray:
        """``a_k = A exp(h[k-1])`` where ``k f0 < 0.45 sample_rate`` else 0: [n_voices,
        n_harmonics] float64 from features [n_voices, n_features], f0_hz [n_voices] Hz,
        amplitude [n_voices] linear."""
        h = np.asarray(features, dtype=np.float64)[:, :self.n_harmonics]
        f0 = np.asarray(f0_hz, dtype=np.float64)[:, None]
        audible = self._k[None, :] * f0 < HARMONIC_LIMIT * self.stft.sample_rate
        return np.where(audible, np.asarray(amplitude, dtype=np.float64)[:, None] * np.exp(h),
                        0.0)

    def noise_power(self, features: np.ndarray, amplitude: np.ndarray) -> np.ndarray:
        """Summed noise power per bin of the voices: ``sum_v (m_v^2) @ S``, [n_bins] float64."""
        h = np.asarray(features, dtype=np.float64)[:, self.n_harmonics:]
        m = np.asarray(amplitude, dtype=np.float64)[:, None] * np.exp(h)
        return (m * m).sum(axis=0) @ self._synthesis_matrix if len(m) else \
            np.zeros(self.stft.n_bins)

    def render_hop(self, voices: Sequence[int], features: np.ndarray, f0_hz: np.ndarray,
                   amplitude: np.ndarray, parts: bool = False
                   ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """One hop of audio for the voices given (other voices are silent and keep their state).

        Args:
            voices: [n_voices] voice slot indices (0..max_voices-1), distinct.
            features: [n_voices, n_harmonics + n_noise_bands] decoded h (natural log, relative
                to A).
            f0_hz: [n_voices] fundamentals, Hz.
            amplitude: [n_voices] linear A (velocity amplitude * envelope live).
            parts: also return the harmonic and noise parts separately.
        Returns:
            [hop_length] float64 samples, or (harmonic part, noise part) when ``parts``.
        """
        stft = self.stft
        idx = np.asarray(voices, dtype=np.int64)
        harmonic = np.zeros(stft.hop_length)
        if len(idx):
            a = self.harmonic_amplitudes(features, f0_hz, amplitude)
            inc = 2.0 * np.pi * self._k[None, :] * np.asarray(f0_hz, dtype=np.float64)[:, None] \
                / stft.sample_rate                                     # [v, K] rad / sample
            prev = self._previous[idx]
            env = prev[:, :, None] + (a - prev)[:, :, None] * self._ramp[None, None, :]
            phase = self._phase[idx][:, :, None] + inc[:, :, None] * self._sample[None, None, :]
            harmonic = (env * np.sin(phase)).sum(axis=(0, 1))
            self._phase[idx] = np.mod(self._phase[idx] + inc * stft.hop_length, 2.0 * np.pi)
            self._previous[idx] = a
        power = self.noise_power(features, amplitude) if len(idx) else np.zeros(stft.n_bins)
        mag = self._noise_gain * np.sqrt(np.maximum(power, 0.0))
        phases = self._rng.uniform(0.0, 2.0 * np.pi, stft.n_bins)
        frame = np.fft.irfft(mag * np.exp(1j * phases), n=stft.n_fft) * self._window
        acc = self._tail + frame
        noise = acc[:stft.hop_length].copy()
        self._tail = np.concatenate([acc[stft.hop_length:], np.zeros(stft.hop_length)])
        if parts:
            return harmonic, noise
        return harmonic + noise
