"""The one place a :class:`~synth_server.control.controller.Controller` is wired to a model and
an engine: ``serve`` (app/server.py) and ``render`` (app/render.py) both build theirs here.

The controller reads what it steers with (manifold names and slider count, attribute vectors,
descriptor surrogate, heatmaps) through one provider returning a :class:`Steering`, so a
server that hot-swaps models replaces one reference and the controller sees the new model's
maps all at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from synth_server.control.controller import Controller
from synth_server.core.contract import ControlState, EngineStatus
from synth_server.nav.maps import navigation_of
from synth_server.nav.surrogate import playable_surrogate


@dataclass(frozen=True)
class Steering:
    """What the controller steers a model with (derived from one loaded checkpoint).

    Attributes:
        navigation: (manifold names in :data:`synth_server.nav.maps.METHODS` order, slider
            count) (:func:`synth_server.nav.maps.navigation_of`).
        attributes: attribute name -> latent direction [latent_dim] float32 (/attribute).
        descriptors: the descriptor surrogate with its decoder attached
            (:func:`synth_server.nav.surrogate.playable_surrogate`), or None when the model has
            no descriptor data (/descriptor is refused).
        heatmaps: (manifold, descriptor) -> PNG path (/heatmap).
    """

    navigation: tuple[tuple[str, ...], int]
    attributes: dict[str, np.ndarray]
    descriptors: Any
    heatmaps: dict[tuple[str, str], str]

    @classmethod
    def of(cls, checkpoint: Any) -> "Steering":
        """The steering data of a loaded checkpoint
        (:class:`synth_server.artifacts.checkpoint.Checkpoint`)."""
        return cls(navigation_of(checkpoint), checkpoint.attributes,
                   playable_surrogate(checkpoint), checkpoint.heatmaps)


def build_controller(status: Callable[[], EngineStatus], initial: ControlState,
                     steering: Callable[[], Steering], *,
                     on_change: Optional[Callable[[ControlState], None]] = None,
                     notes: Optional[Any] = None,
                     model_loader: Optional[Callable[[str, float, str], None]] = None,
                     latency: Optional[Callable[[], tuple[float, float]]] = None,
                     model_names: Optional[Callable[[], list[str]]] = None,
                     presets_path: Optional[Any] = None,
                     recording: Optional[Callable[[], Optional[tuple[str, str]]]] = None
                     ) -> Controller:
    """A Controller for one engine and the model it plays.

    Args:
        status: the engine's status (``CallbackEngine.status``, or a fixed one offline).
        initial: the first control state.
        steering: returns the playing model's :class:`Steering` (read on every message that
            needs it, so a hot-swap is seen at once).
        on_change: receives every new control state (``CallbackEngine.publish``); None: the
            caller reads ``controller.state`` itself (the offline spectral renderer).
        notes: the note sink (``CallbackEngine``: note_on / note_off / all_notes_off), or None
            (notes refused).
        model_loader, latency, model_names, presets_path, recording: serve's extras, passed to
            :class:`~synth_server.control.controller.Controller` as they are (None: that
            feature is off).
    Returns:
        the Controller.
    """
    return Controller(status, initial, on_change=on_change, model_loader=model_loader,
                      latency=latency, model_names=model_names,
                      navigation=lambda: steering().navigation,
                      attributes=lambda: steering().attributes,
                      descriptors=lambda: steering().descriptors,
                      heatmaps=lambda: steering().heatmaps, presets_path=presets_path,
                      recording=recording, notes=notes)
