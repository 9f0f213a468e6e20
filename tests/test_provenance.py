"""Derived checkpoint files record the weights they were made from; a mismatch is refused."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from safetensors.numpy import load, save

from synth_server.artifacts.checkpoint import CheckpointError, load_checkpoint
from synth_server.core.files import FileFormatError, parse_json, write_atomic

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "models" / "default"


def _other_weights(model: Path) -> None:
    """Replace the weights by (slightly) different ones, as a retraining would."""
    tensors = load((model / "weights.safetensors").read_bytes())
    tensors["decoder.0.bias"] = tensors["decoder.0.bias"] + 1e-3
    (model / "weights.safetensors").write_bytes(save(tensors, metadata={"format":
                                                                         "synth-server-checkpoint"}))


def test_every_shipped_derived_file_matches_its_weights():
    for model in sorted((ROOT / "models").iterdir()):
        if (model / "weights.safetensors").is_file():
            checkpoint = load_checkpoint(model)
            # every shipped model is steerable by descriptors, both families (issue 13 item 4)
            assert checkpoint.descriptors is not None and checkpoint.heatmaps, model.name
            names = ["manifold.json", "attributes.json", "descriptors.json", "heatmaps.json"]
            if checkpoint.family == "spectral":  # hpn models have only the PCA pad map yet
                names += ["manifolds.json"]
            names += [n for n in ("manifolds.json", "descriptors.json", "heatmaps.json")
                      if (model / n).is_file() and n not in names]
            for name in names:
                recorded = json.loads((model / name).read_text())["weights_sha256"]
                assert recorded == checkpoint.weights_sha256, (model.name, name)


def test_derived_file_from_other_weights_is_refused_in_one_line(tmp_path):
    model = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL, model, ignore=shutil.ignore_patterns("report"))
    _other_weights(model)
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(model)
    message = str(info.value)
    assert "made from other weights" in message and "\n" not in message
    assert "synth-server fit-manifolds" in message
    # the weights themselves still load (what fit-manifolds / fit-descriptors start from)
    assert load_checkpoint(model, derived=False).manifold is None


def test_heatmaps_drawn_on_other_maps_are_refused(tmp_path):
    model = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL, model, ignore=shutil.ignore_patterns("report"))
    index = json.loads((model / "heatmaps.json").read_text())
    index["manifolds_sha256"] = "0" * 64
    (model / "heatmaps.json").write_text(json.dumps(index))
    with pytest.raises(CheckpointError, match="heatmaps.json: drawn on other manifolds"):
        load_checkpoint(model)


def test_a_file_without_provenance_is_refused(tmp_path):
    model = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL, model, ignore=shutil.ignore_patterns("report"))
    document = json.loads((model / "attributes.json").read_text())
    del document["weights_sha256"]
    (model / "attributes.json").write_text(json.dumps(document))
    with pytest.raises(CheckpointError, match="attributes.json: no record of the weights"):
        load_checkpoint(model)


@pytest.mark.parametrize("text, reason", [
    ('{"a": NaN}', "NaN"), ('{"a": Infinity}', "Infinity"), ('{"a": ' + "9" * 400 + "}", "digits"),
    ("[" * 100 + "]" * 100, "deep"), ('{"a": 1', "not valid JSON")])
def test_bounded_json_refuses_in_one_line(text, reason):
    with pytest.raises(FileFormatError) as info:
        parse_json(text, "x.json")
    assert str(info.value).startswith("x.json: not valid JSON") and "\n" not in str(info.value)
    assert reason in str(info.value)


def test_atomic_write_keeps_a_symlink(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert link.is_symlink() and target.read_text() == "new"


@pytest.mark.system
def test_fit_commands_repair_a_model_whose_derived_files_are_stale(tmp_path, tiny_dataset):
    """Retrained weights beside old maps and surrogate: refused; fit-manifolds then
    fit-descriptors rewrite everything that depended on the old weights, and it loads again."""
    from synth_server.fit.descriptors import fit_descriptors
    from synth_server.fit.manifolds import fit_checkpoint

    model = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL, model, ignore=shutil.ignore_patterns("report"))
    _other_weights(model)
    fit_checkpoint(model, data_dir=tiny_dataset, methods=("pca",))
    with pytest.raises(CheckpointError, match="descriptors.json: made from other weights"):
        load_checkpoint(model)  # the surrogate still describes the old decoder
    heatmaps = json.loads((model / "heatmaps.json").read_text())
    sha = load_checkpoint(model, derived=False).weights_sha256
    assert heatmaps["weights_sha256"] == sha  # redrawn on the new maps by fit-manifolds
    fit_descriptors(model, n_samples=600, max_iter=30, grid=6)
    loaded = load_checkpoint(model)
    assert loaded.weights_sha256 == sha and set(loaded.manifolds) == {"pca"}
    assert loaded.descriptors is not None and loaded.heatmaps
    assert all(key[0] == "pca" for key in loaded.heatmaps)
