"""Training engine (issue 5): schedules, divergences, representations, Lightning training with
resume, atomic writes and CSV logs, and checkpoints of every representation x regulariser."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from synth_server.core.config import REGULARISERS, SPECTRAL_REPRESENTATIONS, StftConfig, TrainConfig, VaeConfig
from synth_server.fit.manifolds import fit_pca
from synth_server.nav.pca import PcaManifold
from synth_server.artifacts.checkpoint import (CheckpointError, load_checkpoint, save_checkpoint,
                                           state_arrays)
from synth_server.model.runtime import NumpyDecoder
from synth_server.dsp.filterbank import band_synthesis, n_features
from synth_server.model.vae import FrameVAE
from synth_server.dsp.filterbank import (band_magnitude, magnitude_from_bands,
                                                    round_trip_quality, synthesis_matrix)
from synth_server.dsp.stft import stft_magnitude
from synth_server.dsp.streaming import stream_inverse
from synth_server.train.loop import train_model, training_step
from synth_server.train.regularisers import (active_units, beta_at, mmd_imq, regulariser_loss,
                                             sliced_wasserstein)

ROOT = Path(__file__).resolve().parents[1]
TINY = dict(vae_hidden=(32, 16), latent_dim=3, progress=False)


# -- schedules ----------------------------------------------------------------------------

def test_beta_schedules():
    constant = TrainConfig(beta=2.0, beta_schedule="constant")
    assert beta_at(0, 10, constant) == beta_at(999, 10, constant) == 2.0
    linear = TrainConfig(beta=2.0, warmup_epochs=4)
    assert [beta_at(s, 10, linear) for s in (0, 10, 20, 40, 400)] == \
        pytest.approx([0.0, 0.5, 1.0, 2.0, 2.0])
    # Fu et al. 2019: 8 epochs x 10 steps, 2 cycles of 40 steps, rising over the first half
    cyc = TrainConfig(beta=1.0, beta_schedule="cyclical", epochs=8, cycles=2, cycle_ratio=0.5)
    assert [beta_at(s, 10, cyc) for s in (0, 10, 20, 39, 40, 50, 60, 79)] == \
        pytest.approx([0.0, 0.5, 1.0, 1.0, 0.0, 0.5, 1.0, 1.0])
    with pytest.raises(ValueError):
        beta_at(0, 10, TrainConfig(beta_schedule="sigmoid"))


# -- divergences --------------------------------------------------------------------------

@pytest.mark.parametrize("divergence", [mmd_imq, sliced_wasserstein])
def test_divergence_is_zero_for_prior_samples_and_positive_when_shifted(divergence):
    g = torch.Generator().manual_seed(0)
    z = torch.randn(512, 8, generator=g)
    prior = torch.randn(512, 8, generator=g)
    same = float(divergence(z, prior))
    shifted = float(divergence(z + 1.0, prior))
    squeezed = float(divergence(0.2 * z, prior))
    assert abs(same) < 0.02  # finite-sample noise (MMD: unbiased; SWD: ~0.011 bias at n=512)
    assert shifted > 0.5 and shifted > 20 * abs(same)
    assert squeezed > 0.3


def test_regulariser_loss_kl_closed_form_and_names():
    mu, logvar = torch.zeros(4, 3), torch.zeros(4, 3)
    assert float(regulariser_loss("kl", mu, mu, logvar)) == 0.0
    assert float(regulariser_loss("kl", mu + 1.0, mu + 1.0, logvar)) == pytest.approx(1.5)
    with pytest.raises(ValueError):
        regulariser_loss("js", mu, mu, logvar)
    n, var = active_units(torch.tensor([[0.0, 1.0], [0.0, -1.0], [0.001, 0.5]]))
    assert n == 1 and var[0] < 0.01 < var[1]


# -- representations ----------------------------------------------------------------------

def test_filterbank_inverses_preserve_power_and_stft_is_identity():
    rng = np.random.default_rng(0)
    mag = rng.random((5, 1025)).astype(np.float32)
    assert np.array_equal(synthesis_matrix(StftConfig()), np.eye(1025))
    for rep in ("mel", "logfreq"):
        stft = StftConfig(representation=rep)
        back = magnitude_from_bands(band_magnitude(mag, stft), stft)
        assert back.shape == mag.shape and (back >= 0).all()
        np.testing.assert_allclose((back ** 2).sum(1), (mag ** 2).sum(1), rtol=0.01)


def test_round_trip_quality_orders_representations():
    t = np.arange(24000) / 48000.0
    y = (0.3 * sum(np.sin(2 * np.pi * 220.0 * k * t) / k for k in range(1, 20))).astype(np.float32)
    results = {rep: round_trip_quality(y, StftConfig(representation=rep), n_iter=8)
               for rep in SPECTRAL_REPRESENTATIONS}
    assert results["stft"]["spectral_convergence"] < 1e-3
    for rep in ("mel", "logfreq"):
        assert 0.0 < results[rep]["spectral_convergence"] < 1.0
        assert np.isfinite(results[rep]["mrstft"])


def _tiny_model(stft: StftConfig, regulariser: str, seed: int = 0) -> FrameVAE:
    """A tiny VAE for ``stft``'s representation after two optimisation steps on random frames."""
    torch.manual_seed(seed)
    model = FrameVAE(VaeConfig(n_bins=n_features(stft), latent_dim=3, hidden_sizes=(16, 8)))
    with torch.no_grad():
        model.bin_mean.uniform_(-6.0, -2.0)
        model.scale.fill_(2.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    batch = torch.randn(32, n_features(stft))
    for _ in range(2):
        result = training_step(model, optimizer, batch, beta=1.0, regulariser=regulariser)
    assert np.isfinite(result["loss"])
    return model.eval()


@pytest.mark.parametrize("regulariser", REGULARISERS)
@pytest.mark.parametrize("representation", SPECTRAL_REPRESENTATIONS)
def test_every_representation_and_regulariser_round_trips_its_checkpoint(
        tmp_path, representation, regulariser):
    stft = StftConfig(representation=representation)
    model = _tiny_model(stft, regulariser)
    train = TrainConfig(regulariser=regulariser)
    latents = np.random.default_rng(0).standard_normal((40, 3))
    save_checkpoint(tmp_path / "m", model, stft, fit_pca(latents),
                    {"train": {"regulariser": train.regulariser}, "output_gain": 2.0})
    loaded = load_checkpoint(tmp_path / "m")
    assert loaded.stft == stft and loaded.stft.representation == representation
    assert loaded.meta["train"]["regulariser"] == regulariser
    z = torch.from_numpy(np.random.default_rng(1).standard_normal((6, 3)).astype(np.float32))
    with torch.no_grad():
        before, after = model.decode(z), FrameVAE.from_arrays(loaded.vae, loaded.arrays).decode(z)
    assert torch.equal(before, after)
    decoder = loaded.decoder()
    mag = decoder.magnitude(z.numpy())
    assert mag.shape == (6, stft.n_bins) and mag.dtype == np.float32 and decoder.n_bins == 1025
    assert np.isfinite(mag).all() and (mag >= 0).all() and (mag[:, 0] == 0).all()
    # the same numbers through torch and the filterbank inverse (float32 rounding)
    with torch.no_grad():
        bands = np.maximum(np.exp(model.denormalise(before).numpy()) - stft.log_floor, 0) * 2.0
    expected = magnitude_from_bands(bands, stft)
    expected[:, 0] = 0.0
    np.testing.assert_allclose(mag, expected, rtol=2e-4, atol=1e-7)
    # identical numbers from the loaded checkpoint and from the model that was saved
    fresh = NumpyDecoder(state_arrays(model), model.config, stft.log_floor, 2.0,
                         synthesis=band_synthesis(stft))
    assert np.array_equal(fresh.magnitude(z.numpy()), mag)
    np.testing.assert_allclose(decoder.magnitude(z.numpy()[0]), mag[0], rtol=1e-5, atol=1e-8)
    audio = stream_inverse(mag, stft.n_fft, stft.hop_length)
    assert np.isfinite(audio).all()


def test_shipped_models_are_stft_and_bad_representation_is_refused(tmp_path):
    for name in ("default", "toy-4d"):
        assert load_checkpoint(ROOT / "models" / name).stft.representation == "stft"
    shutil.copytree(ROOT / "models" / "toy-4d", tmp_path / "m")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    config["stft"]["representation"] = "wavelet"
    (tmp_path / "m" / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="representation"):
        load_checkpoint(tmp_path / "m")
    config["stft"]["representation"] = "mel"  # 1025 weights do not fit 128 mel bands
    (tmp_path / "m" / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="inconsistent"):
        load_checkpoint(tmp_path / "m")


# -- Lightning training: CSV log, resume, atomic writes ----------------------------------

@pytest.fixture(scope="module")
def resumed_run(tiny_dataset, tmp_path_factory):
    """Mel + MMD + cyclical beta: 2 epochs, then resumed to 3."""
    out = tmp_path_factory.mktemp("engine") / "mel-mmd"
    stft = StftConfig(representation="mel", n_mels=64)
    train = TrainConfig(epochs=2, batch_size=64, regulariser="mmd", beta=10.0,
                        beta_schedule="cyclical", cycles=2)
    first = train_model(tiny_dataset, out, stft=stft, train=train, **TINY)
    first_weights = (out / "weights.safetensors").read_bytes()
    second = train_model(tiny_dataset, out, stft=stft, resume=True,
                         train=TrainConfig(**{**train.__dict__, "epochs": 3}), **TINY)
    return out, first, second, first_weights


def test_training_writes_csv_logs_and_a_playable_checkpoint(resumed_run):
    out, first, _, _ = resumed_run
    with open(Path(first["logs"]) / "metrics.csv") as fh:
        rows = list(csv.DictReader(fh))
    epochs = {int(r["epoch"]) for r in rows if r["reconstruction"]}
    assert epochs == {0, 1}
    assert {"loss", "reconstruction", "regulariser", "kl", "beta", "val_reconstruction"} \
        <= set(rows[0])
    loaded = load_checkpoint(out)
    assert loaded.stft.representation == "mel" and loaded.vae.n_bins == 64
    assert loaded.meta["train"]["regulariser"] == "mmd"
    assert loaded.decoder().magnitude(np.zeros(3)).shape == (1025,)
    assert (out / "train" / "last.ckpt").is_file()


def test_resume_continues_from_the_saved_epoch(resumed_run):
    out, first, second, first_weights = resumed_run
    assert first["epochs_trained"] == 2 and first["resumed_from_epoch"] is None
    assert second["resumed_from_epoch"] == 2 and second["epochs_trained"] == 3
    with open(Path(second["logs"]) / "metrics.csv") as fh:
        epochs = {int(r["epoch"]) for r in csv.DictReader(fh) if r["reconstruction"]}
    assert epochs == {2}  # only the new epoch was trained
    assert (out / "weights.safetensors").read_bytes() != first_weights


def test_interrupted_writes_leave_the_previous_checkpoints_loadable(resumed_run, tmp_path,
                                                                    monkeypatch):
    from synth_server.train import loop
    from synth_server.train.module import AtomicCheckpointIO

    out = tmp_path / "m"
    shutil.copytree(resumed_run[0], out)
    before = load_checkpoint(out)
    weights = (out / "weights.safetensors").read_bytes()
    state = out / "train" / "last.ckpt"
    state_bytes = state.read_bytes()

    # a crash while Lightning's training state is written: last.ckpt stays the old one
    def torn_save(obj, fh, *args, **kwargs):
        fh.write(b"\x00" * 100)
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", torn_save)
    with pytest.raises(OSError):
        AtomicCheckpointIO().save_checkpoint({"epoch": 9}, state)
    monkeypatch.undo()
    assert state.read_bytes() == state_bytes
    assert AtomicCheckpointIO().load_checkpoint(state)["epoch"] == 2
    assert not [p for p in state.parent.iterdir() if p.name.endswith(".tmp")]

    # a crash while the model checkpoint is written: the directory keeps the previous model
    def crash_after_weights(directory, model, *args, **kwargs):
        (Path(directory) / "weights.safetensors").write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(loop, "save_checkpoint", crash_after_weights)
    with pytest.raises(KeyboardInterrupt):
        _train_crashing(out, before.stft)
    assert (out / "weights.safetensors").read_bytes() == weights
    assert load_checkpoint(out).meta == before.meta


def _train_crashing(out: Path, stft: StftConfig) -> None:
    """Re-run the resumed training (no epoch left to train) up to the crashing save."""
    import synth_server.train.loop as loop

    config = json.loads((out / "config.json").read_text())
    train = TrainConfig(**config["train"])
    loop.train_model(config["dataset"], out, stft=stft, train=train, resume=True, **TINY)


def test_unknown_settings_are_refused_before_reading_data(tmp_path):
    for kwargs in ({"train": TrainConfig(regulariser="js")},
                   {"train": TrainConfig(beta_schedule="sigmoid")},
                   {"stft": StftConfig(representation="cqt")}):
        args = {"stft": StftConfig(), **kwargs}
        with pytest.raises(ValueError):
            train_model(tmp_path / "missing", tmp_path / "m", **args, progress=False)
    assert not (tmp_path / "m").exists()
