"""Latent regularisers: divergences between the encoder's codes and the prior N(0, I).

* ``kl``: KL(q(z|x) || N(0, I)) of each example's Gaussian posterior, summed over latent
  dimensions and averaged over the batch: the ELBO's term (Kingma & Welling 2013).
* ``mmd``: squared maximum mean discrepancy between the batch of sampled codes z ~ q(z|x)
  (a sample of the *aggregate* posterior q(z)) and as many samples of the prior, with an inverse
  multiquadratic kernel ``k(x, y) = C / (C + ||x - y||^2)`` summed over scales
  ``C = 2 d s`` for s in :data:`IMQ_SCALES` (Zhao, Song & Ermon 2017, "InfoVAE"; kernel and
  scales as in Tolstikhin, Bousquet, Gelly & Schoelkopf 2018, "Wasserstein Auto-Encoders");
  unbiased U-statistic (Gretton et al. 2012), so it is ~0 in expectation when q(z) = p(z) and
  can be slightly negative on one batch.
* ``swd``: sliced Wasserstein-2 distance: codes and prior samples are projected on ``n`` random
  unit directions and the sorted projections compared (mean squared difference) (Kolouri, Pope,
  Martin & Rohde 2018, "Sliced-Wasserstein Autoencoder").

``kl`` matches each posterior to the prior; ``mmd`` and ``swd`` match only the aggregate
posterior, so posteriors may become narrow (the encoder's variance is left free) while the
codes of the whole data set fill the prior, which the pad and ``/random`` sample.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import torch

from synth_server.core.config import REGULARISERS, TrainConfig
from synth_server.model.vae import reparameterise

if TYPE_CHECKING:
    from synth_server.model.vae import FrameVAE

IMQ_SCALES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
SWD_PROJECTIONS = 64


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) per latent dimension, averaged over the batch.

    Args:
        mu, logvar: [batch, latent_dim] float tensors.
    Returns:
        [latent_dim] tensor, nats.
    """
    return (0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)).mean(dim=0)


def _imq_sum(a: torch.Tensor, b: torch.Tensor, dim: int) -> torch.Tensor:
    """Sum over IMQ_SCALES of the IMQ kernel matrix between a [n, d] and b [m, d]: [n, m]."""
    d2 = torch.cdist(a, b).pow(2)
    out = torch.zeros_like(d2)
    for s in IMQ_SCALES:
        c = 2.0 * dim * s
        out = out + c / (c + d2)
    return out


def mmd_imq(z: torch.Tensor, prior: torch.Tensor) -> torch.Tensor:
    """Unbiased squared MMD between samples z [n, d] and prior samples [m, d] (n, m >= 2).

    Returns:
        Scalar tensor (dimensionless; 0 in expectation for samples of the same distribution).
    Raises:
        ValueError: fewer than two samples on either side, or different dimensions.
    Source: Gretton et al. 2012 (eq. 3), IMQ kernel of Tolstikhin et al. 2018.
    """
    n, m = len(z), len(prior)
    if n < 2 or m < 2 or z.shape[1] != prior.shape[1]:
        raise ValueError("mmd_imq needs >= 2 samples of equal dimension on each side")
    dim = z.shape[1]
    k_zz, k_pp, k_zp = _imq_sum(z, z, dim), _imq_sum(prior, prior, dim), _imq_sum(z, prior, dim)
    n_scales = float(len(IMQ_SCALES))  # each diagonal entry is k(x, x) = n_scales
    return ((k_zz.sum() - n * n_scales) / (n * (n - 1))
            + (k_pp.sum() - m * n_scales) / (m * (m - 1))
            - 2.0 * k_zp.mean())


