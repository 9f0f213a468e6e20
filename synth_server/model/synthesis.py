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
(stft, mel, logfreq: the decoder gives an STFT magnitude frame) is the only one today. A family
whose decoder takes f0 and loudness from outside (harmonic-plus-noise, "hpn") is described at the
reference pitch :data:`REFERENCE_MIDI_PITCH` (MIDI 60, 261.63 Hz) and reference loudness
:data:`REFERENCE_LOUDNESS_DB` held: its held renderer registers in :data:`HELD_RENDERERS` with
the signature of :func:`held_spectral` and plays that note (docs/descriptors.md).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional

import numpy as np

from synth_server.core.config import StftConfig
from synth_server.dsp.output import output_stage
from synth_server.dsp.streaming import StreamingInverse

CEILING_DB = -0.1  # limiter ceiling, dBFS
DC_CUTOFF_HZ = 5.0  # DC blocker corner
RELEASE_MS = 150.0  # limiter release
GAIN_SNAP = 1e-6  # a smoothed gain below this is exactly 0 (true digital silence)

HELD_STEADY_HOPS = 12  # steady hops held_audio returns: 3072 samples at hop 256, 5 analysis frames
REFERENCE_MIDI_PITCH = 60.0  # the note a pitch-input family is described at (261.63 Hz)
REFERENCE_LOUDNESS_DB = -20.0  # and its loudness (dBFS RMS), for families that take one

FAMILY_OF = {"stft": "spectral", "mel": "spectral", "logfreq": "spectral"}


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


# family -> held renderer: (decoder, stft, latents [batch, d], steady_hops, seed) -> [batch, n]
HELD_RENDERERS: dict[str, Callable[..., np.ndarray]] = {"spectral": held_spectral}


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
