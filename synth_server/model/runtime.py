"""The decoder at play time, in numpy: no torch in the audio process.

:class:`~synth_server.model.vae.FrameVAE` is trained with torch; its decoder is a small MLP
(Linear, ELU, ..., Linear) followed by ``x * scale + bin_mean``. Playing it needs three matrix
products, which numpy's BLAS does as fast as torch for one frame and faster for batches, without
torch's ~1 s import and ~200 MB of memory in the audio process, and so a hot-swap only has to
copy arrays. The result equals ``FrameVAE.decode`` to float32 rounding (tested).

Models of another representation than the STFT (mel, log-frequency bands: see
:mod:`synth_server.dsp.filterbank`) decode band magnitudes; the decoder maps them to
linear STFT magnitudes with the non-negative synthesis matrix computed from the config at load
time, so the phase reconstruction always receives STFT frames.

Models of the "hpn" family (``vae.n_conditioning > 0``, see :mod:`synth_server.dsp.hpn`) take
``concat(z, c)`` and output the harmonic-plus-noise features h themselves (natural log relative
to the frame amplitude, no exp): :meth:`NumpyDecoder.features`.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from synth_server.core.config import VaeConfig


def decoder_layer_names(vae: VaeConfig) -> list[str]:
    """Names of the decoder's Linear layers in the state dict, input side first."""
    n_layers = len(vae.hidden_sizes) + 1
    return [f"decoder.{2 * i}" for i in range(n_layers)]


