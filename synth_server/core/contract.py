"""The control <-> engine contract: what the performer asks for and what the engine reports.

Both the control layer (OSC, presets, scores) and the engine (renderer, audio process) import
these; neither imports the other. States are immutable: a message builds a new
:class:`ControlState` and publishes it by replacing one reference. What the engine tells the
server afterwards (a model handed over, a load refused, a recording that stopped by itself)
arrives as one of the :data:`EngineEvent` dataclasses, dispatched with ``match``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union


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
        synthesis_hop: samples the engine renders per decoder run (divides the model's
            hop_length; 0: not reported).
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
    synthesis_hop: int = 0


@dataclass(frozen=True)
class Swapped:
    """The engine finished a hand-over: ``model_name`` is what plays now.

    Attributes:
        model_name: the checkpoint's name.
        latent_dim: its latent size.
        hotswap_ms: from the /model/load request to the end of the crossfade, on the audio
            clock (ms).
        crossfade_ms: the crossfade's length (ms).
        requested_s: time.monotonic() of the request (s).
        first_sample: output frame where the crossfade began (counted from the stream start).
        last_sample: output frame where it ended.
    """

    model_name: str
    latent_dim: int
    hotswap_ms: float = 0.0
    crossfade_ms: float = 0.0
    requested_s: float = 0.0
    first_sample: int = 0
    last_sample: int = 0


@dataclass(frozen=True)
class LoadFailed:
    """The engine refused a model (another sample rate or hop, a slot it could not build) or
    dropped a waiting one for a newer request; the playing model plays on.

    Attributes:
        reason: one line, e.g. ``"superseded by default"``.
    """

    reason: str


@dataclass(frozen=True)
class RecordEnded:
    """The recording stopped by itself (a failed write, the size cap, the disk nearly full).

    Attributes:
        summary: the recorder's summary (:meth:`synth_server.engine.recorder.WavRecorder.summary`):
            {"path", "frames", "seconds", "bytes", "dropped_frames", "complete", "failed",
            "error"}.
    """

    summary: dict[str, Any]


EngineEvent = Union[Swapped, LoadFailed, RecordEnded]
"""What the engine reports through its ``on_event`` callback (from its watcher thread)."""
