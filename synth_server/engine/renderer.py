"""Latent → audio, one hop at a time: the code shared by ``serve`` and ``render``.

Per hop: read the newest control state, map it to a latent target (manifold matrix product),
smooth (one-pole, ``smoothing_ms``), decode one magnitude frame (torch, inference mode, one
thread), build its phase and overlap-add (:class:`StreamingInverse`), apply the smoothed gain,
and replace anything non-finite by silence.
"""
from __future__ import annotations

import logging
import math

import numpy as np
import torch

from synth_server.control.controller import ControlState, EngineStatus, latent_target
from synth_server.model.checkpoint import Checkpoint
from synth_server.representation.streaming import StreamingInverse

log = logging.getLogger(__name__)


class Renderer:
    """Renders ``hop_length`` stereo samples per call from a control state.

    Args:
        checkpoint: loaded model.
        smoothing_ms: time constant of the latent and gain smoothing (ms).
        channels: output channels (the mono synthesis is copied to each).
        seed: seed for the phase generator.
    """

    def __init__(self, checkpoint: Checkpoint, smoothing_ms: float = 15.0, channels: int = 2,
                 seed: int = 0):
        self.checkpoint = checkpoint
        self.stft = checkpoint.stft
        self.hop_length = checkpoint.stft.hop_length
        self.sample_rate = checkpoint.stft.sample_rate
        self.channels = channels
        self.latent_dim = checkpoint.vae.latent_dim
        self._model = checkpoint.model
        self._level = checkpoint.output_gain
        self._inverse = StreamingInverse(self.stft.n_fft, self.hop_length, seed)
        hop_s = self.hop_length / self.sample_rate
        self._alpha = 1.0 - math.exp(-hop_s / max(smoothing_ms / 1000.0, 1e-6))
        start = checkpoint.manifold.to_latent(np.array([0.5, 0.5]))
        self.latent = start.copy()
        self.target = start.copy()
        self.gain = 0.0  # fades in from silence
        self.nan_frames = 0
        self.hops = 0
        self._z = torch.zeros(1, self.latent_dim)
        self._ramp = (np.arange(1, self.hop_length + 1) / self.hop_length)[:, None]
        self._out = np.zeros((self.hop_length, channels), dtype=np.float32)

    def status(self, underruns: int = 0) -> EngineStatus:
        """Snapshot for /state."""
        return EngineStatus(
            model_name=self.checkpoint.name, latent_dim=self.latent_dim,
            latent=tuple(float(v) for v in self.latent),
            target_latent=tuple(float(v) for v in self.target),
            underruns=underruns, nan_frames=self.nan_frames,
        )

    @torch.inference_mode()
    def decode_magnitude(self, z: np.ndarray) -> np.ndarray:
        """Normalised magnitude frame [n_bins] float64 for one latent vector z [latent_dim].

        The DC bin is zeroed and the checkpoint's ``output_gain`` applied.
        """
        self._z[0] = torch.from_numpy(z.astype(np.float32))
        model = self._model
        log_mag = model.denormalise(model.decode(self._z))[0].numpy().astype(np.float64)
        magnitude = np.maximum(np.exp(log_mag) - self.stft.log_floor, 0.0) * self._level
        magnitude[0] = 0.0  # no DC: a speaker cone should not drift
        return magnitude

    def render_hop(self, state: ControlState) -> np.ndarray:
        """The next hop of audio.

        Args:
            state: newest control state.
        Returns:
            np.ndarray [hop_length, channels] float32 in [-1, 1] (a view of an internal buffer:
            copy it before the next call).
        """
        self.target = latent_target(state, self.checkpoint.manifold.to_latent, self.latent_dim)
        self.latent += self._alpha * (self.target - self.latent)
        magnitude = self.decode_magnitude(self.latent)
        if not np.isfinite(magnitude).all():
            self.nan_frames += 1
            if self.nan_frames == 1 or self.nan_frames % 1000 == 0:
                log.warning("decoder produced non-finite values (%d frames so far): silenced",
                            self.nan_frames)
            magnitude = np.zeros_like(magnitude)
        mono = self._inverse.process(magnitude)
        new_gain = self.gain + self._alpha * (state.gain - self.gain)
        gains = self.gain + (new_gain - self.gain) * self._ramp[:, 0]
        self.gain = new_gain
        mono = np.nan_to_num(mono * gains, nan=0.0, posinf=0.0, neginf=0.0)
        np.clip(mono, -1.0, 1.0, out=mono)
        self._out[:] = mono[:, None]
        self.hops += 1
        return self._out
