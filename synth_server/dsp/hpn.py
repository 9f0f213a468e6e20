"""Harmonic-plus-noise (HPN) frames: analysis of audio with a known f0, and the reference synthesis.

A pitch-independent timbre representation (the "hpn" family, see ``docs/hpn.md``): per STFT frame
(``n_fft`` 2048, ``hop_length`` 256, the project's normalised magnitude: a full-scale sinusoid of
amplitude a peaks at a, :mod:`synth_server.dsp.stft`)

* ``a_k`` the peak amplitude of harmonic k = 1..n_harmonics, measured near k * f0 by parabolic
  interpolation of the log magnitude around the largest bin (Smith & Serra 1987, PARSHL; Serra &
  Smith 1990, "Spectral modeling synthesis", the deterministic part);
* ``m_b`` the noise band magnitudes of the residual (the stochastic part of SMS): the power left
  after subtracting the harmonic model's power spectrum (each harmonic's window main lobe and
  side lobes, Hann transform) from the frame's power, clipped at 0, summed in the project's mel
  filterbank with ``n_mels = n_noise_bands`` (:mod:`synth_server.dsp.filterbank`), square-rooted;
* ``A`` the frame amplitude ``sqrt(sum_k a_k^2 + sum_b m_b^2)``; ``loudness_db = 20 log10 A``.

The model's features are ``h = [log(a_k / A)..., log(m_b / A)...]``, both floored at
``log(1e-4)`` (:data:`FEATURE_FLOOR`). The decoder of an hpn model sees ``concat(z, c)`` with
``c = conditioning(midi_pitch, loudness_db)`` and outputs h; :class:`HpnSynth` plays it back by a
phase-continuous oscillator bank plus filtered noise (Serra & Smith 1990; the harmonic-plus-noise
synthesizer of DDSP, Engel, Hantrakul, Gu & Roberts 2020, here without a neural network inside).

The synthesis per hop (the contract the real-time engine's numba voices follow):

* harmonics: ``a_k = A * exp(h[k-1])`` where ``k * f0_hz < 0.45 * sample_rate``, else 0; sample n
  of the hop (n = 0..hop-1) is ``sum_k (a_prev_k + (a_k - a_prev_k) * (n + 1) / hop) *
  sin(phi_k)``, where ``phi_k`` is 0 at the note's first sample and advances by
  ``2 pi k f0_hz / sample_rate`` per sample (float64, wrapped to [0, 2 pi) at hop ends);
  ``a_prev`` is the previous hop's a (0 at note-on);
* noise: ``m_b = A * exp(h[n_harmonics + b])``; bin magnitudes ``sqrt((m^2) @ S)`` with S
  :func:`noise_synthesis` (voices add their ``m^2 @ S`` powers first); uniformly random phases;
  ``irfft(n_fft)``; multiplied by the spectral path's synthesis window (periodic Hann *
  ``n_fft / 4`` / (sum of squared windows / hop)) and overlap-added, exactly as
  :class:`synth_server.dsp.streaming.StreamingInverse`: the frame given at hop j covers the output
  samples ``[j hop, j hop + n_fft)``, so the noise is centred ``n_fft / 2`` samples after the
  hop where it was asked (the harmonics sound at once). :func:`render_frames` compensates both
  delays for offline comparison with the analysed audio.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Optional

import numpy as np

from synth_server.core.config import StftConfig
# the synthesis and the decoder's inputs, in a module that needs no filterbank (so the real-time
# and steering layers may import it): re-exported here
from synth_server.dsp.hpn_synth import (HARMONIC_LIMIT, REFERENCE_PITCH, HpnSynth,  # noqa: F401
                                        conditioning, midi_to_hz, noise_ola_gain)

FEATURE_FLOOR = 1e-4  #: relative amplitude floor of the features (-80 dB re the frame amplitude)
LOG_FEATURE_FLOOR = math.log(FEATURE_FLOOR)
AMPLITUDE_FLOOR = 1e-4  #: the loudness the decoder sees is 20 log10(max(A, 1e-4)) (-80 dB)
MAIN_LOBE_BINS = 2  #: half width of the Hann main lobe in bins
LOBE_SPAN_BINS = 6  #: bins on each side of a harmonic where its window transform is modelled


def hz_to_midi(f0_hz: np.ndarray | float) -> np.ndarray | float:
    """Inverse of :func:`midi_to_hz` (any shape, Hz > 0)."""
    return 69.0 + 12.0 * np.log2(np.asarray(f0_hz, dtype=np.float64) / 440.0)


def loudness_db(amplitude: np.ndarray | float) -> np.ndarray | float:
    """``20 log10(max(A, 1e-4))`` dB re a full-scale sinusoid (what the decoder sees)."""
    return 20.0 * np.log10(np.maximum(np.asarray(amplitude, dtype=np.float64), AMPLITUDE_FLOOR))


def velocity_amplitude(velocity: np.ndarray | float) -> np.ndarray | float:
    """Live note amplitude from MIDI velocity 0..127: ``(velocity / 127) ** 2`` (linear)."""
    return (np.clip(np.asarray(velocity, dtype=np.float64), 0.0, 127.0) / 127.0) ** 2


def hpn_config(stft: StftConfig) -> StftConfig:
    """``stft`` with ``representation = "hpn"`` (other fields kept)."""
    return replace(stft, representation="hpn")


def noise_bands(stft: StftConfig) -> StftConfig:
    """The mel config of the noise bands: ``representation "mel"``, ``n_mels = n_noise_bands``."""
    return replace(stft, representation="mel", n_mels=stft.n_noise_bands)


def noise_filterbank(stft: StftConfig) -> np.ndarray:
    """Analysis mel filterbank of the noise bands, [n_noise_bands, n_bins] float64 (read-only)."""
    from synth_server.dsp.filterbank import filterbank

    return filterbank(noise_bands(stft))


def noise_synthesis(stft: StftConfig) -> np.ndarray:
    """Band synthesis matrix S of the noise bands, [n_noise_bands, n_bins] float64 (read-only):
    bin power ``|X|^2 = (m^2) @ S`` (:func:`synth_server.dsp.filterbank.synthesis_matrix` of
    the mel bands with ``n_mels = n_noise_bands``)."""
    from synth_server.dsp.filterbank import synthesis_matrix

    return synthesis_matrix(noise_bands(stft))


def hann_transform(offset_bins: np.ndarray) -> np.ndarray:
    """Normalised magnitude of the periodic Hann window's transform at ``offset_bins`` from its
    centre: ``|sinc(d) / (1 - d^2)|`` (1 at d = 0, 0.5 at d = +-1, 0 at |d| = 2, 3, ...), the
    large-n_fft limit of the exact transform (Harris 1978). Same shape, float64."""
    d = np.asarray(offset_bins, dtype=np.float64)
    near = np.abs(np.abs(d) - 1.0) < 1e-6
    safe = np.where(near, 0.0, d)
    value = np.sinc(safe) / (1.0 - safe * safe)
    return np.abs(np.where(near, 0.5, value))


def harmonic_count(f0_hz: float, stft: StftConfig) -> int:
    """How many of the ``n_harmonics`` harmonics of ``f0_hz`` lie below 0.45 * sample_rate."""
    if not f0_hz > 0:
        return 0
    limit = HARMONIC_LIMIT * stft.sample_rate
    return int(min(stft.n_harmonics, max(0, math.ceil(limit / f0_hz) - 1)))


def harmonic_power_spectrum(amplitudes: np.ndarray, f0_hz: np.ndarray | float,
                            stft: StftConfig) -> np.ndarray:
    """Power spectrum of the harmonic model under the analysis window (incoherent sum).

    Args:
        amplitudes: [n_frames, n_harmonics] linear a_k (normalised magnitude units).
        f0_hz: fundamental, Hz: scalar or [n_frames].
        stft: config (n_fft, sample_rate).
    Returns:
        [n_frames, n_bins] float64, ``sum_k a_k^2 |W(j - k f0 / bin_hz)|^2`` over bins j within
        :data:`LOBE_SPAN_BINS` of each harmonic (:func:`hann_transform`).
    """
    amps = np.asarray(amplitudes, dtype=np.float64)
    n_frames = amps.shape[0]
    f0 = np.broadcast_to(np.asarray(f0_hz, dtype=np.float64), (n_frames,))
    bin_hz = stft.sample_rate / stft.n_fft
    k = np.arange(1, stft.n_harmonics + 1, dtype=np.float64)
    centre = k[None, :] * f0[:, None] / bin_hz                              # [n, K]
    offsets = np.arange(-LOBE_SPAN_BINS + 1, LOBE_SPAN_BINS + 1)
    bins = np.floor(centre)[:, :, None] + offsets[None, None, :]           # [n, K, J]
    power = amps[:, :, None] ** 2 * hann_transform(bins - centre[:, :, None]) ** 2
    valid = (bins >= 0) & (bins < stft.n_bins)
    out = np.zeros((n_frames, stft.n_bins))
    rows = np.broadcast_to(np.arange(n_frames)[:, None, None], bins.shape)
    np.add.at(out, (rows[valid], bins[valid].astype(np.int64)), power[valid])
    return out


def _peaks(log_mag: np.ndarray, centre: np.ndarray, reach: int
           ) -> tuple[np.ndarray, np.ndarray]:
    """Largest bin within ``reach`` bins of each centre [n, K], refined by a parabola through the
    log magnitudes of it and its neighbours: (log peak value [n, K], peak position in bins)."""
    n_frames, n_bins = log_mag.shape
    i0 = np.clip(np.round(centre).astype(np.int64), 1, n_bins - 2)
    rows = np.arange(n_frames)[:, None]
    best = i0.copy()
    for d in range(-reach, reach + 1):
        cand = np.clip(i0 + d, 1, n_bins - 2)
        better = log_mag[rows, cand] > log_mag[rows, best]
        best = np.where(better, cand, best)
    alpha, beta, gamma = log_mag[rows, best - 1], log_mag[rows, best], log_mag[rows, best + 1]
    denom = alpha - 2.0 * beta + gamma
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(denom < 0, 0.5 * (alpha - gamma) / denom, 0.0)
    p = np.clip(p, -1.0, 1.0)
    return beta - 0.25 * (alpha - gamma) * p, best + p


def refine_f0(magnitude: np.ndarray, f0_hz: float, stft: StftConfig, max_cents: float = 50.0,
              n_used: int = 16) -> np.ndarray:
    """Per-frame f0 near a nominal one, from the interpolated peaks of the first harmonics.

    Each of the first ``n_used`` resolved harmonics (peaks within +-``max_cents`` of k f0)
    votes ``peak_frequency / k``, weighted by its power; the result is clipped to +-max_cents
    of the nominal f0 (SoundFont samples are often a few cents off, and bowed strings have
    vibrato: amplitudes measured at the exact k * nominal f0 would miss the partials).

    Args:
        magnitude: [n_frames, n_bins] normalised STFT magnitude.
        f0_hz: nominal fundamental, Hz.
        stft: config.
    Returns:
        [n_frames] float64 Hz.
    Source: harmonic-peak f0 refinement of SMS (Serra & Smith 1990), as a weighted mean.
    """
    mag = np.asarray(magnitude, dtype=np.float64)
    bin_hz = stft.sample_rate / stft.n_fft
    count = min(n_used, harmonic_count(f0_hz, stft))
    spacing = f0_hz / bin_hz
    if count < 1 or spacing < 4.0:  # unresolved partials: keep the nominal f0
        return np.full(len(mag), float(f0_hz))
    k = np.arange(1, count + 1, dtype=np.float64)
    centre = k[None, :] * f0_hz / bin_hz * np.ones((len(mag), 1))
    ratio = 2.0 ** (max_cents / 1200.0) - 1.0
    reach = int(max(1, min(np.ceil(count * spacing * ratio), spacing / 2 - 1)))
    log_peak, position = _peaks(np.log(np.maximum(mag, 1e-12)), centre, reach)
    estimate = position * bin_hz / k[None, :]
    inside = np.abs(1200.0 * np.log2(np.maximum(estimate, 1e-9) / f0_hz)) <= max_cents
    weight = np.exp(2.0 * log_peak) * inside
    f0 = (weight * estimate).sum(axis=1) / np.maximum(weight.sum(axis=1), 1e-30)
    f0 = np.where(weight.sum(axis=1) > 0, f0, f0_hz)
    lo, hi = f0_hz * 2.0 ** (-max_cents / 1200.0), f0_hz * 2.0 ** (max_cents / 1200.0)
    return np.clip(f0, lo, hi)


def analyse_magnitude(magnitude: np.ndarray, f0_hz: np.ndarray | float, stft: StftConfig
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """HPN analysis of normalised STFT magnitude frames with a known f0.

    Args:
        magnitude: [n_frames, n_bins] normalised magnitude
            (:func:`synth_server.dsp.stft.stft_magnitude`).
        f0_hz: the fundamental, Hz (> 0): scalar or [n_frames] (e.g. :func:`refine_f0`).
        stft: config (n_fft, sample_rate, n_harmonics, n_noise_bands).
    Returns:
        (harmonics [n_frames, n_harmonics] linear a_k (0 at and above 0.45 sample_rate), noise
        [n_frames, n_noise_bands] linear m_b, amplitude [n_frames] linear A), float64.
    Raises:
        ValueError: f0_hz not positive or a magnitude of the wrong width.
    Source: Serra & Smith 1990 (SMS: peak picking with parabolic interpolation on the log
    magnitude, residual = spectrum minus the sinusoids); Smith & Serra 1987 (PARSHL).
    """
    mag = np.asarray(magnitude, dtype=np.float64)
    if mag.ndim != 2 or mag.shape[1] != stft.n_bins:
        raise ValueError(f"expected [n_frames, {stft.n_bins}] magnitudes, got {mag.shape}")
    n_frames = mag.shape[0]
    f0 = np.broadcast_to(np.asarray(f0_hz, dtype=np.float64), (n_frames,))
    if not np.all(f0 > 0):
        raise ValueError("f0_hz must be > 0")
    bin_hz = stft.sample_rate / stft.n_fft
    reach = 1 if float(f0.min()) / bin_hz >= 4.0 else 0  # +-1 bin only where lobes are apart
    k = np.arange(1, stft.n_harmonics + 1, dtype=np.float64)
    centre = k[None, :] * f0[:, None] / bin_hz
    log_peak, _ = _peaks(np.log(np.maximum(mag, 1e-12)), centre, reach)
    audible = (k[None, :] * f0[:, None] < HARMONIC_LIMIT * stft.sample_rate) \
        & (centre >= 1.0) & (centre < stft.n_bins - 1)
    harmonics = np.where(audible, np.exp(log_peak), 0.0)
    residual = np.maximum(mag * mag - harmonic_power_spectrum(harmonics, f0, stft), 0.0)
    noise = np.sqrt(residual @ noise_filterbank(stft).T)
    amplitude = np.sqrt((harmonics ** 2).sum(axis=1) + (noise ** 2).sum(axis=1))
    return harmonics, noise, amplitude


def features_from_components(harmonics: np.ndarray, noise: np.ndarray, amplitude: np.ndarray
                             ) -> np.ndarray:
    """The model's features h = [log(a / A), log(m / A)], floored at log(1e-4).

    Args:
        harmonics: [n, n_harmonics]; noise: [n, n_noise_bands]; amplitude: [n] (linear).
    Returns:
        [n, n_harmonics + n_noise_bands] float32 (natural log).
    """
    amp = np.maximum(np.asarray(amplitude, dtype=np.float64), 1e-12)[:, None]
    rel = np.concatenate([harmonics, noise], axis=1) / amp
    return np.log(np.maximum(rel, FEATURE_FLOOR)).astype(np.float32)


def analyse(y: np.ndarray, f0_hz: float, stft: StftConfig, refine: bool = True
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """HPN features of a mono note of known (nominal) f0.

    Args:
        y: [n_samples] float, mono at ``stft.sample_rate``.
        f0_hz: the note's nominal fundamental, Hz (e.g. from its MIDI pitch).
        stft: config.
        refine: measure the harmonics at the per-frame f0 of :func:`refine_f0` (within 50
            cents of ``f0_hz``) instead of at ``f0_hz`` itself.
    Returns:
        (features [n_frames, n_features] float32, amplitude [n_frames] float64 linear A,
        f0 [n_frames] float64 Hz the harmonics were measured at, magnitude [n_frames, n_bins]
        float32 normalised STFT magnitude of ``y``); frame t is centred on sample
        ``t * hop_length`` (librosa, centred frames).
    """
    from synth_server.dsp.stft import stft_magnitude

    mag = stft_magnitude(y, stft)
    f0 = refine_f0(mag, f0_hz, stft) if refine else np.full(len(mag), float(f0_hz))
    harmonics, noise, amplitude = analyse_magnitude(mag, f0, stft)
    return features_from_components(harmonics, noise, amplitude), amplitude, f0, mag


def render_frames(features: np.ndarray, f0_hz: np.ndarray | float, amplitude: np.ndarray,
                  stft: StftConfig, n_samples: Optional[int] = None, seed: int = 0,
                  aligned: bool = True) -> np.ndarray:
    """Offline rendering of one voice's frames through :class:`HpnSynth`.

    Args:
        features: [n_frames, n_features] h per hop (natural log relative to A).
        f0_hz: scalar or [n_frames] Hz.
        amplitude: [n_frames] linear A (0 = silent frame).
        stft: the model's config.
        n_samples: output length (default ``n_frames * hop_length``).
        seed: noise phase seed.
        aligned: shift the harmonic part by ``hop_length // 2`` and the noise part by
            ``n_fft // 2`` samples earlier, so frame t sounds centred on sample ``t *
            hop_length`` as in the analysis (for comparison with the analysed audio; the
            real-time path plays them unshifted).
    Returns:
        [n_samples] float32.
    """
    h = np.asarray(features, dtype=np.float64)
    n_frames = len(h)
    f0 = np.broadcast_to(np.asarray(f0_hz, dtype=np.float64), (n_frames,))
    amp = np.asarray(amplitude, dtype=np.float64).reshape(n_frames)
    n_out = n_frames * stft.hop_length if n_samples is None else int(n_samples)
    synth = HpnSynth(stft, noise_synthesis(stft), max_voices=1, seed=seed)
    extra = (stft.n_fft // stft.hop_length + 1) if aligned else 0
    harmonic, noise = [], []
    for t in range(n_frames + extra):
        if t < n_frames:
            hp, nz = synth.render_hop([0], h[t:t + 1], f0[t:t + 1], amp[t:t + 1], parts=True)
        else:
            hp, nz = synth.render_hop([0], h[-1:], f0[-1:], np.zeros(1), parts=True)
        harmonic.append(hp)
        noise.append(nz)
    hp_all, nz_all = np.concatenate(harmonic), np.concatenate(noise)
    if aligned:
        hp_all = hp_all[stft.hop_length // 2:]
        nz_all = nz_all[stft.n_fft // 2:]
    n = min(len(hp_all), len(nz_all))
    y = hp_all[:n] + nz_all[:n]
    out = np.zeros(n_out, dtype=np.float32)
    out[:min(n, n_out)] = y[:n_out]
    return out


def harmonic_envelope_centroid(features: np.ndarray, stft: StftConfig) -> np.ndarray:
    """Centroid of the harmonic amplitude envelope in harmonic numbers, per frame: ``sum_k k
    a_k^2 / sum_k a_k^2`` from features [n, n_features] (power-weighted). [n] float64."""
    h = np.asarray(features, dtype=np.float64)[:, :stft.n_harmonics]
    power = np.exp(2.0 * h)
    k = np.arange(1, stft.n_harmonics + 1)
    return (power * k).sum(axis=1) / np.maximum(power.sum(axis=1), 1e-30)
