"""Decoded frames → audio: the synthesis every renderer shares, and held latents rendered offline.

One copy of the chain after the decoder, used by the engine's offline
:class:`~synth_server.engine.renderer.Renderer` (``render``) and by the descriptor fit, heatmaps
and steering checks (which may not import the engine):

1. a non-finite magnitude frame is replaced by silence (counted);
2. phase and overlap-add: :class:`~synth_server.dsp.streaming.StreamingInverse` (peak-locked
   phase, the live default) or :class:`~synth_server.dsp.pghi.RtpghiInverse`;
3. the output stage (:func:`~synth_server.dsp.output.output_stage`): per-sample gain ramp, DC
   blocker, peak limiter, hard ceiling.

**Held rendering** (:func:`held_audio`): a latent kept still for ``HELD_WARMUP_HOPS +
HELD_STEADY_HOPS`` hops through that chain at gain 1, from a fresh phase state; the first
``HELD_WARMUP_HOPS`` hops (the overlap-add filling up, the phase locking on) are dropped and the
steady part is returned. It is what a listener hears once a steered sound has settled, so the
descriptor surrogate is fitted on it (shared/seeds/002: sample, render, describe).

**Model families.** A model's representation names its family (:data:`FAMILY_OF`): ``"spectral"``
(stft, mel, logfreq: the decoder gives an STFT magnitude frame) and ``"hpn"`` (harmonic-plus-noise:
the decoder takes f0 and loudness from outside, docs/hpn.md). An hpn model is described at the
**reference note** (:func:`held_hpn`): MIDI :data:`REFERENCE_MIDI_PITCH` (60, 261.63 Hz) at the
note amplitude ``A = 10 ** (REFERENCE_LOUDNESS_DB / 20)`` = 0.1, held (no envelope). A is the hpn
representation's frame amplitude: the decoder's loudness input is ``20 log10 A`` = -20 dB and a
lone harmonic of amplitude A is a sine of peak 0.1, -20 dBFS in the AES17 sense (RMS re a
full-scale sine), which :func:`~synth_server.dsp.features.describe_audio_fast` reads as -23 dB
(its convention: a sine of amplitude 1 reads -3 dB). Live, a note of velocity
``127 sqrt(0.1)`` = 40.2 at envelope sustain 1 has that amplitude. The descriptors the reference
fixes (f0_hz; loudness_db, set live by velocity and gain) are not described for the family
(:func:`descriptor_names`, docs/descriptors.md).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional

import numpy as np

from synth_server.core.config import StftConfig
from synth_server.dsp.features import NAMES
from synth_server.dsp.hpn_synth import HpnSynth, conditioning, midi_to_hz
from synth_server.dsp.output import output_stage
from synth_server.dsp.streaming import StreamingInverse

CEILING_DB = -0.1  # limiter ceiling, dBFS
DC_CUTOFF_HZ = 5.0  # DC blocker corner
RELEASE_MS = 150.0  # limiter release
GAIN_SNAP = 1e-6  # a smoothed gain below this is exactly 0 (true digital silence)

HELD_STEADY_HOPS = 12  # steady hops held_audio returns: 3072 samples at hop 256, 5 analysis frames
REFERENCE_MIDI_PITCH = 60.0  # the note a pitch-input family is described at (261.63 Hz)
REFERENCE_LOUDNESS_DB = -20.0  # and its loudness: note amplitude A = 0.1 (module doc)

FAMILY_OF = {"stft": "spectral", "mel": "spectral", "logfreq": "spectral", "hpn": "hpn"}
# descriptors a family's held rendering fixes, so not described for it: an hpn note is held at
# the reference pitch (f0_hz is that pitch's) and amplitude (loudness_db is set live by velocity
# and gain; what varies at the reference is the decoder's feature normalisation, not timbre)
FIXED_BY_FAMILY = {"spectral": (), "hpn": ("f0_hz", "loudness_db")}


def make_inverse(phase: str, n_fft: int, hop_length: int, seed: int = 0) -> Any:
    """The phase reconstruction of a renderer.

    Args:
        phase: "peak" (peak-locked propagation, :class:`StreamingInverse`: the live method) or
            "rtpghi" (:class:`~synth_server.dsp.pghi.RtpghiInverse`, Prusa & Holighaus 2017).
        n_fft, hop_length: the model's STFT settings (samples). seed: random phases.
    Returns:
        An object with ``process_frames(magnitude [n, n_bins]) -> [n * hop_length]``.
    Raises:
        ValueError: unknown ``phase``.
    """
    if phase == "peak":
        return StreamingInverse(n_fft, hop_length, seed)
    if phase == "rtpghi":
        from synth_server.dsp.pghi import RtpghiInverse

        return RtpghiInverse(n_fft, hop_length, seed=seed)
    raise ValueError(f"unknown phase method {phase!r} (peak, rtpghi)")


class OutputStage:
    """State and settings of :func:`~synth_server.dsp.output.output_stage` (DC blocker and
    limiter), per stream.

    Args:
        sample_rate: Hz. hop_length: samples per hop. ceiling_db: limiter ceiling (dBFS).
    """

    def __init__(self, sample_rate: int, hop_length: int, ceiling_db: float = CEILING_DB):
        hop_s = hop_length / sample_rate
        self.ceiling = 10.0 ** (ceiling_db / 20.0)
        self.release = 1.0 - math.exp(-hop_s / (RELEASE_MS / 1000.0))
        self.dc_pole = math.exp(-2.0 * math.pi * DC_CUTOFF_HZ / sample_rate)
        self.dc_state = np.zeros(2)
        self.limiter = np.ones(1)

    def process(self, mono: np.ndarray, hop_gains: np.ndarray, out: np.ndarray) -> int:
        """Gain ramp, DC blocker, limiter into ``out`` [n * hop, channels] float32; returns the
        number of non-finite samples replaced by 0 (the DC state is then reset)."""
        bad = output_stage(mono, hop_gains, self.dc_state, self.dc_pole, self.limiter,
                           self.ceiling, self.release, out)
        if bad:
            self.dc_state[:] = 0.0
        return int(bad)


def synthesise(magnitude: np.ndarray, inverse: Any, stage: OutputStage, hop_gains: np.ndarray,
               channels: int = 1) -> tuple[np.ndarray, int, int]:
    """Magnitude frames → output samples: steps 1-3 of the module doc.

    Args:
        magnitude: [n, n_bins] float32 C-contiguous normalised magnitudes (changed in place:
            non-finite frames are zeroed).
        inverse: from :func:`make_inverse` (its state advances).
        stage: the stream's :class:`OutputStage` (its state advances).
        hop_gains: [n + 1] float64 linear gain at the start of the block, then after each hop.
        channels: output channels (the mono synthesis copied to each).
    Returns:
        (audio [n * hop_length, channels] float32, frames silenced for being non-finite,
        non-finite output samples replaced by 0).
    """
    bad = ~np.isfinite(magnitude).all(axis=1)
    n_bad = int(bad.sum())
    if n_bad:
        magnitude[bad] = 0.0
    if isinstance(inverse, StreamingInverse):
        mono = inverse.process_frames(magnitude, checked=True)
    else:
        mono = np.ascontiguousarray(inverse.process_frames(magnitude), dtype=np.float32)
    out = np.empty((mono.shape[0], channels), dtype=np.float32)
    return out, n_bad, stage.process(mono, hop_gains, out)


def held_warmup_hops(stft: StftConfig) -> int:
    """Hops dropped before the steady part, ``n_fft / hop_length``: every later sample is a full
    overlap-add of frames whose phase was propagated from a previous frame (the first frame's
    phases are random)."""
    return stft.n_fft // stft.hop_length


def held_spectral(decoder: Any, stft: StftConfig, latents: np.ndarray,
                  steady_hops: int = HELD_STEADY_HOPS, seed: int = 0) -> np.ndarray:
    """Held rendering of a spectral-family model (see the module doc).

    Args:
        decoder: :class:`~synth_server.model.runtime.NumpyDecoder` (``magnitude(z)`` → linear
            STFT magnitudes [batch, n_bins]).
        stft: the model's STFT settings.
        latents: [batch, latent_dim] latents, each held still.
        steady_hops: hops of steady audio returned per latent.
        seed: phase seed of every latent's fresh stream (the same for all: deterministic).
    Returns:
        [batch, steady_hops * hop_length] float32 mono audio at gain 1 (peak <= the ceiling).
    """
    z = np.asarray(latents, dtype=np.float32).reshape(-1, decoder.latent_dim)
    warm = held_warmup_hops(stft)
    hops = warm + steady_hops
    hop = stft.hop_length
    frames = decoder.magnitude(z)
    ones = np.ones(hops + 1)
    out = np.empty((len(z), steady_hops * hop), dtype=np.float32)
    for i in range(len(z)):
        block = np.ascontiguousarray(np.broadcast_to(frames[i], (hops, frames.shape[1])),
                                     dtype=np.float32)
        audio, _, _ = synthesise(block, make_inverse("peak", stft.n_fft, hop, seed),
                                 OutputStage(stft.sample_rate, hop), ones)
        out[i] = audio[warm * hop:, 0]
    return out


def reference_amplitude() -> float:
    """The reference note's amplitude A (linear, the hpn representation's frame amplitude):
    ``10 ** (REFERENCE_LOUDNESS_DB / 20)`` = 0.1 (module doc)."""
    return float(10.0 ** (REFERENCE_LOUDNESS_DB / 20.0))


def held_hpn(decoder: Any, stft: StftConfig, latents: np.ndarray,
             steady_hops: int = HELD_STEADY_HOPS, seed: int = 0) -> np.ndarray:
    """Held rendering of an hpn-family model: each latent played as the reference note.

    The note starts (phases 0) and is held at MIDI :data:`REFERENCE_MIDI_PITCH` and amplitude
    :func:`reference_amplitude` with no envelope: its features ``decoder.features(z,
    conditioning(60, -20 dB))`` are played hop after hop by the family's synthesis
    (:class:`~synth_server.dsp.hpn_synth.HpnSynth`: oscillator bank and filtered noise, the numpy
    reference the engine's voices repeat), then the output stage at gain 1 (as
    :func:`held_spectral`). The first :func:`held_warmup_hops` hops are dropped: after them the
    noise's overlap-add is full (the harmonics are steady after the first hop).

    Args:
        decoder: the model's :class:`~synth_server.model.runtime.NumpyDecoder` (``features(z,
            c)`` → [batch, n_harmonics + n_noise_bands] log amplitudes relative to A; its
            ``synthesis``, the noise bands' matrix, as the engine's voices use it).
        stft: the model's settings (representation "hpn").
        latents: [batch, latent_dim] timbres, each held still.
        steady_hops: hops of steady audio returned per latent.
        seed: noise phase seed of every latent's fresh synthesizer (the same for all).
    Returns:
        [batch, steady_hops * hop_length] float32 mono audio.
    Raises:
        ValueError: a decoder without conditioning inputs or noise synthesis matrix.
    Source: Serra & Smith 1990 (spectral modelling synthesis); Engel et al. 2020 (DDSP).
    """
    if getattr(decoder, "n_conditioning", 0) == 0 or decoder.synthesis is None:
        raise ValueError("held_hpn needs an hpn model's decoder (features(z, c) and its noise "
                         "synthesis matrix)")
    z = np.asarray(latents, dtype=np.float32).reshape(-1, decoder.latent_dim)
    amplitude = reference_amplitude()
    c = conditioning(REFERENCE_MIDI_PITCH, 20.0 * math.log10(amplitude))
    features = decoder.features(z, c[None, :])
    warm = held_warmup_hops(stft)
    hops = warm + steady_hops
    hop = stft.hop_length
    f0_hz = np.array([float(midi_to_hz(REFERENCE_MIDI_PITCH))])
    level = np.array([amplitude])
    ones = np.ones(hops + 1)
    out = np.empty((len(z), steady_hops * hop), dtype=np.float32)
    mono = np.empty(hops * hop, dtype=np.float32)
    audio = np.empty((hops * hop, 1), dtype=np.float32)
    for i in range(len(z)):
        synth = HpnSynth(stft, decoder.synthesis, max_voices=1, seed=seed)
        synth.note_on(0)
        row = features[i:i + 1]
        for j in range(hops):
            mono[j * hop:(j + 1) * hop] = synth.render_hop([0], row, f0_hz, level)
        OutputStage(stft.sample_rate, hop).process(mono, ones, audio)
        out[i] = audio[warm * hop:, 0]
    return out


# family -> held renderer: (decoder, stft, latents [batch, d], steady_hops, seed) -> [batch, n]
HELD_RENDERERS: dict[str, Callable[..., np.ndarray]] = {"spectral": held_spectral,
                                                        "hpn": held_hpn}


def model_family(stft: StftConfig) -> str:
    """The family of a model from its representation (:data:`FAMILY_OF`).

    Raises:
        ValueError: a representation of no known family.
    """
    family: Optional[str] = FAMILY_OF.get(stft.representation)
    if family is None or family not in HELD_RENDERERS:
        raise ValueError(f"no held renderer for representation {stft.representation!r}")
    return family


def held_audio(decoder: Any, stft: StftConfig, latents: np.ndarray,
               steady_hops: int = HELD_STEADY_HOPS, seed: int = 0) -> np.ndarray:
    """Held rendering of latents through their model family's synthesis (module doc).

    Args:
        decoder, stft: the model's decoder and settings (``stft.representation`` picks the
            family). latents: [batch, latent_dim]. steady_hops, seed: see :func:`held_spectral`.
    Returns:
        [batch, steady_hops * hop_length] float32 mono audio, steady part only.
    Raises:
        ValueError: no held renderer for the model's family.
    """
    return HELD_RENDERERS[model_family(stft)](decoder, stft, latents, steady_hops, seed)


def descriptor_names(stft: StftConfig) -> tuple[str, ...]:
    """The descriptors a model of this family is described, fitted and steered by: every one of
    :data:`~synth_server.dsp.features.NAMES` but those its held rendering fixes
    (:data:`FIXED_BY_FAMILY`), in NAMES order.

    Raises:
        ValueError: a representation of no known family.
    """
    fixed = FIXED_BY_FAMILY[model_family(stft)]
    return tuple(n for n in NAMES if n not in fixed)
