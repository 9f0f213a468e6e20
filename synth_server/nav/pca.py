"""2-D PCA manifold: the pad plane ↔ latent space (Tipping & Bishop 1999; scikit-learn PCA).

Live mapping is a matrix product (``to_latent``); fitting happens only at training time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np


@dataclass(frozen=True)
class PcaManifold:
    """A linear plane through the latent space.

    Attributes:
        mean: [latent_dim] float64, centre of the encoder means.
        components: [n_components, latent_dim] float64, orthonormal rows.
        plane_min, plane_max: [n_components], the 1st and 99th percentiles of the projected data;
            pad coordinate 0 maps to plane_min, 1 to plane_max. Pad values outside [0, 1] are
            clamped by the OSC table, so the pad covers the data's extent and never leaves it far.
    """

    mean: np.ndarray
    components: np.ndarray
    plane_min: np.ndarray
    plane_max: np.ndarray

    kind = "pca"

    @property
    def latent_dim(self) -> int:
        """Size of the latent vectors this manifold maps to."""
        return int(self.mean.shape[0])

    @property
    def n_components(self) -> int:
        """Dimension of the control plane (2 for the pad)."""
        return int(self.components.shape[0])

    def to_latent(self, xy: np.ndarray) -> np.ndarray:
        """Pad coordinates → latent vectors.

        Args:
            xy: [..., n_components] pad coordinates in [0, 1].
        Returns:
            [..., latent_dim] float64 latent vectors.
        """
        plane = self.plane_min + np.asarray(xy, dtype=np.float64) * (self.plane_max - self.plane_min)
        return self.mean + plane @ self.components

    def to_plane(self, latent: np.ndarray) -> np.ndarray:
        """Latent vectors [..., latent_dim] → pad coordinates [..., n_components] (not clamped)."""
        plane = (np.asarray(latent, dtype=np.float64) - self.mean) @ self.components.T
        return (plane - self.plane_min) / (self.plane_max - self.plane_min)

    def to_json(self) -> dict[str, Any]:
        """JSON-able description (all arrays as lists)."""
        return {
            "kind": self.kind,
            "mean": self.mean.tolist(),
            "components": self.components.tolist(),
            "plane_min": self.plane_min.tolist(),
            "plane_max": self.plane_max.tolist(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], latent_dim: int) -> "PcaManifold":
        """Rebuild from :meth:`to_json` output, checking every shape.

        Raises:
            ValueError: wrong kind, shapes that do not match ``latent_dim``, or non-finite values.
        """
        if data.get("kind") != cls.kind:
            raise ValueError(f"manifold kind {data.get('kind')!r} is not 'pca'")
        try:
            mean = np.asarray(data["mean"], dtype=np.float64)
            comps = np.asarray(data["components"], dtype=np.float64)
            lo = np.asarray(data["plane_min"], dtype=np.float64)
            hi = np.asarray(data["plane_max"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"manifold: {exc}") from None
        k = comps.shape[0] if comps.ndim == 2 else -1
        if mean.shape != (latent_dim,) or comps.shape != (k, latent_dim) or k < 1 \
                or lo.shape != (k,) or hi.shape != (k,):
            raise ValueError(f"manifold shapes do not match latent_dim={latent_dim}")
        if not all(np.isfinite(a).all() for a in (mean, comps, lo, hi)):
            raise ValueError("manifold has non-finite values")
        return cls(mean, comps, lo, hi)
