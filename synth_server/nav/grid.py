"""Non-linear manifolds played through a precomputed grid: plane ↔ latent without fitting live.

An embedding method (LLE, Laplacian eigenmaps, Isomap, UMAP; see :mod:`synth_server.fit.manifolds`)
places the training latents in a k-D plane. Live, the pad needs the other direction, plane →
latent, for points the method never saw. It is computed *offline* once, on a regular grid over the
normalised plane, by Nadaraya-Watson kernel regression (Nadaraya 1964; Watson 1964) of the
training latents on their plane positions, and stored in the checkpoint. Playing is a multilinear
interpolation of that grid: a few microseconds, no scikit-learn, no umap.

Normalisation ("the data's extent"): each plane axis is passed through the data's empirical
distribution function (65 quantiles, piecewise linear), so the data covers [0, 1] on every axis
and a pad of unit size is evenly filled with sounds, even when a method piles most points up in a
small region (LLE and Laplacian eigenmaps do on clustered data).

Outside the data: the kernel regression never extrapolates. A pad point far from every training
point gets a weighted mean of the *nearest* training latents (the weights are computed relative
to the nearest one), so empty corners of the pad play the closest sounds of the data, blended,
and never a latent vector outside the data's convex hull.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

QUANTILES = 65


def kernel_regression(anchors_plane: np.ndarray, anchors_latent: np.ndarray, points: np.ndarray,
                      bandwidth: float, chunk: int = 2048) -> np.ndarray:
    """Nadaraya-Watson regression with a Gaussian kernel (offline; also used by ``to_plane``).

    Args:
        anchors_plane: [n_anchors, k] float positions.
        anchors_latent: [n_anchors, d] float values at those positions.
        points: [n_points, k] where to evaluate.
        bandwidth: kernel standard deviation, in the units of the positions.
        chunk: points per block (memory bound: chunk x n_anchors floats).
    Returns:
        [n_points, d] float64. Weights are taken relative to each point's nearest anchor, so
        points far from all anchors get the nearest anchors' blend (never NaN).
    """
    anchors_plane = np.asarray(anchors_plane, dtype=np.float64)
    anchors_latent = np.asarray(anchors_latent, dtype=np.float64)
    points = np.asarray(points, dtype=np.float64)
    out = np.empty((len(points), anchors_latent.shape[1]))
    sq = (anchors_plane ** 2).sum(1)
    for start in range(0, len(points), chunk):
        p = points[start:start + chunk]
        d2 = np.maximum((p ** 2).sum(1)[:, None] + sq[None, :] - 2.0 * p @ anchors_plane.T, 0.0)
        w = np.exp(-0.5 * (d2 - d2.min(axis=1, keepdims=True)) / bandwidth ** 2)
        out[start:start + chunk] = (w @ anchors_latent) / w.sum(axis=1, keepdims=True)
    return out


def uniformise(embedding: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map each axis through the data's empirical distribution function.

    Args:
        embedding: [n_points, k] raw embedding coordinates.
    Returns:
        (plane [n_points, k] in [0, 1], quantiles [QUANTILES, k] of the raw coordinates).
    """
    embedding = np.asarray(embedding, dtype=np.float64)
    levels = np.linspace(0.0, 1.0, QUANTILES)
    quantiles = np.quantile(embedding, levels, axis=0)
    # strictly increasing knots so np.interp is a proper monotone map
    quantiles = quantiles + np.arange(QUANTILES)[:, None] * 1e-12
    plane = np.stack([np.interp(embedding[:, i], quantiles[:, i], levels)
                      for i in range(embedding.shape[1])], axis=1)
    return plane, quantiles


