"""Frame VAE: an MLP encoder/decoder over normalised log-magnitude STFT frames (nn.Modules only).

Source: Kingma & Welling 2013 (VAE, reparameterisation trick); beta weighting: Higgins et al. 2017.
"""
from __future__ import annotations

from typing import Optional

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

    A conditional model (``config.n_conditioning > 0``: the "hpn" family, see
    :mod:`synth_server.dsp.hpn`) also feeds the conditioning vector c [batch, n_conditioning]
    (pitch and loudness) to the encoder, ``concat(x, c)``, and to the decoder, ``concat(z, c)``
    (a conditional VAE: Sohn, Lee & Yan 2015), so that z holds what c does not say (timbre).

    Args:
        config: architecture (n_bins, latent_dim, hidden_sizes, n_conditioning).
    """

    def __init__(self, config: VaeConfig):
        super().__init__()
        self.config = config
        hidden = list(config.hidden_sizes)
        n_cond = config.n_conditioning
        self.encoder = _mlp([config.n_bins + n_cond, *hidden, 2 * config.latent_dim])
        self.decoder = _mlp([config.latent_dim + n_cond, *hidden[::-1], config.n_bins])
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

    def _with(self, x: torch.Tensor, c: Optional[torch.Tensor]) -> torch.Tensor:
        """``concat(x, c)`` for a conditional model; x itself otherwise.

        Raises:
            ValueError: c missing (or given) against ``config.n_conditioning``.
        """
        if self.config.n_conditioning == 0:
            if c is not None:
                raise ValueError("this model takes no conditioning")
            return x
        if c is None or c.shape[-1] != self.config.n_conditioning:
            raise ValueError(f"this model needs a conditioning [batch, "
                             f"{self.config.n_conditioning}]")
        return torch.cat([x, c.to(x.dtype)], dim=-1)

    def encode(self, x: torch.Tensor, c: Optional[torch.Tensor] = None
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior parameters.

        Args:
            x: [batch, n_bins] float32 normalised log-magnitude frames (features).
            c: [batch, n_conditioning] conditioning of a conditional model, else None.
        Returns:
            (mu, logvar), each [batch, latent_dim].
        """
        mu, logvar = self.encoder(self._with(x, c)).chunk(2, dim=-1)
        return mu, logvar.clamp(-12.0, 8.0)

    def decode(self, z: torch.Tensor, c: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Decoded normalised log-magnitude (features), [batch, n_bins], from z [batch,
        latent_dim] (and c [batch, n_conditioning] for a conditional model)."""
        return self.decoder(self._with(z, c))

    def forward(self, x: torch.Tensor, c: Optional[torch.Tensor] = None
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Encode, sample z by reparameterisation, decode.

        Returns:
            (x_hat [batch, n_bins], mu [batch, latent_dim], logvar [batch, latent_dim]).
        """
        mu, logvar = self.encode(x, c)
        return self.decode(reparameterise(mu, logvar), c), mu, logvar

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
def encode_posterior(model: FrameVAE, x: torch.Tensor, batch_size: int = 4096,
                     c: Optional[torch.Tensor] = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Posterior parameters of frames, in batches (the one batched encoder pass of training,
    manifolds, attributes and evaluation).

    Args:
        model: the VAE (put in eval mode).
        x: [n_frames, n_features] float32 *normalised* frames (:meth:`FrameVAE.normalise`).
        batch_size: frames per encoder call.
        c: [n_frames, n_conditioning] conditioning of a conditional model, else None.
    Returns:
        (mu, logvar), each a [n_frames, latent_dim] float32 tensor.
    """
    model.eval()
    parts = [model.encode(x[i:i + batch_size], None if c is None else c[i:i + batch_size])
             for i in range(0, len(x), batch_size)]
    if not parts:
        empty = torch.zeros((0, model.config.latent_dim), dtype=torch.float32)
        return empty, empty.clone()
    return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])


def encode_means(model: FrameVAE, x: torch.Tensor, batch_size: int = 4096,
                 c: Optional[torch.Tensor] = None) -> np.ndarray:
    """Posterior means of frames, in batches (:func:`encode_posterior`).

    Args:
        model: the VAE (put in eval mode).
        x: [n_frames, n_features] float32 *normalised* frames (:meth:`FrameVAE.normalise`).
        batch_size: frames per encoder call.
        c: [n_frames, n_conditioning] conditioning of a conditional model, else None.
    Returns:
        [n_frames, latent_dim] float32 numpy array.
    """
    return encode_posterior(model, x, batch_size, c)[0].numpy()
