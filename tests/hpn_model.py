"""A hand-made hpn model for the voice tests and the voices benchmark (the real one is trained
on the hpn branch): the shipped default model's manifolds (latent_dim 8, so /pad works) with a
decoder MLP of the HPN contract's shape — input concat(z [8], c [2]), hidden layers the size of
the default model's decoder (256, 512), output 64 harmonic + 64 noise-band log levels — whose
weights are random but whose last bias puts the energy into the low harmonics (a_k ~ k^-1.5)
and keeps the noise 40 dB down, so a note has a clear pitch and z moves its timbre.

TODO(merge with hpn): replace ``decoder()`` by the real NumpyDecoder once it decodes hpn
checkpoints; the layout (layers() as [(weight [in, out], bias [out])], normalisation folded
into the last layer, no exp) is the contract's.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from synth_server.artifacts.checkpoint import Checkpoint
from synth_server.core.config import StftConfig, VaeConfig
from synth_server.dsp.filterbank import synthesis_matrix

N_HARMONICS = 64
N_NOISE_BANDS = 64


class HandMadeDecoder:
    """NumpyDecoder-compatible MLP (Linear, ELU, ..., Linear) for an hpn model.

    Args:
        layers: [(weight [in, out] float32, bias [out] float32), ...], input side first.
        synthesis: the noise bands' synthesis matrix [n_noise_bands, n_bins] (mel bands,
            n_mels = n_noise_bands: filterbank.synthesis_matrix).
    """

    def __init__(self, layers: list[tuple[np.ndarray, np.ndarray]], synthesis: np.ndarray):
        self._layers = layers
        self.n_features = int(layers[-1][0].shape[1])
        self.n_bins = int(synthesis.shape[1])
        self.synthesis = np.asarray(synthesis, dtype=np.float32)

    def layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The MLP's layers, input side first."""
        return list(self._layers)

    def features(self, x: np.ndarray) -> np.ndarray:
        """h [batch, n_features] for x [batch, latent_dim + n_conditioning] (float32 numpy)."""
        h = np.asarray(x, dtype=np.float32)
        for i, (weight, bias) in enumerate(self._layers):
            h = h @ weight + bias
            if i < len(self._layers) - 1:
                h = np.where(h > 0, h, np.expm1(np.minimum(h, 0.0)))
        return h


@dataclasses.dataclass
class HandMadeHpn(Checkpoint):
    """A Checkpoint whose decoder() is :class:`HandMadeDecoder`."""

    hand_made_layers: Any = None

    def decoder(self) -> HandMadeDecoder:  # type: ignore[override]
        mel = dataclasses.replace(self.stft, representation="mel",
                                  n_mels=self.stft.n_noise_bands)
        return HandMadeDecoder(self.hand_made_layers, synthesis_matrix(mel))


def conditioning(midi_pitch: float, loudness_db: float) -> np.ndarray:
    """The contract's c = [(midi_pitch - 60) / 24, (loudness_db + 30) / 30]."""
    return np.array([(midi_pitch - 60.0) / 24.0, (loudness_db + 30.0) / 30.0])


def hand_made_hpn(base: Checkpoint, seed: int = 0, hidden: tuple[int, ...] = (256, 512),
                  timbre_scale: float = 0.6, name: str = "hpn-test",
                  noise_db: float = -40.0, slope: float = 1.5,
                  harmonics_db: float = 0.0) -> HandMadeHpn:
    """An hpn model built on ``base``'s manifolds (its latent_dim).

    Args:
        base: a loaded spectral checkpoint (its manifolds and latent_dim are reused).
        seed: seed of the random weights.
        hidden: the decoder's hidden widths.
        timbre_scale: standard deviation of the z-dependent part of the log harmonic levels.
        name: the model's name.
        noise_db: noise band level relative to A, dB.
        slope: harmonic k's level is about k^-slope.
        harmonics_db: added to every harmonic's level, dB (-200: noise only).
    """
    rng = np.random.default_rng(seed)
    latent_dim = base.vae.latent_dim
    sizes = [latent_dim + 2, *hidden, N_HARMONICS + N_NOISE_BANDS]
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        weight = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
        bias = np.zeros(n_out)
        if i == len(sizes) - 2:
            weight *= timbre_scale
            weight[:, N_HARMONICS:] *= 0.1
            k = np.arange(1, N_HARMONICS + 1)
            bias[:N_HARMONICS] = -slope * np.log(k) + harmonics_db / 20.0 * np.log(10.0)
            bias[N_HARMONICS:] = noise_db / 20.0 * np.log(10.0)
        layers.append((weight.astype(np.float32), bias.astype(np.float32)))
    stft = dataclasses.replace(base.stft, representation="hpn", n_harmonics=N_HARMONICS,
                               n_noise_bands=N_NOISE_BANDS)
    vae = VaeConfig(n_bins=N_HARMONICS + N_NOISE_BANDS, latent_dim=latent_dim,
                    hidden_sizes=tuple(hidden[::-1]), n_conditioning=2)
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(Checkpoint)}
    fields.update(name=name, stft=stft, vae=vae, arrays={}, descriptors=None, heatmaps={})
    return HandMadeHpn(**fields, hand_made_layers=layers)


__all__ = ["HandMadeHpn", "HandMadeDecoder", "hand_made_hpn", "conditioning", "StftConfig"]


class ReferenceHarmonics:
    """The harmonic part of the HPN contract's synthesis, in numpy, one voice (what
    dsp/hpn.py's HpnSynth.render_hop does on the hpn branch; TODO(merge): compare with it).

    Per hop: ``a_k = A exp(h[k-1])`` where ``k f0 < 0.45 sample_rate``; sample n is
    ``sum_k (a_prev_k + (a_k - a_prev_k) (n + 1) / hop) sin(phi_k + n inc_k)``, phi_k = 0 at
    note-on, advanced by ``hop inc_k`` and wrapped to [0, 2 pi) after each hop.
    """

    def __init__(self, n_harmonics: int, hop_length: int, sample_rate: int):
        self.k = np.arange(1, n_harmonics + 1, dtype=np.float64)
        self.hop = hop_length
        self.sample_rate = sample_rate
        self.phase = np.zeros(n_harmonics)
        self.previous = np.zeros(n_harmonics)

    def hop_samples(self, h: np.ndarray, f0_hz: float, amplitude: float) -> np.ndarray:
        """[hop_length] float64 samples for features h [n_features]."""
        n_h = len(self.k)
        a = np.where(self.k * f0_hz < 0.45 * self.sample_rate,
                     amplitude * np.exp(np.asarray(h[:n_h], dtype=np.float64)), 0.0)
        inc = 2.0 * np.pi * self.k * f0_hz / self.sample_rate
        n = np.arange(self.hop, dtype=np.float64)
        ramp = (n + 1.0) / self.hop
        env = self.previous[:, None] + (a - self.previous)[:, None] * ramp[None, :]
        out = (env * np.sin(self.phase[:, None] + inc[:, None] * n[None, :])).sum(axis=0)
        self.phase = np.mod(self.phase + inc * self.hop, 2.0 * np.pi)
        self.previous = a
        return out
