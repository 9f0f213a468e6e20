"""PCA plane ↔ latent, and training (one step; a whole tiny run)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from synth_server.core.config import TrainConfig, VaeConfig
from synth_server.fit.manifolds import fit_pca
from synth_server.nav.pca import PcaManifold
from synth_server.model.vae import FrameVAE
from synth_server.train.loop import beta_at, training_step


def test_pca_plane_round_trip():
    rng = np.random.default_rng(0)
    plane = rng.uniform(-2, 2, (400, 2))
    basis = np.linalg.qr(rng.standard_normal((6, 2)))[0].T  # two orthonormal rows
    latents = plane @ basis + 0.3 + 1e-3 * rng.standard_normal((400, 6))
    manifold = fit_pca(latents)
    xy = rng.uniform(0, 1, (50, 2))
    z = manifold.to_latent(xy)
    assert z.shape == (50, 6)
    np.testing.assert_allclose(manifold.to_plane(z), xy, atol=1e-9)
    # the data's extent maps to [0, 1] (1st..99th percentile)
    projected = manifold.to_plane(latents)
    assert np.percentile(projected, 1, axis=0) == pytest.approx([0, 0], abs=1e-6)
    assert np.percentile(projected, 99, axis=0) == pytest.approx([1, 1], abs=1e-6)
    # corners of the pad land near the data (inside its bounding box, padded 10 %)
    lo, hi = latents.min(0), latents.max(0)
    corners = manifold.to_latent(np.array([[0, 0], [1, 1], [0, 1], [1, 0]]))
    span = hi - lo
    assert (corners >= lo - 0.6 * span).all() and (corners <= hi + 0.6 * span).all()


def test_pca_json_round_trip_and_validation():
    manifold = fit_pca(np.random.default_rng(1).standard_normal((30, 4)))
    again = PcaManifold.from_json(manifold.to_json(), latent_dim=4)
    np.testing.assert_array_equal(again.components, manifold.components)
    with pytest.raises(ValueError):
        PcaManifold.from_json(manifold.to_json(), latent_dim=5)


def test_one_training_step_moves_the_weights_and_loss_is_finite():
    torch.manual_seed(0)
    model = FrameVAE(VaeConfig(n_bins=65, latent_dim=2, hidden_sizes=(16,)))
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    batch = torch.randn(32, 65)
    first = training_step(model, optimizer, batch, beta=0.5)
    assert all(np.isfinite(v) for v in first.values())
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))
    for _ in range(30):
        last = training_step(model, optimizer, batch, beta=0.5)
    assert last["loss"] < first["loss"]


def test_beta_warm_up_is_linear_then_flat():
    config = TrainConfig(beta=2.0, warmup_epochs=4)
    assert beta_at(0, 10, config) == 0.0
    assert beta_at(20, 10, config) == pytest.approx(1.0)
    assert beta_at(40, 10, config) == 2.0
    assert beta_at(400, 10, config) == 2.0


def test_tiny_training_run_writes_a_model_that_reconstructs(tiny_checkpoint):
    meta = tiny_checkpoint.meta
    assert meta["command"] == "pytest fixture"
    stats = meta["stats"]
    assert stats["n_frames"] > 500
    assert np.isfinite(stats["validation_reconstruction"])
    # the decoded pad centre is a spectrum with energy, not a flat floor
    from synth_server.engine.renderer import Renderer
    renderer = Renderer(tiny_checkpoint)
    mag = renderer.decode_magnitude(tiny_checkpoint.manifold.to_latent(np.array([0.5, 0.5])))
    assert mag.shape == (tiny_checkpoint.stft.n_bins,)
    assert mag.max() > 0.01