@dataclass(frozen=True)
class GridManifold:
    """A plane ↔ latent map stored as a regular grid (see module docstring).

    Attributes:
        kind: method name ("lle", "laplacian", "isomap", "umap").
        grid: [g, ..., g (k times), latent_dim] float32 latents at plane coordinates
            ``linspace(0, 1, g)`` on each axis.
        anchors_plane: [n_anchors, k] float32 normalised plane positions of the training latents.
        anchors_latent: [n_anchors, latent_dim] float32 the training latents (encoder means).
        bandwidth: kernel width (plane units) the grid was computed with.
    """

    kind: str
    grid: np.ndarray
    anchors_plane: np.ndarray
    anchors_latent: np.ndarray
    bandwidth: float

    def __post_init__(self) -> None:
        k = self.grid.ndim - 1
        g = self.grid.shape[0]
        corners = np.array(np.meshgrid(*[[0, 1]] * k, indexing="ij")).reshape(k, -1).T
        object.__setattr__(self, "_corners", corners)  # [2^k, k] corner offsets
        object.__setattr__(self, "_flat", self.grid.reshape(-1, self.grid.shape[-1])
                           .astype(np.float64))
        object.__setattr__(self, "_strides", np.array([g ** (k - 1 - i) for i in range(k)]))

    def __reduce__(self) -> tuple:
        # pickled (hot-swap to the audio process) without the derived float64 copy of the grid
        return (type(self), (self.kind, self.grid, self.anchors_plane, self.anchors_latent,
                             self.bandwidth))

    @property
    def latent_dim(self) -> int:
        """Size of the latent vectors this manifold maps to."""
        return int(self.grid.shape[-1])

    @property
    def n_components(self) -> int:
        """Dimension of the control plane (2 for the pad, k for sliders)."""
        return int(self.grid.ndim - 1)

    @classmethod
    def build(cls, kind: str, anchors_plane: np.ndarray, anchors_latent: np.ndarray,
              grid_size: int, bandwidth: float) -> "GridManifold":
        """Compute the grid by kernel regression (offline).

        Args:
            kind: method name.
            anchors_plane: [n_anchors, k] normalised positions in [0, 1].
            anchors_latent: [n_anchors, latent_dim] latents.
            grid_size: points per axis (the grid has grid_size**k points).
            bandwidth: Gaussian kernel width in plane units.
        Raises:
            ValueError: mismatched or empty inputs, grid_size < 2 or bandwidth <= 0.
        """
        anchors_plane = np.asarray(anchors_plane, dtype=np.float64)
        anchors_latent = np.asarray(anchors_latent, dtype=np.float64)
        if anchors_plane.ndim != 2 or anchors_latent.ndim != 2 \
                or len(anchors_plane) != len(anchors_latent) or len(anchors_plane) == 0:
            raise ValueError("anchors must be [n, k] and [n, latent_dim] with n > 0")
        if grid_size < 2 or bandwidth <= 0.0:
            raise ValueError("grid_size must be >= 2 and bandwidth > 0")
        k = anchors_plane.shape[1]
        axis = np.linspace(0.0, 1.0, grid_size)
        points = np.stack(np.meshgrid(*[axis] * k, indexing="ij"), axis=-1).reshape(-1, k)
        values = kernel_regression(anchors_plane, anchors_latent, points, bandwidth)
        grid = values.reshape(*([grid_size] * k), anchors_latent.shape[1]).astype(np.float32)
        return cls(kind, grid, anchors_plane.astype(np.float32),
                   anchors_latent.astype(np.float32), float(bandwidth))

    def to_latent(self, xy: np.ndarray) -> np.ndarray:
        """Plane coordinates → latent vectors by multilinear interpolation of the grid.

        Args:
            xy: [n_components] or [n, n_components] coordinates; clamped to [0, 1].
        Returns:
            [latent_dim] or [n, latent_dim] float64. ~10 µs for one point (no fitting).
        """
        xy = np.asarray(xy, dtype=np.float64)
        single = xy.ndim == 1
        pts = np.clip(xy.reshape(-1, self.n_components), 0.0, 1.0) * (self.grid.shape[0] - 1)
        base = np.minimum(pts.astype(np.int64), self.grid.shape[0] - 2)
        frac = pts - base
        # [n, 2^k] flat indices and weights of the cell's corners
        index = (base[:, None, :] + self._corners[None]) @ self._strides
        weight = np.prod(np.where(self._corners[None] == 1, frac[:, None, :],
                                  1.0 - frac[:, None, :]), axis=-1)
        out = np.einsum("nc,ncd->nd", weight, self._flat[index])
        return out[0] if single else out

    def to_plane(self, latent: np.ndarray) -> np.ndarray:
        """Latent vectors [..., latent_dim] → plane coordinates [..., n_components] in [0, 1]
        (kernel regression over the anchors, in latent space; for display, not for the pad)."""
        latent = np.asarray(latent, dtype=np.float64)
        flat = latent.reshape(-1, self.latent_dim)
        spread = float(np.sqrt(np.mean(np.var(self.anchors_latent, axis=0)))) or 1.0
        out = kernel_regression(self.anchors_latent, self.anchors_plane, flat, 0.1 * spread)
        return out.reshape(*latent.shape[:-1], self.n_components)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The arrays to store (npz keys ``prefix + name``); anchors_latent is stored once per
        checkpoint by the caller."""
        return {f"{prefix}grid": self.grid, f"{prefix}plane": self.anchors_plane}

    def to_json(self) -> dict[str, Any]:
        """The JSON part (arrays live in the npz)."""
        return {"kind": self.kind, "bandwidth": self.bandwidth,
                "grid_size": int(self.grid.shape[0]), "n_components": self.n_components}

    @classmethod
    def from_parts(cls, data: Mapping[str, Any], grid: np.ndarray, plane: np.ndarray,
                   anchors_latent: np.ndarray, latent_dim: int) -> "GridManifold":
        """Rebuild from :meth:`to_json` and the stored arrays, checking every shape.

        Raises:
            ValueError: shapes that disagree with each other or with ``latent_dim``, dtype not
                float32, non-finite values, or a grid larger than 2 ** 22 points.
        """
        try:
            kind = str(data["kind"])
            bandwidth = float(data["bandwidth"])
            g = int(data["grid_size"])
            k = int(data["n_components"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"manifold {data.get('kind', '?')!r}: {exc}") from None
        if not 1 <= k <= 8 or not 2 <= g <= 1024 or g ** k > 2 ** 22:
            raise ValueError(f"manifold {kind!r}: grid {g}^{k} out of range")
        arrays = (grid, plane, anchors_latent)
        if any(a.dtype != np.float32 for a in arrays):
            raise ValueError(f"manifold {kind!r}: arrays must be float32")
        if grid.shape != (*([g] * k), latent_dim) or plane.ndim != 2 or plane.shape[1] != k \
                or anchors_latent.shape != (len(plane), latent_dim):
            raise ValueError(f"manifold {kind!r}: shapes do not match latent_dim={latent_dim}")
        if not all(np.isfinite(a).all() for a in arrays) or not np.isfinite(bandwidth) \
                or bandwidth <= 0.0:
            raise ValueError(f"manifold {kind!r}: non-finite values")
        return cls(kind, grid, plane, anchors_latent, bandwidth)
