"""Checkpoint directories: bit-identical round trip, and refusal of anything that does not match."""
from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from synth_server.core.config import StftConfig, VaeConfig
from synth_server.fit.manifolds import fit_pca
from synth_server.nav.pca import PcaManifold
from synth_server.artifacts.checkpoint import (CheckpointError, load_checkpoint, save_checkpoint,
                                           state_arrays)
from synth_server.model.vae import FrameVAE


def _saved(tmp_path: Path, latent_dim: int = 3) -> tuple[Path, FrameVAE]:
    torch.manual_seed(1)
    model = FrameVAE(VaeConfig(n_bins=513, latent_dim=latent_dim, hidden_sizes=(32, 16)))
    with torch.no_grad():
        model.bin_mean.uniform_(-5, 0)
        model.scale.fill_(2.5)
    latents = np.random.default_rng(0).standard_normal((50, latent_dim))
    path = save_checkpoint(tmp_path / "m", model, StftConfig(n_fft=1024), fit_pca(latents),
                           {"command": "test"})
    return path, model


def test_save_load_is_bit_identical(tmp_path):
    path, model = _saved(tmp_path)
    loaded = load_checkpoint(path)
    before, after = state_arrays(model), state_arrays(FrameVAE.from_arrays(loaded.vae, loaded.arrays))
    assert before.keys() == after.keys()
    for name in before:
        assert before[name].tobytes() == after[name].tobytes(), name
    assert loaded.stft == StftConfig(n_fft=1024)
    assert loaded.vae == model.config
    assert loaded.meta["command"] == "test"
    z = torch.randn(4, 3)
    with torch.inference_mode():
        assert torch.equal(model.eval().decode(z), FrameVAE.from_arrays(loaded.vae, loaded.arrays).decode(z))


def test_checkpoint_holds_no_pickle(tmp_path):
    path, _ = _saved(tmp_path)
    assert sorted(p.name for p in path.iterdir()) == ["config.json", "manifold.json",
                                                      "weights.safetensors"]
    assert not (path / "weights.safetensors").read_bytes().startswith(b"\x80")  # pickle magic


@pytest.mark.parametrize("damage,expected", [
    ("truncate", "not a valid safetensors"),
    ("pickle", "not a valid safetensors"),
    ("latent_dim", "tensor"),
    ("hidden", "tensor"),
    ("missing_weights", "missing"),
    ("bad_json", "not valid JSON"),
    ("manifold_dim", "manifold"),
    ("format", "not a synth-server"),
    ("nan", "non-finite"),
])
def test_loader_refuses_damaged_checkpoints_in_one_line(tmp_path, damage, expected):
    path, model = _saved(tmp_path)
    weights, config_path = path / "weights.safetensors", path / "config.json"
    config = json.loads(config_path.read_text())
    if damage == "truncate":
        weights.write_bytes(weights.read_bytes()[:-1000])
    elif damage == "pickle":
        weights.write_bytes(pickle.dumps({k: v.numpy() for k, v in model.state_dict().items()}))
    elif damage == "latent_dim":
        config["vae"]["latent_dim"] = 5
    elif damage == "hidden":
        config["vae"]["hidden_sizes"] = [32, 17]
    elif damage == "missing_weights":
        weights.unlink()
    elif damage == "bad_json":
        config_path.write_text("{not json")
    elif damage == "manifold_dim":
        manifold = json.loads((path / "manifold.json").read_text())
        manifold["mean"] = manifold["mean"][:-1]
        (path / "manifold.json").write_text(json.dumps(manifold))
    elif damage == "format":
        config["format"] = "something-else"
    elif damage == "nan":
        from safetensors.torch import save_file
        tensors = {k: v.clone() for k, v in model.state_dict().items()}
        tensors["decoder.0.weight"][0, 0] = float("nan")
        save_file(tensors, str(weights))
    if damage in ("latent_dim", "hidden", "format"):
        config_path.write_text(json.dumps(config))
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message and len(message) < 400


def test_loader_refuses_a_file_instead_of_a_directory(tmp_path):
    (tmp_path / "x").write_text("hello")
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "x")


def test_trained_tiny_model_reloads_and_copies(tiny_model_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(tiny_model_dir, copy)
    a, b = load_checkpoint(tiny_model_dir), load_checkpoint(copy)
    assert a.name == "tiny" and b.name == "copy"
    for name, value in state_arrays(FrameVAE.from_arrays(a.vae, a.arrays)).items():
        assert value.tobytes() == state_arrays(FrameVAE.from_arrays(b.vae, b.arrays))[name].tobytes()
