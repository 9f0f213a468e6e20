"""`train --out DIR` onto an existing model (issue 11): refused unless --resume or --force; with
--force the old folder is kept beside, byte-identical; nothing derived (descriptors, heatmaps,
report) is carried into the new model. Real training of a tiny model, partly through the CLI."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import sigkill_when
from synth_server.core.config import StftConfig, TrainConfig
from synth_server.artifacts.checkpoint import load_checkpoint
from synth_server.train.loop import OutputExistsError, output_mode, train_model

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "models" / "default"
TINY = {"vae_hidden": (32, 16), "progress": False, "manifold_methods": ("pca",)}
TRAIN = TrainConfig(epochs=2, warmup_epochs=1, batch_size=64)
CLI_TINY = ["--hidden", "32,16", "--epochs", "2", "--warmup-epochs", "1", "--batch-size", "64",
            "--manifolds", "pca", "--quiet"]
# what a training writes, and all it may publish
TRAINED = {"config.json", "weights.safetensors", "manifold.json", "manifolds.json",
           "manifolds.npz", "attributes.json", "train"}
DERIVED = ("descriptors.json", "descriptors.npz", "heatmaps.json", "heatmaps", "report",
           "README.md")


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (and an entry for each sub-folder), by path."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return out


def synth_server(*args: str) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess (``python -m synth_server.app.cli``: the same ``main`` as the
    ``synth-server`` script, and the code under test whatever the installed script points at)."""
    return subprocess.run([sys.executable, "-m", "synth_server.app.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def add_derived_files(model: Path) -> None:
    """Give ``model`` the shipped default model's descriptor surrogate, heatmaps and report,
    as ``fit-descriptors`` / ``evaluate`` would, plus a README of the user's. They were made from
    other weights, so the old model loads only without its derived files (derived=False)."""
    for name in ("descriptors.json", "descriptors.npz", "heatmaps.json"):
        shutil.copy2(DEFAULT_MODEL / name, model / name)
    for name in ("heatmaps", "report"):
        shutil.copytree(DEFAULT_MODEL / name, model / name)
    (model / "README.md").write_text("my notes on this model\n")


@pytest.fixture(scope="module")
def old_model(tiny_dataset, tmp_path_factory) -> Path:
    """A tiny trained model (latent_dim 8, as the copied descriptors) with descriptors, heatmaps, a report and a README."""
    out = tmp_path_factory.mktemp("old") / "model"
    train_model(tiny_dataset, out, stft=StftConfig(), latent_dim=8, train=TRAIN, **TINY)
    add_derived_files(out)
    return out


@pytest.fixture
def models(old_model, tmp_path) -> Path:
    """A folder of models holding a copy of ``old_model`` as ``default``."""
    shutil.copytree(old_model, tmp_path / "models" / "default")
    return tmp_path / "models"


def test_cli_refuses_an_existing_model_before_reading_data(models, tiny_dataset):
    target = models / "default"
    before = tree_hashes(target)
    for data in (tiny_dataset, models.parent / "no-such-data"):
        result = synth_server("train", "--data", str(data), "--out", str(target), *CLI_TINY)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("synth-server: error: train: "), lines
        assert "not empty" in lines[0] and "--force" in lines[0] and "--resume" in lines[0]
        assert "no-such-data" not in result.stderr  # refused before the data was looked at
        assert tree_hashes(target) == before
        assert sorted(p.name for p in models.iterdir()) == ["default"]  # nothing beside


def test_train_model_refuses_too(models, tiny_dataset):
    target = models / "default"
    before = tree_hashes(target)
    with pytest.raises(OutputExistsError, match="not empty"):
        train_model(models.parent / "no-such-data", target, stft=StftConfig(), train=TRAIN,
                    **TINY)
    # --resume of a folder without training state is no licence to replace it either
    shutil.rmtree(target / "train")
    before = tree_hashes(target)
    with pytest.raises(OutputExistsError, match="no train/last.ckpt"):
        train_model(tiny_dataset, target, stft=StftConfig(), train=TRAIN, resume=True, **TINY)
    assert tree_hashes(target) == before
    assert sorted(p.name for p in models.iterdir()) == ["default"]
    file = models / "file"
    file.write_text("x")
    with pytest.raises(OutputExistsError, match="not a directory"):
        output_mode(file, force=True)
    (models / "empty").mkdir()
    assert output_mode(models / "empty") == "new" == output_mode(models / "missing")


def test_cli_force_keeps_the_old_model_beside_and_carries_nothing_over(models, tiny_dataset):
    target = models / "default"
    before = tree_hashes(target)
    assert load_checkpoint(target, derived=False).vae.latent_dim == 8
    result = synth_server("train", "--data", str(tiny_dataset), "--out", str(target),
                          "--latent-dim", "3", "--force", *CLI_TINY)
    assert result.returncode == 0, result.stderr
    kept = [p for p in models.iterdir() if p.name != "default"]
    assert len(kept) == 1 and kept[0].name.startswith("default.old-"), kept
    assert f"kept the previous {target} as {kept[0]}" in result.stdout
    assert tree_hashes(kept[0]) == before  # the old model, byte-identical, under its new name
    assert load_checkpoint(kept[0], derived=False).vae.latent_dim == 8
    new = load_checkpoint(target)  # another latent size: loads, with nothing of the old one
    assert new.vae.latent_dim == 3
    assert {p.name for p in target.iterdir()} <= TRAINED
    assert not any((target / name).exists() for name in DERIVED)
    assert (target / "train" / "last.ckpt").is_file()
    assert f"logs in {target}/train/logs/" in result.stdout
    assert not [p for p in models.iterdir() if p.name.startswith(".")]  # no staging left


def test_force_never_clobbers_an_earlier_copy(models, tiny_dataset, monkeypatch):
    import synth_server.core.files as files

    monkeypatch.setattr(files.time, "strftime", lambda fmt, *a: "20250101-120000")
    target = models / "default"
    old = tree_hashes(target)
    first = train_model(tiny_dataset, target, stft=StftConfig(), latent_dim=2, train=TRAIN,
                        force=True, **TINY)
    middle = tree_hashes(target)
    second = train_model(tiny_dataset, target, stft=StftConfig(), latent_dim=3, train=TRAIN,
                         force=True, **TINY)
    assert Path(first["previous_model"]).name == "default.old-20250101-120000"
    assert Path(second["previous_model"]).name == "default.old-20250101-120000-2"
    assert tree_hashes(Path(first["previous_model"])) == old
    assert tree_hashes(Path(second["previous_model"])) == middle
    assert load_checkpoint(target).vae.latent_dim == 3


def test_an_interrupted_force_training_leaves_the_old_model_as_it_was(models, tiny_dataset,
                                                                      monkeypatch):
    from synth_server.train import loop

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(loop, "save_checkpoint", crash)
    target = models / "default"
    before = tree_hashes(target)
    with pytest.raises(KeyboardInterrupt):
        train_model(tiny_dataset, target, stft=StftConfig(), train=TRAIN, force=True, **TINY)
    assert tree_hashes(target) == before
    assert sorted(p.name for p in models.iterdir()) == ["default"]


def test_a_sigkilled_force_training_leaves_a_staging_folder_the_next_run_removes(
        models, tiny_dataset):
    """SIGKILL (no handler runs) while training into the staging folder: the old model stays
    byte-identical; the next training removes the dead run's staging folder, says so in one
    line, and publishes."""
    target = models / "default"
    before = tree_hashes(target)
    proc = subprocess.Popen(
        [sys.executable, "-m", "synth_server.app.cli", "train", "--data", str(tiny_dataset),
         "--out", str(target), "--force", *CLI_TINY[:2], "--epochs", "500", *CLI_TINY[4:]],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    state = sigkill_when(proc, lambda: list(models.glob(".default.staging-*/train/last.ckpt")))
    stale = state[0].parent.parent
    assert stale.is_dir() and tree_hashes(target) == before
    result = synth_server("train", "--data", str(tiny_dataset), "--out", str(target),
                          "--force", *CLI_TINY)
    assert result.returncode == 0, result.stderr
    removed = [line for line in result.stderr.splitlines() if "removed" in line]
    assert len(removed) == 1 and str(stale) in removed[0] and f"process {proc.pid} " in removed[0]
    assert not stale.exists()
    assert not [p for p in models.iterdir() if p.name.startswith(".")]
    assert not [p for p in target.iterdir() if p.name.startswith(".")]
    kept = [p for p in models.iterdir() if p.name != "default"]
    assert len(kept) == 1 and tree_hashes(kept[0]) == before


def test_resume_continues_and_drops_what_the_old_weights_made(models, tiny_dataset):
    target = models / "default"
    before = tree_hashes(target)
    result = synth_server("train", "--data", str(tiny_dataset), "--out", str(target),
                          "--latent-dim", "8", "--resume", *CLI_TINY[:2], "--epochs", "3",
                          *CLI_TINY[4:])
    assert result.returncode == 0, result.stderr
    new = load_checkpoint(target)
    assert new.meta["stats"]["resumed_from_epoch"] == 2
    assert new.meta["stats"]["epochs_trained"] == 3
    assert {p.name for p in target.iterdir()} <= TRAINED
    assert not any((target / name).exists() for name in DERIVED)
    logs = sorted(p.name for p in (target / "train" / "logs").iterdir())
    assert logs == ["version_0", "version_1"]  # the training state and logs continue
    # the old folder held the user's files: it is kept beside, all but the state that moved on
    kept = [p for p in models.iterdir() if p.name != "default"]
    assert len(kept) == 1 and kept[0].name.startswith("default.old-")
    assert f"kept the previous {target} as {kept[0]}" in result.stdout
    assert tree_hashes(kept[0]) == {k: v for k, v in before.items()
                                    if not k.startswith("train")}
    assert (target / "weights.safetensors").read_bytes() != \
        (kept[0] / "weights.safetensors").read_bytes()


def test_resume_of_a_plain_training_keeps_nothing_beside(tiny_dataset, tmp_path):
    target = tmp_path / "models" / "m"
    train_model(tiny_dataset, target, stft=StftConfig(), latent_dim=4, train=TRAIN, **TINY)
    stats = train_model(tiny_dataset, target, stft=StftConfig(), latent_dim=4, resume=True,
                        train=TrainConfig(**{**TRAIN.__dict__, "epochs": 3}), **TINY)
    assert stats["resumed_from_epoch"] == 2 and stats["previous_model"] is None
    assert os.listdir(target.parent) == ["m"]
    assert load_checkpoint(target).meta["stats"]["epochs_trained"] == 3