def sliced_wasserstein(z: torch.Tensor, prior: torch.Tensor,
                       n_projections: int = SWD_PROJECTIONS,
                       generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """Sliced Wasserstein-2 distance (squared) between z [n, d] and prior samples [n, d].

    Returns:
        Scalar tensor: mean over ``n_projections`` random unit directions and over the sorted
        samples of the squared difference of the projections (units of z squared).
    Raises:
        ValueError: different sample counts or dimensions.
    Source: Kolouri et al. 2018, eq. 11 (Monte-Carlo over directions, sorting for 1-D W2).
    """
    if z.shape != prior.shape:
        raise ValueError("sliced_wasserstein needs z and prior of the same shape")
    theta = torch.randn(z.shape[1], n_projections, generator=generator, dtype=z.dtype,
                        device=z.device)
    theta = theta / theta.norm(dim=0, keepdim=True)
    pz = torch.sort(z @ theta, dim=0).values
    pp = torch.sort(prior @ theta, dim=0).values
    return (pz - pp).pow(2).mean()


def regulariser_loss(name: str, z: torch.Tensor, mu: torch.Tensor,
                     logvar: torch.Tensor) -> torch.Tensor:
    """The regularisation term of ``name`` for one batch.

    Args:
        name: "kl", "mmd" or "swd".
        z: [batch, latent_dim] codes sampled by reparameterisation.
        mu, logvar: [batch, latent_dim] posterior parameters.
    Returns:
        Scalar tensor (kl: nats, summed over dimensions; mmd / swd: see their functions).
    Raises:
        ValueError: unknown name.
    """
    if name == "kl":
        return kl_divergence(mu, logvar).sum()
    if name == "mmd":
        return mmd_imq(z, torch.randn_like(z))
    if name == "swd":
        return sliced_wasserstein(z, torch.randn_like(z))
    raise ValueError(f"unknown regulariser {name!r} (expected one of {', '.join(REGULARISERS)})")


def beta_at(step: int, steps_per_epoch: int, config: TrainConfig) -> float:
    """Weight of the regulariser at optimisation step ``step`` (0-based).

    ``constant``: ``beta``. ``linear``: 0 at step 0 rising to ``beta`` after ``warmup_epochs``
    epochs (Sonderby et al. 2016; ``warmup_epochs <= 0`` = constant). ``cyclical``: the epochs are
    split into ``cycles`` equal cycles; in each, beta rises linearly from 0 to ``beta`` over the
    first ``cycle_ratio`` of the cycle and stays there (Fu et al. 2019, "Cyclical Annealing
    Schedule", eq. 7).

    Args:
        step: optimisation step (0-based).
        steps_per_epoch: steps in one epoch (>= 1).
        config: schedule parameters.
    Returns:
        float beta.
    Raises:
        ValueError: unknown schedule.
    """
    if config.beta_schedule == "constant":
        return config.beta
    if config.beta_schedule == "linear":
        if config.warmup_epochs <= 0:
            return config.beta
        progress = step / float(config.warmup_epochs * steps_per_epoch)
        return config.beta * min(1.0, progress)
    if config.beta_schedule == "cyclical":
        total = max(1, config.epochs * steps_per_epoch)
        period = total / float(max(1, config.cycles))
        tau = (step % period) / period
        ratio = config.cycle_ratio
        return config.beta * (1.0 if ratio <= 0 else min(1.0, tau / ratio))
    raise ValueError(f"unknown beta schedule {config.beta_schedule!r}")


def reconstruction_loss(model: "FrameVAE", x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """The VAE's reconstruction term: the unit-variance Gaussian negative log-likelihood of ``x``
    given ``z`` up to a constant, ``0.5 * ||decode(z) - x||^2`` summed over features and
    averaged over the batch (Kingma & Welling 2014, "Auto-Encoding Variational Bayes").

    Args:
        model: the VAE.
        x: [batch, n_features] normalised frames.
        z: [batch, latent_dim] latent codes (a posterior sample in training, the posterior
            mean for validation).
    Returns:
        A scalar tensor (nats up to the Gaussian's constant).
    """
    return 0.5 * (model.decode(z) - x).pow(2).sum(dim=-1).mean()


def vae_objective(model: "FrameVAE", x: torch.Tensor, beta: float, regulariser: str
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Reconstruction + beta * regulariser on one batch (a beta-VAE, InfoVAE or SWAE objective).

    Args:
        model: the VAE.
        x: [batch, n_features] normalised frames.
        beta: weight of the regulariser.
        regulariser: "kl", "mmd" or "swd" (:func:`~synth_server.train.regularisers.regulariser_loss`).
    Returns:
        (loss, reconstruction, regulariser, kl): scalars; reconstruction is the unit-variance
        Gaussian negative log-likelihood up to a constant, summed over features, averaged over
        the batch; kl (nats, summed over dimensions) is returned for every regulariser.
    """
    mu, logvar = model.encode(x)
    z = reparameterise(mu, logvar)
    reconstruction = reconstruction_loss(model, x, z)
    kl = kl_divergence(mu, logvar).sum()
    reg = kl if regulariser == "kl" else regulariser_loss(regulariser, z, mu, logvar)
    return reconstruction + beta * reg, reconstruction, reg, kl


def active_units(mu: torch.Tensor, threshold: float = 0.01) -> tuple[int, list[float]]:
    """Active latent units (Burda, Grosse & Salakhutdinov 2015, "Importance Weighted Autoencoders").

    A dimension is active when the variance over the data of its posterior mean E_q[z_d | x]
    exceeds ``threshold``: an inactive one decodes the same whatever the input.

    Args:
        mu: [n_frames, latent_dim] posterior means of a data set.
        threshold: variance threshold (0.01 in the paper).
    Returns:
        (number of active dimensions, variance per dimension as floats).
    """
    var = mu.double().var(dim=0, unbiased=True)
    return int((var > threshold).sum()), [float(v) for v in var]
