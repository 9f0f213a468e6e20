"""/preset/store, /preset/recall, /interp and /random through the Controller (address table
validation included), with the latent size a real engine status reports."""
from __future__ import annotations

import numpy as np
import pytest

from synth_server.control.addresses import OscArgumentError
from synth_server.control.controller import Controller, EngineStatus


def make(latent_dim: int = 4) -> tuple[Controller, list]:
    status = {"s": EngineStatus("m", latent_dim, (0.0,) * latent_dim, (0.0,) * latent_dim)}
    controller = Controller(lambda: status["s"])
    return controller, [status]


def test_store_recall_and_interpolate():
    controller, _ = make()
    controller.dispatch("/latent", [1.0, 2.0, 3.0, 4.0])
    assert controller.dispatch("/preset/store", ["A"]) == [("/preset/stored", ("A",))]
    controller.dispatch("/latent", [-1.0, -2.0, -3.0, -4.0])
    controller.dispatch("/pad", [0.1, 0.9])  # follow the pad again
    controller.dispatch("/preset/store", ["B"])  # stored: the pad's target (status: zeros)
    controller.dispatch("/preset/recall", ["A"])
    assert controller.state.latent == (1.0, 2.0, 3.0, 4.0)
    controller.dispatch("/interp", ["A", "B", 0.25])
    np.testing.assert_allclose(controller.state.latent, [0.75, 1.5, 2.25, 3.0])
    controller.dispatch("/interp", ["A", "B", 7])  # t is clamped to 1
    np.testing.assert_allclose(controller.state.latent, [0.0] * 4)


def test_unknown_presets_and_bad_arguments_are_refused():
    controller, _ = make()
    with pytest.raises(OscArgumentError, match="no preset"):
        controller.dispatch("/preset/recall", ["nope"])
    with pytest.raises(OscArgumentError):
        controller.dispatch("/interp", ["A", 0.5])
    with pytest.raises(OscArgumentError):
        controller.dispatch("/preset/store", [1.0])


def test_recall_with_another_latent_size_uses_the_pad():
    controller, status = make(4)
    controller.dispatch("/pad", [0.2, 0.3])
    controller.dispatch("/preset/store", ["four"])
    status[0]["s"] = EngineStatus("other", 8, (0.0,) * 8, (0.0,) * 8)
    controller.dispatch("/pad", [0.9, 0.9])
    controller.dispatch("/preset/recall", ["four"])
    assert controller.state.latent is None and controller.state.pad == (0.2, 0.3)
    with pytest.raises(OscArgumentError, match="latent_dim 8"):
        controller.dispatch("/interp", ["four", "four", 0.5])


def test_random_draws_from_the_prior_at_the_temperature():
    controller, _ = make(8)
    draws = []
    for _ in range(400):
        controller.dispatch("/random", [0.5])
        draws.append(controller.state.latent)
    draws = np.asarray(draws)
    assert draws.shape == (400, 8)
    assert 0.4 < draws.std() < 0.6 and abs(draws.mean()) < 0.1
    controller.dispatch("/random", [0])
    assert controller.state.latent == (0.0,) * 8


def test_slerp_keeps_the_radius_where_lerp_shrinks_it():
    controller, _ = make(4)
    controller.dispatch("/latent", [2.0, 0.0, 0.0, 0.0])
    controller.dispatch("/preset/store", ["A"])
    controller.dispatch("/latent", [0.0, 2.0, 0.0, 0.0])
    controller.dispatch("/preset/store", ["B"])
    controller.dispatch("/interp", ["A", "B", 0.5, "slerp"])
    np.testing.assert_allclose(controller.state.latent, [2 ** 0.5, 2 ** 0.5, 0.0, 0.0])
    controller.dispatch("/interp", ["A", "B", 0.5])
    np.testing.assert_allclose(controller.state.latent, [1.0, 1.0, 0.0, 0.0])
    controller.dispatch("/interp", ["A", "B", 1.0, "slerp"])
    np.testing.assert_allclose(controller.state.latent, [0.0, 2.0, 0.0, 0.0], atol=1e-12)
    with pytest.raises(OscArgumentError, match="lerp or slerp"):
        controller.dispatch("/interp", ["A", "B", 0.5, "cubic"])


def test_presets_survive_a_restart_and_a_bad_file_is_left_alone(tmp_path):
    path = tmp_path / "presets.json"
    status = EngineStatus("m", 4, (0.0,) * 4, (0.0,) * 4)
    first = Controller(lambda: status, presets_path=path)
    first.dispatch("/latent", [1.0, 2.0, 3.0, 4.0])
    first.dispatch("/pad", [0.25, 0.75])
    first.dispatch("/latent", [1.0, 2.0, 3.0, 4.0])
    first.dispatch("/preset/store", ["verse"])
    second = Controller(lambda: status, presets_path=path)  # a restart
    second.dispatch("/preset/recall", ["verse"])
    assert second.state.latent == (1.0, 2.0, 3.0, 4.0) and second.state.pad == (0.25, 0.75)
    path.write_text('{"presets": {"x": {"latent": ["nan"], "pad": [0, 0]}}}')
    third = Controller(lambda: status, presets_path=path)
    assert third.presets == {} and "bad preset" in third.presets_error
    third.dispatch("/preset/store", ["chorus"])  # kept for the session, the file untouched
    assert "nan" in path.read_text() and "chorus" in third.presets
