"""Frame VAE: an MLP encoder/decoder over normalised log-magnitude STFT frames (nn.Modules only).

Source: Kingma & Welling 2013 (VAE, reparameterisation trick); beta weighting: Higgins et al. 2017.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from synth_server.core.config import VaeConfig


def _mlp(sizes: list[int]) -> nn.Sequential:
    """Linear layers of ``sizes`` with ELU between them (none after the last)."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(nn.ELU())
    return nn.Sequential(*layers)


class FrameVAE(nn.Module):
    """Gaussian VAE over single spectral frames.

    Input/output frames are normalised log-magnitudes: ``(log(mag + floor) - bin_mean) / scale``.
    The normalisation buffers travel with the weights.

    Args:
        config: architecture (n_bins, latent_dim, hidden_sizes).
    """

    def __init__(self, config: VaeConfig):
        super().__init__()
        self.config = config
        hidden = list(config.hidden_sizes)
        self.encoder = _mlp([config.n_bins, *hidden, 2 * config.latent_dim])
        self.decoder = _mlp([config.latent_dim, *hidden[::-1], config.n_bins])
        self.register_buffer("bin_mean", torch.zeros(config.n_bins))
        self.register_buffer("scale", torch.ones(1))

    @classmethod
    def from_arrays(cls, config: VaeConfig, arrays: dict[str, np.ndarray]) -> "FrameVAE":
        """The module (eval mode, float32, CPU) with the tensors of a loaded checkpoint.

        Args:
            config: architecture (``checkpoint.vae``).
            arrays: {state-dict name: float32 numpy array} (``checkpoint.arrays``).
        Raises:
            RuntimeError: names or shapes differ from the architecture's (``strict=True``).
        """
        model = cls(config)
        model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in arrays.items()},
                              strict=True)
        return model.eval()

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior parameters.

        Args:
            x: [batch, n_bins] float32 normalised log-magnitude frames.
        Returns:
            (mu, logvar), each [batch, latent_dim].
        """
        mu, logvar = self.encoder(x).chunk(2, dim=-1)
        return mu, logvar.clamp(-12.0, 8.0)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decoded normalised log-magnitude, [batch, n_bins], from z [batch, latent_dim]."""
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Encode, sample z by reparameterisation, decode.

        Returns:
            (x_hat [batch, n_bins], mu [batch, latent_dim], logvar [batch, latent_dim]).
        """
        mu, logvar = self.encode(x)
        return self.decode(reparameterise(mu, logvar)), mu, logvar

    def normalise(self, log_magnitude: torch.Tensor) -> torch.Tensor:
        """[batch, n_bins] log-magnitude → normalised model input."""
        return (log_magnitude - self.bin_mean) / self.scale

    def denormalise(self, x: torch.Tensor) -> torch.Tensor:
        """[batch, n_bins] model output → log-magnitude."""
        return x * self.scale + self.bin_mean


def reparameterise(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """A sample z = mu + eps * exp(logvar / 2), eps ~ N(0, I), differentiable in mu and logvar
    (the reparameterisation trick, Kingma & Welling 2014, "Auto-Encoding Variational Bayes").

    Args:
        mu, logvar: [batch, latent_dim] posterior parameters (:meth:`FrameVAE.encode`).
    Returns:
        [batch, latent_dim] z, drawn from torch's global generator.
    """
    return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)


@torch.inference_mode()
def encode_posterior(model: FrameVAE, x: torch.Tensor, batch_size: int = 4096
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """Posterior parameters of frames, in batches (the one batched encoder pass of training,
    manifolds, attributes and evaluation).

    Args:
        model: the VAE (put in eval mode).
        x: [n_frames, n_features] float32 *normalised* frames (:meth:`FrameVAE.normalise`).
        batch_size: frames per encoder call.
    Returns:
        (mu, logvar), each a [n_frames, latent_dim] float32 tensor.
    """
    model.eval()
    parts = [model.encode(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    if not parts:
        empty = torch.zeros((0, model.config.latent_dim), dtype=torch.float32)
        return empty, empty.clone()
    return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])


def encode_means(model: FrameVAE, x: torch.Tensor, batch_size: int = 4096) -> np.ndarray:
    """Posterior means of frames, in batches (:func:`encode_posterior`).

    Args:
        model: the VAE (put in eval mode).
        x: [n_frames, n_features] float32 *normalised* frames (:meth:`FrameVAE.normalise`).
        batch_size: frames per encoder call.
    Returns:
        [n_frames, latent_dim] float32 numpy array.
    """
    return encode_posterior(model, x, batch_size)[0].numpy()
