"""app/wiring.py: the one Controller builder serve and render share (issue 11, item 6)."""
from __future__ import annotations

import dataclasses

import pytest

from synth_server.app.wiring import Steering, build_controller
from synth_server.control.addresses import OscArgumentError
from synth_server.core.contract import ControlState, EngineStatus
from synth_server.nav.maps import navigation_of


def _status() -> EngineStatus:
    return EngineStatus("default", 8, (0.0,) * 8, (0.0,) * 8, family="hpn")


def test_the_controller_reads_the_steering_of_the_playing_model_and_sees_a_swap_at_once(
        default_checkpoint):
    playing = Steering.of(default_checkpoint)
    assert playing.navigation == navigation_of(default_checkpoint)
    assert playing.descriptors is not None and playing.descriptors.decoder is not None
    assert default_checkpoint.descriptors.decoder is None  # the checkpoint keeps no decoder
    holder = {"steering": playing}
    published: list[ControlState] = []
    controller = build_controller(_status, ControlState(), lambda: holder["steering"],
                                  on_change=published.append)
    names = controller.dispatch("/manifold/list", [])[0][1]
    assert names == playing.navigation[0] and len(names) > 1
    assert set(controller.dispatch("/attribute/list", [])[0][1]) == set(playing.attributes)
    controller.dispatch("/pad", [0.25, 0.75])
    assert published and published[-1].pad == (0.25, 0.75)
    # a hot-swap replaces one reference: every provider follows it
    holder["steering"] = dataclasses.replace(playing, navigation=(("pca",), 2), attributes={},
                                             descriptors=None, heatmaps={})
    assert controller.dispatch("/manifold/list", [])[0][1] == ("pca",)
    assert controller.dispatch("/attribute/list", [])[0][1] == ()
    with pytest.raises(OscArgumentError):
        controller.dispatch("/heatmap", ["centroid_hz"])


def test_without_a_note_sink_notes_are_refused_in_one_line(default_checkpoint):
    steering = Steering.of(default_checkpoint)
    controller = build_controller(_status, ControlState(), lambda: steering)
    with pytest.raises(OscArgumentError, match="notes cannot be played here"):
        controller.dispatch("/note/on", [60, 100])
