"""Navigation maps played live: plane <-> latent maps by method, and pad / sliders -> latent.

numpy only (no scikit-learn, no torch): the maps are fitted offline (:mod:`synth_server.fit.manifolds`)
and stored in the checkpoint (:mod:`synth_server.artifacts.checkpoint`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from synth_server.core.contract import ControlState
from synth_server.nav.grid import GridManifold
from synth_server.nav.pca import PcaManifold

METHODS = ("pca", "lle", "laplacian", "isomap", "umap")
Manifold = Union[PcaManifold, GridManifold]


@dataclass(frozen=True)
class MethodMaps:
    """One method's two maps: ``pad`` (2-D) and ``sliders`` (k-D)."""

    pad: Manifold
    sliders: Manifold


def navigation_of(checkpoint: Any) -> tuple[tuple[str, ...], int]:
    """(manifold names in :data:`METHODS` order, slider count) a loaded checkpoint offers."""
    names = tuple(m for m in METHODS if m in checkpoint.manifolds)
    return names, int(checkpoint.manifolds["pca"].sliders.n_components)


def anchor_plane(manifold: Manifold, anchors: np.ndarray) -> np.ndarray:
    """Where each anchor latent sits on the plane of ``manifold`` ([n, k])."""
    if isinstance(manifold, GridManifold):
        return manifold.anchors_plane.astype(np.float64)
    return manifold.to_plane(anchors)


def latent_target(state: ControlState, manifolds: dict[str, Any], latent_dim: int) -> np.ndarray:
    """The latent vector [latent_dim] float64 that ``state`` asks for.

    Args:
        state: control state.
        manifolds: the model's maps by method name (objects with ``.pad`` and ``.sliders``
            maps, see :class:`synth_server.nav.maps.MethodMaps`); an unknown
            ``state.manifold`` falls back to "pca".
        latent_dim: the model's latent size.
    """
    if state.latent is None:
        maps = manifolds.get(state.manifold) or manifolds["pca"]
        if state.sliders is not None:
            k = maps.sliders.n_components
            values = np.full(k, 0.5)
            n = min(k, len(state.sliders))
            values[:n] = state.sliders[:n]
            z = maps.sliders.to_latent(values)
        else:
            z = maps.pad.to_latent(np.asarray(state.pad, dtype=np.float64))
    else:
        z = np.zeros(latent_dim, dtype=np.float64)
        n = min(latent_dim, len(state.latent))
        z[:n] = state.latent[:n]
    if state.offset is not None and len(state.offset) == latent_dim:
        z = z + np.asarray(state.offset, dtype=np.float64)
    return z


def slerp(za: np.ndarray, zb: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation between latent vectors [latent_dim] (Shoemake 1985; White 2016):
    the angle is interpolated linearly and the norm linearly; falls back to lerp when the
    vectors are (anti)parallel or one is zero."""
    na, nb = float(np.linalg.norm(za)), float(np.linalg.norm(zb))
    if na < 1e-9 or nb < 1e-9:
        return (1.0 - t) * za + t * zb
    ua, ub = za / na, zb / nb
    omega = float(np.arccos(np.clip(ua @ ub, -1.0, 1.0)))
    if omega < 1e-6 or np.pi - omega < 1e-6:
        return (1.0 - t) * za + t * zb
    direction = (np.sin((1.0 - t) * omega) * ua + np.sin(t * omega) * ub) / np.sin(omega)
    return direction * ((1.0 - t) * na + t * nb)
