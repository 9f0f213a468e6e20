"""The control <-> engine contract: what the performer asks for and what the engine reports.

Both the control layer (OSC, presets, scores) and the engine (renderer, audio process) import
these; neither imports the other. States are immutable: a message builds a new
:class:`ControlState` and publishes it by replacing one reference.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class ControlState:
    """What the performer asked for (targets; the renderer smooths towards them).

    Attributes:
        pad: (x, y) in [0, 1].
        latent: direct latent target (prior standard deviations) or None to follow the pad or
            the sliders.
        manifold: navigation method the pad and sliders go through ("pca", "lle", ...).
        sliders: k slider positions in [0, 1] on the manifold's k-D map, or None to follow
            the pad (the last of /pad, /slider, /latent moved wins).
        offset: latent vector added to the target wherever it comes from (the sum of the
            /attribute amounts times their vectors), or None.
        gain: linear output gain in [0, 1].
        version: increases with every published change.
        received_s: time.monotonic() when the message that made this state arrived (0: not
            from the network); the engine measures control latency from it.
    """

    pad: tuple[float, float] = (0.5, 0.5)
    latent: Optional[tuple[float, ...]] = None
    manifold: str = "pca"
    sliders: Optional[tuple[float, ...]] = None
    offset: Optional[tuple[float, ...]] = None
    gain: float = 0.5
    version: int = 0
    received_s: float = 0.0


@dataclass(frozen=True)
class EngineStatus:
    """What /state reports about the sound (filled by the engine).

    Attributes:
        model_name: loaded checkpoint's name.
        latent_dim: its latent size.
        latent: the latent vector currently sounding (after smoothing).
        target_latent: the latent vector the sound is gliding to.
        underruns: audio blocks that found the ring buffer short.
        nan_frames: decoder frames replaced by silence because they were not finite.
        voices: notes sounding (hpn models; 0 for a spectral model).
        family: the model's family, "hpn" (plays notes) or "spectral".
        level_db: output peak meter, dB re full scale (-120 for silence), falling 20 dB/s.
    """

    model_name: str
    latent_dim: int
    latent: tuple[float, ...]
    target_latent: tuple[float, ...]
    underruns: int = 0
    nan_frames: int = 0
    voices: int = 0
    family: str = "spectral"
    level_db: float = -120.0
