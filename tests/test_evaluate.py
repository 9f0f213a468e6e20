"""`synth-server evaluate`: the report of a tiny model trained in the test (conftest), the MIG
estimator on codes whose answer is known, the held-out split, and the CLI's errors."""
from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from synth_server.app.cli import main
from synth_server.core.config import StftConfig
from synth_server.data.frames import load_frames
from synth_server.data.frames import heldout_split
from synth_server.evaluate.report import discretise, mutual_information_gap

PNG_LIMIT = 150 * 1024


@pytest.fixture(scope="module")
def labelled(tiny_dataset: Path, tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Path, Path]:
    """(dataset copy with a factors.csv, model copy with manifolds.json for pca and isomap)."""
    from synth_server.fit.manifolds import fit_checkpoint

    root = tmp_path_factory.mktemp("evaluate")
    data = root / "data"
    shutil.copytree(tiny_dataset, data)
    lines = ["file,f0_hz,spectral_slope,noise_ratio"]
    i = 0
    for f0 in (110.0, 220.0, 440.0):  # the order conftest.tiny_dataset writes them in
        for slope in (0.5, 1.5, 3.0):
            lines.append(f"tone_{i:02d}.wav,{f0},{slope},0.0")
            i += 1
    (data / "factors.csv").write_text("\n".join(lines) + "\n")
    model = root / "tiny"
    shutil.copytree(tiny_model_dir, model)
    fit_checkpoint(model, data_dir=data, methods=("pca", "isomap"))
    return data, model


def _finite(x) -> bool:
    return x is not None and math.isfinite(float(x))


def test_evaluate_cli_writes_report(labelled: tuple[Path, Path],
                                    capsys: pytest.CaptureFixture) -> None:
    data, model = labelled
    assert main(["evaluate", "--model", str(model), "--data", str(data)]) == 0
    said = capsys.readouterr().out
    assert "MR-STFT held-out: VAE" in said and "MIG: VAE" in said
    report_dir = model / "report"
    text = (report_dir / "report.md").read_text()
    for section in ("## Quality bars", "## Reconstruction (held-out)", "## Latent space",
                    "### Disentanglement (MIG)", "## Manifolds", "## Held-out files",
                    "PCA autoencoder", "| isomap |", "| pca |"):
        assert section in text, section
    r = json.loads((report_dir / "metrics.json").read_text())
    assert r["heldout"]["n_files"] == 1 and r["heldout"]["labels"] == "toy"
    for system in ("vae", "pca", "oracle"):
        assert _finite(r["mrstft"][system]) and r["mrstft"][system] >= 0
        assert _finite(r["pitch_cents"][system])
    assert r["mrstft"]["oracle"] < r["mrstft"]["pca"]
    # generous quality guards on this tiny model (the shipped models' numbers are in their
    # reports: pitch 4 cents, VAE below PCA)
    assert r["pitch_cents"]["vae"] <= 50.0, r["pitch_cents"]
    assert r["mrstft"]["vae"] <= 1.5 * r["mrstft"]["pca"], r["mrstft"]
    assert len(r["kl_per_dim"]["train"]) == len(r["kl_per_dim"]["heldout"]) == 4
    assert all(_finite(v) and v >= 0 for v in r["kl_per_dim"]["train"] + r["kl_per_dim"]["heldout"])
    assert 0 <= r["active_units"] <= 4
    assert r["mig"]["factors"] == ["f0_hz", "spectral_slope"]  # noise_ratio is constant here
    for system in ("vae", "pca"):
        assert 0.0 <= r["mig"][system] <= 1.0
    assert len(r["pca_explained_variance"]) == 4
    assert isinstance(r["bars"]["toy_pitch_median_cents_le_10"]["met"], bool)
    assert r["bars"]["soundfont_vae_mrstft_below_pca"]["met"] is None
    assert set(r["manifolds"]) == {"pca", "isomap"}
    assert r["manifold_anchor_match"] < 1e-3  # anchors are these very encoder means
    pngs = sorted(report_dir.glob("*.png"))
    names = {p.name for p in pngs}
    assert {"latent_scatter.png", "pca_latent_scatter.png", "kl_per_dim.png",
            "reconstruction.png", "manifold_pca.png", "manifold_isomap.png"} <= names
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert 1000 < png.stat().st_size < PNG_LIMIT, png
        assert f"]({png.name})" in text


def test_mig_known_answers() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    a = rng.integers(0, 5, n)
    b = rng.integers(0, 4, n)
    factors = {"a": discretise(a), "b": discretise(b)}
    aligned = np.column_stack([a + 0.05 * rng.standard_normal(n),
                               b + 0.05 * rng.standard_normal(n), rng.standard_normal(n)])
    assert mutual_information_gap(aligned, factors)["mig"] > 0.9
    duplicated = np.column_stack([aligned[:, 0], aligned[:, 0], aligned[:, 1], aligned[:, 1]])
    assert mutual_information_gap(duplicated, factors)["mig"] < 0.05
    noise = rng.standard_normal((n, 3))
    assert mutual_information_gap(noise, factors)["mig"] < 0.05
    assert math.isnan(mutual_information_gap(noise, {})["mig"])
    # a continuous factor is cut into 20 quantile bins
    assert len(np.unique(discretise(rng.standard_normal(n)))) == 20


def test_heldout_split_is_the_training_split(tiny_dataset: Path, tiny_checkpoint) -> None:
    _, owners, files = load_frames(tiny_dataset, StftConfig(), -60.0)
    held = heldout_split(len(files), seed=0)
    assert len(held) == 1
    stats = tiny_checkpoint.meta["stats"]
    assert int(np.isin(owners, list(held)).sum()) == stats["n_validation_frames"]
    assert heldout_split(4, seed=0) == set()


def test_evaluate_bad_model_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.json").write_text("{not json")
    for model in (tmp_path / "missing", tmp_path / "broken"):
        proc = subprocess.run([sys.executable, "-m", "synth_server.app.cli", "evaluate", "--model",
                               str(model)], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("synth-server: error:"), proc.stderr