class NumpyDecoder:
    """latent vectors → normalised magnitude frames.

    Args:
        arrays: the checkpoint's tensors as float32 numpy arrays (``decoder.{i}.weight`` [out, in],
            ``decoder.{i}.bias`` [out], ``bin_mean`` [n_bins], ``scale`` [1]).
        vae: architecture (layer count, latent_dim, n_bins).
        log_floor: the floor added before the log at analysis; subtracted after the exp.
        output_gain: linear level correction of the checkpoint.
        synthesis: [n_features, n_bins] non-negative band -> STFT-bin matrix for a band
            representation ("mel", "logfreq": :func:`~synth_server.dsp.filterbank.band_synthesis`);
            for an hpn model the [n_noise_bands, n_bins] matrix of its noise bands
            (:func:`~synth_server.dsp.hpn.noise_synthesis`, what the live engine needs),
            or None when the network outputs STFT bins ("stft").
    Attributes:
        latent_dim: size of z.
        n_bins: values per output frame (linear STFT bins, n_fft / 2 + 1).
        n_features: values per frame the network outputs (``vae.n_bins``: n_bins for "stft",
            else the band count).
    Raises:
        KeyError, ValueError: arrays missing or mis-shaped (the checkpoint loader checks first).
    """

    def __init__(self, arrays: dict[str, np.ndarray], vae: VaeConfig, log_floor: float,
                 output_gain: float = 1.0, synthesis: Optional[np.ndarray] = None):
        names = decoder_layer_names(vae)
        self.latent_dim = vae.latent_dim
        self.n_conditioning = vae.n_conditioning
        self.n_bins = vae.n_bins
        self.n_features = vae.n_bins
        self._synthesis: Optional[np.ndarray] = None
        if synthesis is not None:
            self._synthesis = np.ascontiguousarray(synthesis, dtype=np.float32)
            # a band model's synthesis takes every feature; an hpn model's (its noise bands,
            # dsp.hpn.noise_synthesis) the features after the harmonics
            rows_fit = (self._synthesis.shape[0] < vae.n_bins if vae.n_conditioning
                        else self._synthesis.shape[0] == vae.n_bins)
            if not rows_fit:
                raise ValueError("decoder arrays do not match the representation's band count")
            self.n_bins = int(self._synthesis.shape[1])
        scale = float(np.asarray(arrays["scale"]).reshape(-1)[0])
        self._weights: list[np.ndarray] = []
        self._biases: list[np.ndarray] = []
        for i, name in enumerate(names):
            weight = np.asarray(arrays[f"{name}.weight"], dtype=np.float64).T
            bias = np.asarray(arrays[f"{name}.bias"], dtype=np.float64)
            if i == len(names) - 1:
                # fold denormalisation and the output gain into the last layer:
                # log(gain * exp(x * scale + mean)) = x @ (W * scale) + (b * scale + mean + log gain)
                weight = weight * scale
                bias = bias * scale + np.asarray(arrays["bin_mean"], dtype=np.float64) \
                    + math.log(output_gain)
            self._weights.append(np.ascontiguousarray(weight, dtype=np.float32))
            self._biases.append(bias.astype(np.float32))
        if self._weights[0].shape[0] != self.latent_dim + self.n_conditioning \
                or self._weights[-1].shape[1] != self.n_features:
            raise ValueError("decoder arrays do not match latent_dim / n_bins")
        self._floor = np.float32(log_floor * output_gain)

    def layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The MLP as [(weight [in, out] float32, bias [out] float32), ...], input side first;
        the last layer outputs log-magnitudes with the denormalisation and gain folded in."""
        return list(zip(self._weights, self._biases))

    @property
    def floor(self) -> np.float32:
        """Subtracted after the exp (``log_floor * output_gain``)."""
        return self._floor

    @property
    def synthesis(self) -> Optional[np.ndarray]:
        """[n_features, n_bins] float32 band → STFT-bin matrix, or None ("stft")."""
        return self._synthesis

    def _mlp(self, h: np.ndarray) -> np.ndarray:
        """The MLP on [batch, input width] float32; last layer linear (denormalised)."""
        last = len(self._weights) - 1
        with np.errstate(over="ignore", invalid="ignore"):
            for i, (weight, bias) in enumerate(zip(self._weights, self._biases)):
                h = h @ weight
                h += bias
                if i < last:  # ELU(x) = max(x, 0) + expm1(min(x, 0))
                    h = np.maximum(h, 0.0) + np.expm1(np.minimum(h, 0.0))
        return h

    def features(self, z: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Decode latent vectors and conditioning of an hpn model to its features.

        Args:
            z: np.ndarray [batch, latent_dim] (or [latent_dim]), any float dtype.
            c: np.ndarray [batch, n_conditioning] (or [n_conditioning]; broadcast against z's
                batch), from :func:`synth_server.dsp.hpn.conditioning`.
        Returns:
            np.ndarray [batch, n_features] float32 (``[n_features]`` for 1-D z and c): h, natural
            log of amplitudes relative to the frame amplitude (harmonics, then noise bands),
            denormalised; no exp, no floor (the synthesis applies them).
        Raises:
            ValueError: a spectral model (no conditioning) or mis-sized inputs.
        """
        if self.n_conditioning == 0:
            raise ValueError("features(z, c) is for hpn models; spectral models use magnitude(z)")
        zz = np.asarray(z, dtype=np.float32)
        cc = np.asarray(c, dtype=np.float32)
        single = zz.ndim == 1 and cc.ndim == 1
        zz, cc = np.atleast_2d(zz), np.atleast_2d(cc)
        if zz.shape[1] != self.latent_dim or cc.shape[1] != self.n_conditioning:
            raise ValueError(f"expected z [batch, {self.latent_dim}] and c [batch, "
                             f"{self.n_conditioning}]")
        n = max(len(zz), len(cc))
        x = np.concatenate([np.broadcast_to(zz, (n, self.latent_dim)),
                            np.broadcast_to(cc, (n, self.n_conditioning))], axis=1)
        h = self._mlp(np.ascontiguousarray(x, dtype=np.float32))
        return h[0] if single else h

    def magnitude(self, z: np.ndarray) -> np.ndarray:
        """Decode latent vectors to normalised magnitudes.

        Args:
            z: np.ndarray [batch, latent_dim] (or [latent_dim]), any float dtype.
        Returns:
            np.ndarray [batch, n_bins] float32 (``[n_bins]`` for a 1-D z): ``output_gain *
            max(exp(log_magnitude) - log_floor, 0)`` with the DC bin set to 0 (a speaker cone
            should not drift). May hold inf/NaN if the weights make it so: the caller checks.
            For a band representation: ``sqrt(bands^2 @ S)`` of those band magnitudes, S the
            synthesis matrix (linear STFT magnitudes, [batch, n_bins]).
        """
        if self.n_conditioning:
            raise ValueError("an hpn model decodes with features(z, c), not magnitude(z)")
        x = np.asarray(z, dtype=np.float32)
        single = x.ndim == 1
        h = self._mlp(x[None, :] if single else x)
        with np.errstate(over="ignore", invalid="ignore"):
            np.exp(h, out=h)
            h -= self._floor
            np.maximum(h, 0.0, out=h)
            if self._synthesis is not None:
                np.multiply(h, h, out=h)
                h = h @ self._synthesis
                np.sqrt(h, out=h)
        h[:, 0] = 0.0
        return h[0] if single else h
