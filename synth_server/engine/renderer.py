"""Latent → audio: the code shared by ``serve`` (one hop per call) and ``render`` (many hops).

Per hop: map the newest control state to a latent target (manifold matrix product), smooth it
(one-pole, ``smoothing_ms``), decode one magnitude frame (:class:`NumpyDecoder`), replace a
non-finite frame by silence (counted), build phase and overlap-add (:class:`StreamingInverse`;
steps shared with the descriptor fit in :mod:`synth_server.model.synthesis`),
apply the smoothed gain as a per-sample ramp, remove DC (one-pole high-pass), and limit the peak
to ``ceiling_db`` (hop-wise gain reduction with instant attack and ``release_ms`` release, then a
hard ceiling for the rare early-hop peak).

:meth:`Renderer.render_block` does the same for many hops at once (batched matrix products and
FFTs) and produces the same samples as calling :meth:`Renderer.render_hop` hop by hop.
"""
from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Optional

import numpy as np

from synth_server.core.contract import ControlState, EngineStatus
from synth_server.dsp.output import smooth_controls
# the synthesis after the decoder is shared with the descriptor fit (model.synthesis); the
# output-stage constants are re-exported here for the engine's other modules
from synth_server.model.synthesis import (CEILING_DB, DC_CUTOFF_HZ, GAIN_SNAP,  # noqa: F401
                                          RELEASE_MS, OutputStage, make_inverse, synthesise)
from synth_server.nav.maps import latent_target

if TYPE_CHECKING:  # the engine is handed a loaded checkpoint; it never reads one
    from synth_server.artifacts.checkpoint import Checkpoint

log = logging.getLogger(__name__)


class Renderer:
    """Renders ``hop_length`` samples per hop from control states.

    Args:
        checkpoint: loaded model.
        smoothing_ms: time constant of the latent and gain smoothing (ms).
        channels: output channels (the mono synthesis is copied to each).
        seed: seed for the phase generator.
        ceiling_db: limiter ceiling in dBFS (output peak never exceeds it).
        phase: "peak" (peak-locked propagation, 10 us a frame: the default) or "rtpghi"
            (real-time phase-gradient heap integration, Prusa & Holighaus 2017: better on glides
            and attacks, ~150 us a frame). See docs/latency.md.
    Raises:
        ValueError: unknown ``phase``.
    """

    def __init__(self, checkpoint: Checkpoint, smoothing_ms: float = 15.0, channels: int = 2,
                 seed: int = 0, ceiling_db: float = CEILING_DB, phase: str = "peak"):
        self.checkpoint = checkpoint
        self.stft = checkpoint.stft
        self.hop_length = checkpoint.stft.hop_length
        self.sample_rate = checkpoint.stft.sample_rate
        self.channels = channels
        self.latent_dim = checkpoint.vae.latent_dim
        self._decoder = checkpoint.decoder()
        self._inverse = make_inverse(phase, self.stft.n_fft, self.hop_length, seed)
        self.phase = phase
        hop_s = self.hop_length / self.sample_rate
        self._alpha = 1.0 - math.exp(-hop_s / max(smoothing_ms / 1000.0, 1e-6))
        self._stage = OutputStage(self.sample_rate, self.hop_length, ceiling_db)
        self.ceiling = self._stage.ceiling
        start = checkpoint.manifold.to_latent(np.array([0.5, 0.5]))
        self.latent = start.astype(np.float64)  # smoothed latent (updated in place)
        self.target = self.latent.copy()
        self._gain = np.zeros(1)  # smoothed gain: fades in from silence
        self.nan_frames = 0
        self.hops = 0
        self._targets_cache: tuple[Optional[ControlState], np.ndarray] = (None, self.target)

    @property
    def gain(self) -> float:
        """Smoothed linear gain now."""
        return float(self._gain[0])

    @property
    def limiter_gain(self) -> float:
        """Current limiter gain (1.0 = not limiting)."""
        return float(self._stage.limiter[0])

    def status(self, underruns: int = 0) -> EngineStatus:
        """Snapshot for /state."""
        return EngineStatus(
            model_name=self.checkpoint.name, latent_dim=self.latent_dim,
            latent=tuple(float(v) for v in self.latent),
            target_latent=tuple(float(v) for v in self.target),
            underruns=underruns, nan_frames=self.nan_frames,
        )

    def target_for(self, state: ControlState) -> np.ndarray:
        """Latent target [latent_dim] float64 of a control state (cached for the last state)."""
        cached_state, cached = self._targets_cache
        if state is not cached_state:
            cached = np.asarray(latent_target(state, self.checkpoint.manifolds,
                                              self.latent_dim), dtype=np.float64)
            self._targets_cache = (state, cached)
        return cached

    def decode_magnitude(self, z: np.ndarray) -> np.ndarray:
        """Normalised magnitude frames [batch, n_bins] float32 for z [batch, latent_dim]
        (DC bin zeroed, ``output_gain`` applied)."""
        return self._decoder.magnitude(z)

    def render_hop(self, state: ControlState) -> np.ndarray:
        """The next hop of audio.

        Args:
            state: newest control state.
        Returns:
            np.ndarray [hop_length, channels] float32, peak <= the ceiling (a new array).
        """
        return self.render_block(self.target_for(state)[None, :], np.array([state.gain]))

    def render_block(self, targets: np.ndarray, gains: np.ndarray) -> np.ndarray:
        """The next ``n`` hops, one latent target and one gain target per hop.

        Args:
            targets: np.ndarray [n, latent_dim], latent targets (prior standard deviations).
            gains: np.ndarray [n], linear gain targets in [0, 1].
        Returns:
            np.ndarray [n * hop_length, channels] float32, finite, peak <= the ceiling.
        """
        n = targets.shape[0]
        latents = np.empty((n, self.latent_dim), dtype=np.float64)
        hop_gains = np.empty(n + 1, dtype=np.float64)
        smooth_controls(np.asarray(targets, dtype=np.float64), np.asarray(gains, dtype=np.float64),
                        self.latent, self._gain, self._alpha, GAIN_SNAP, latents, hop_gains)
        self.target = targets[-1]
        magnitude = self._decoder.magnitude(latents)
        out, bad_frames, bad_samples = synthesise(magnitude, self._inverse, self._stage,
                                                  hop_gains, self.channels)
        if bad_frames:
            self._report_nan(bad_frames)
        if bad_samples:
            self._report_nan(1)  # cannot come from finite frames; never reaches the device
        self.hops += n
        return out

    def _report_nan(self, frames: int) -> None:
        before = self.nan_frames
        self.nan_frames += frames
        if before == 0 or before // 1000 != self.nan_frames // 1000:
            log.warning("decoder produced non-finite values (%d frames so far): silenced",
                        self.nan_frames)
