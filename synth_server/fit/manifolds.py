"""Fit every navigation manifold on a model's encoder means, measure them, store them.

Methods (ATIAM brief exercise 6), all from scikit-learn except UMAP (umap-learn):

========== ===================================================== ==============================
name       method                                                source
========== ===================================================== ==============================
pca        principal components (linear; exact inverse)          sklearn.decomposition.PCA
lle        locally linear embedding (Roweis & Saul 2000)         sklearn.manifold.LocallyLinearEmbedding
laplacian  Laplacian eigenmaps (Belkin & Niyogi 2003)            sklearn.manifold.SpectralEmbedding
isomap     geodesic MDS (Tenenbaum et al. 2000)                  sklearn.manifold.Isomap
umap       uniform manifold approximation (McInnes et al. 2018)  umap.UMAP
========== ===================================================== ==============================

Each method is fitted twice: in 2-D for the pad and in k-D (``n_sliders``, default
``min(4, latent_dim)``) for the sliders. The non-linear ones become
:class:`~synth_server.nav.grid.GridManifold` (a precomputed plane → latent grid); PCA stays
a matrix product. Nothing here runs while playing.

Stored beside the weights: ``manifolds.json`` (kinds, parameters, quality figures) and
``manifolds.npz`` (float32 arrays, read with ``allow_pickle=False``).
"""
from __future__ import annotations

import json
import logging
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from synth_server.nav.grid import GridManifold, uniformise
from synth_server.nav.pca import PcaManifold

log = logging.getLogger(__name__)

METHODS = ("pca", "lle", "laplacian", "isomap", "umap")
MANIFOLDS_JSON = "manifolds.json"
MANIFOLDS_NPZ = "manifolds.npz"
PAD_GRID_SIZE = 65
PAD_BANDWIDTH = 0.04
SLIDER_BANDWIDTH = 0.1
N_NEIGHBORS = 15
MAX_NPZ_BYTES = 64 * 1024 * 1024

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


def slider_grid_size(n_sliders: int) -> int:
    """Grid points per axis for a k-D slider grid (about 8000 points in all, 5 to 65)."""
    return int(np.clip(round(8000 ** (1.0 / n_sliders)), 5, PAD_GRID_SIZE))


def connected_neighbors(latents: np.ndarray, start: int = N_NEIGHBORS) -> int:
    """The smallest neighbour count (start, 2 x start, ...) whose k-nearest-neighbour graph of
    ``latents`` [n, d] is connected (graph methods collapse each disconnected cluster of a
    clustered data set onto one point otherwise)."""
    from scipy.sparse.csgraph import connected_components
    from sklearn.neighbors import kneighbors_graph

    k = min(start, len(latents) - 1)
    while k < len(latents) - 1:
        graph = kneighbors_graph(latents, k)
        if connected_components(graph + graph.T, directed=False)[0] == 1:
            break
        k = min(2 * k, len(latents) - 1)
    return k


def embed(method: str, latents: np.ndarray, n_components: int, seed: int = 0) -> np.ndarray:
    """Embed latents with one method.

    Args:
        method: one of :data:`METHODS` except "pca".
        latents: [n_points, latent_dim] float64.
        n_components: embedding dimension.
        seed: random state of the method.
    Returns:
        [n_points, n_components] float64 raw embedding.
    Raises:
        ValueError: unknown method.
        ImportError: umap-learn missing (method "umap").
    """
    from sklearn.manifold import Isomap, LocallyLinearEmbedding, SpectralEmbedding

    n_neighbors = min(N_NEIGHBORS, len(latents) - 1)
    if method in ("laplacian", "isomap"):
        n_neighbors = connected_neighbors(latents)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # disconnected-graph and sparse-efficiency warnings
        if method == "lle":
            # reg 0.1 (sklearn's default 1e-3): the frames of one sustained note are near
            # duplicates, whose local Gram matrices are singular; measured on the shipped models'
            # latents it keeps ARPACK from failing and raises trustworthiness 0.27 -> 0.99
            return LocallyLinearEmbedding(n_neighbors=n_neighbors, n_components=n_components,
                                          reg=0.1, random_state=seed).fit_transform(latents)
        if method == "laplacian":
            return SpectralEmbedding(n_components=n_components, n_neighbors=n_neighbors,
                                     random_state=seed).fit_transform(latents)
        if method == "isomap":
            return Isomap(n_neighbors=n_neighbors, n_components=n_components).fit_transform(latents)
        if method == "umap":
            import umap

            return umap.UMAP(n_components=n_components, n_neighbors=n_neighbors, min_dist=0.1,
                             random_state=seed, n_jobs=1).fit_transform(latents)
    raise ValueError(f"unknown manifold method {method!r} (choose from {', '.join(METHODS)})")


def fit_method(method: str, anchors: np.ndarray, n_components: int, seed: int = 0
               ) -> tuple[Manifold, np.ndarray]:
    """Fit one map (2-D pad or k-D sliders) on anchor latents [n, latent_dim].

    Returns:
        (map, raw embedding [n, n_components] of the anchors). The map is a
        :class:`PcaManifold` for "pca", else a :class:`GridManifold` built from the
        uniformised embedding.
    """
    if method == "pca":
        manifold = PcaManifold.fit(anchors, n_components=n_components)
        return manifold, manifold.to_plane(anchors)
    raw = embed(method, anchors, n_components, seed)
    plane, _ = uniformise(raw)
    if n_components == 2:
        size, bandwidth = PAD_GRID_SIZE, PAD_BANDWIDTH
    else:
        size, bandwidth = slider_grid_size(n_components), SLIDER_BANDWIDTH
    return GridManifold.build(method, plane, anchors, size, bandwidth), raw


def anchor_plane(manifold: Manifold, anchors: np.ndarray) -> np.ndarray:
    """Where each anchor latent sits on the plane of ``manifold`` ([n, k])."""
    if isinstance(manifold, GridManifold):
        return manifold.anchors_plane.astype(np.float64)
    return manifold.to_plane(anchors)


def map_quality(manifold: Manifold, anchors: np.ndarray, raw: Optional[np.ndarray] = None,
                n_neighbors: int = 10) -> dict[str, float]:
    """Trustworthiness of the embedding and inverse-map error on the training latents.

    Args:
        manifold: a fitted map.
        anchors: [n, latent_dim] the latents it was fitted on.
        raw: [n, k] the method's own embedding before normalisation (optional).
    Returns:
        {"trustworthiness": sklearn.manifold.trustworthiness of the normalised plane the pad
        plays (1 = every plane neighbour is a latent neighbour), "embedding_trustworthiness":
        the same for the raw embedding, "inverse_error": RMS(to_latent(plane(z)) - z) /
        RMS(z - mean z) (0 = exact, 1 = no better than the mean)}.
    """
    from sklearn.manifold import trustworthiness

    plane = anchor_plane(manifold, anchors)
    k = max(1, min(n_neighbors, len(anchors) // 2 - 1))
    out = {"trustworthiness": round(float(trustworthiness(anchors, plane, n_neighbors=k)), 4)}
    if raw is not None:
        out["embedding_trustworthiness"] = round(float(trustworthiness(anchors, raw,
                                                                        n_neighbors=k)), 4)
    back = manifold.to_latent(plane)
    spread = np.sqrt(np.mean(np.sum((anchors - anchors.mean(0)) ** 2, axis=1)))
    error = np.sqrt(np.mean(np.sum((back - anchors) ** 2, axis=1))) / max(spread, 1e-12)
    out["inverse_error"] = round(float(error), 4)
    return out


def line_smoothness(manifold: Manifold, descriptor: Callable[[np.ndarray], np.ndarray],
                    n_lines: int = 5, n_points: int = 101) -> float:
    """How smoothly a descriptor of the decoded sound changes along straight pad lines.

    ``n_lines`` horizontal and ``n_lines`` vertical lines across the pad, ``n_points`` each; on
    each line the ratio (largest step of the descriptor) / (median step); the median over lines
    is returned. 1 is perfectly even; a jump shows up as a large ratio.

    Args:
        manifold: a 2-D map.
        descriptor: latents [n, latent_dim] → one descriptor value per latent [n].
    """
    t = np.linspace(0.0, 1.0, n_points)
    ratios = []
    for c in np.linspace(0.1, 0.9, n_lines):
        for xy in (np.stack([t, np.full_like(t, c)], 1), np.stack([np.full_like(t, c), t], 1)):
            steps = np.abs(np.diff(descriptor(manifold.to_latent(xy))))
            ratios.append(float(steps.max() / max(np.median(steps), 1e-9 * steps.max(), 1e-12)))
    return round(float(np.median(ratios)), 2)


def fit_manifolds(latents: np.ndarray, methods: Sequence[str] = METHODS,
                  n_sliders: Optional[int] = None, n_anchors: int = 1500, seed: int = 0,
                  descriptor: Optional[Callable[[np.ndarray], np.ndarray]] = None
                  ) -> tuple[dict[str, MethodMaps], np.ndarray, dict[str, Any]]:
    """Fit the pad and slider maps of every method on encoder means.

    Args:
        latents: [n_points, latent_dim] encoder means of the training frames.
        methods: names from :data:`METHODS` ("pca" is always fitted).
        n_sliders: slider count k (default ``min(4, latent_dim)``; at least 1).
        n_anchors: points fitted on (a seeded random subset when there are more).
        seed: subset and method random state.
        descriptor: optional latents → descriptor (e.g. spectral centroid in Hz of the decoded
            frame) for :func:`line_smoothness`.
    Returns:
        (maps by method, anchors [n_anchors, latent_dim] float64, report by method: fit time,
        trustworthiness, inverse error, smoothness; failures as {"error": reason}).
    Raises:
        ValueError: unknown method, or fewer than 10 latents.
    """
    latents = np.asarray(latents, dtype=np.float64)
    if latents.ndim != 2 or len(latents) < 10:
        raise ValueError("need [n_points >= 10, latent_dim] latents")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown manifold method(s) {unknown} (choose from {', '.join(METHODS)})")
    latent_dim = latents.shape[1]
    k = int(n_sliders or min(4, latent_dim))
    k = max(1, min(k, latent_dim, 8))
    rng = np.random.default_rng(seed)
    anchors = latents if len(latents) <= n_anchors else \
        latents[np.sort(rng.choice(len(latents), n_anchors, replace=False))]
    maps: dict[str, MethodMaps] = {}
    report: dict[str, Any] = {}
    for method in ["pca", *[m for m in methods if m != "pca"]]:
        started = time.perf_counter()
        try:
            fit_on = latents if method == "pca" else anchors  # PCA is cheap: all the data
            pad, pad_raw = fit_method(method, fit_on, 2, seed)
            sliders, sliders_raw = fit_method(method, fit_on, k, seed)
            if method == "pca":
                pad_raw, sliders_raw = pad.to_plane(anchors), sliders.to_plane(anchors)
        except Exception as exc:  # noqa: BLE001 - one failing method must not lose the others
            if method == "pca":
                raise
            log.warning("manifold %s: %s", method, exc)
            report[method] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
            continue
        maps[method] = MethodMaps(pad, sliders)
        entry: dict[str, Any] = {"fit_seconds": round(time.perf_counter() - started, 2),
                                 "pad": map_quality(pad, anchors, pad_raw),
                                 "sliders": map_quality(sliders, anchors, sliders_raw)}
        if descriptor is not None:
            entry["pad"]["smoothness"] = line_smoothness(pad, descriptor)
        report[method] = entry
    return maps, anchors, report


def _map_json(m: Manifold) -> dict[str, Any]:
    return m.to_json()


def save_manifolds(directory: Union[str, Path], maps: dict[str, MethodMaps], anchors: np.ndarray,
                   report: Optional[dict[str, Any]] = None, extra: Optional[dict[str, Any]] = None
                   ) -> None:
    """Write ``manifolds.json`` and ``manifolds.npz`` into a checkpoint directory (atomically);
    also rewrites ``manifold.json`` with the PCA pad map (the format-1 file)."""
    from synth_server.artifacts.checkpoint import MANIFOLD_FILE, _write_atomic

    directory = Path(directory)
    arrays: dict[str, np.ndarray] = {"anchors_latent": np.asarray(anchors, dtype=np.float32)}
    methods: dict[str, Any] = {}
    for name, mm in maps.items():
        methods[name] = {"pad": _map_json(mm.pad), "sliders": _map_json(mm.sliders)}
        for role, m in (("pad", mm.pad), ("sliders", mm.sliders)):
            if isinstance(m, GridManifold):
                arrays.update(m.arrays(f"{name}.{role}."))
    k = maps["pca"].sliders.n_components
    document = {"n_sliders": k, "methods": methods, "quality": report or {}, **(extra or {})}
    import io

    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    _write_atomic(directory / MANIFOLDS_NPZ, buffer.getvalue())
    _write_atomic(directory / MANIFOLDS_JSON, json.dumps(document, indent=1).encode())
    _write_atomic(directory / MANIFOLD_FILE, json.dumps(maps["pca"].pad.to_json(), indent=1)
                  .encode())


def load_manifolds(directory: Union[str, Path], latent_dim: int, pca_pad: PcaManifold
                   ) -> tuple[dict[str, MethodMaps], dict[str, Any]]:
    """Read the maps of a checkpoint directory (no code runs: JSON and a pickle-free npz).

    Args:
        directory: checkpoint directory.
        latent_dim: the model's latent size.
        pca_pad: the PCA pad map from ``manifold.json``.
    Returns:
        (maps by method, the JSON document). Without ``manifolds.json`` (older checkpoints):
        ``{"pca": MethodMaps(pca_pad, pca_pad)}`` (two sliders on the PCA plane).
    Raises:
        ValueError: unreadable or inconsistent files (the caller turns it into one line).
    """
    directory = Path(directory)
    json_path = directory / MANIFOLDS_JSON
    if not json_path.is_file():
        return {"pca": MethodMaps(pca_pad, pca_pad)}, {}
    npz_path = directory / MANIFOLDS_NPZ
    if not npz_path.is_file():
        raise ValueError(f"{npz_path.name} missing")
    if npz_path.stat().st_size > MAX_NPZ_BYTES:
        raise ValueError(f"{npz_path.name} larger than {MAX_NPZ_BYTES} bytes")
    from synth_server.artifacts.checkpoint import _read_json

    document = _read_json(json_path)  # bounded size, one-line CheckpointError (a ValueError)
    try:
        with np.load(npz_path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except Exception as exc:  # noqa: BLE001 - zip, zlib, format errors of an untrusted file
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise ValueError(f"cannot read manifolds ({type(exc).__name__}: {reason})") from None
    if not isinstance(document, dict) or not isinstance(document.get("methods"), dict):
        raise ValueError(f"{MANIFOLDS_JSON}: no 'methods' object")
    anchors = arrays.get("anchors_latent")
    if anchors is None:
        raise ValueError(f"{MANIFOLDS_NPZ}: no anchors_latent")
    maps: dict[str, MethodMaps] = {}
    for name, entry in document["methods"].items():
        if name not in METHODS or not isinstance(entry, dict):
            raise ValueError(f"{MANIFOLDS_JSON}: unknown method {str(name)[:40]!r}")
        built = []
        for role in ("pad", "sliders"):
            data = entry.get(role)
            if not isinstance(data, dict):
                raise ValueError(f"{MANIFOLDS_JSON}: {name}.{role} missing")
            if name == "pca":
                built.append(PcaManifold.from_json(data, latent_dim))
            else:
                grid = arrays.get(f"{name}.{role}.grid")
                plane = arrays.get(f"{name}.{role}.plane")
                if grid is None or plane is None:
                    raise ValueError(f"{MANIFOLDS_NPZ}: arrays of {name}.{role} missing")
                built.append(GridManifold.from_parts(data, grid, plane, anchors, latent_dim))
        if built[0].n_components != 2:
            raise ValueError(f"{MANIFOLDS_JSON}: {name}.pad is not 2-D")
        maps[name] = MethodMaps(built[0], built[1])
    if "pca" not in maps:
        maps["pca"] = MethodMaps(pca_pad, pca_pad)
    counts = {m.sliders.n_components for m in maps.values()}
    if len(counts) != 1:
        raise ValueError(f"{MANIFOLDS_JSON}: methods disagree on the slider count")
    return maps, document


def centroid_descriptor(checkpoint: Any) -> Callable[[np.ndarray], np.ndarray]:
    """latents [n, latent_dim] → spectral centroid (Hz) of the decoded magnitude frame
    (librosa.feature.spectral_centroid on the decoder's linear magnitudes)."""
    import librosa

    decoder = checkpoint.decoder()
    stft = checkpoint.stft

    def centroid_hz(z: np.ndarray) -> np.ndarray:
        mag = decoder.magnitude(np.asarray(z, dtype=np.float32)).astype(np.float64)
        return librosa.feature.spectral_centroid(S=mag.T, sr=stft.sample_rate,
                                                 n_fft=stft.n_fft)[0]

    return centroid_hz


def encoder_means(checkpoint: Any, data_dir: Union[str, Path], min_frame_db: float = -60.0
                  ) -> np.ndarray:
    """Encoder means [n_frames, latent_dim] of every frame of a folder of audio (uses torch).

    Raises:
        FileNotFoundError: no usable audio in ``data_dir``.
    """
    import torch

    from synth_server.data.frames import load_frames

    log_frames, _, _ = load_frames(data_dir, checkpoint.stft, min_frame_db)
    model = checkpoint.model
    with torch.inference_mode():
        x = model.normalise(torch.from_numpy(log_frames))
        return torch.cat([model.encode(x[i:i + 4096])[0] for i in range(0, len(x), 4096)]).numpy()


def fit_checkpoint(model_dir: Union[str, Path], latents: Optional[np.ndarray] = None,
                   data_dir: Optional[Union[str, Path]] = None, methods: Sequence[str] = METHODS,
                   n_sliders: Optional[int] = None, seed: int = 0, command: str = ""
                   ) -> dict[str, Any]:
    """Fit and store every manifold of a checkpoint directory (``synth-server fit-manifolds``).

    Args:
        model_dir: checkpoint directory (rewritten in place, atomically file by file).
        latents: [n, latent_dim] encoder means; when None they are computed from ``data_dir``
            or, failing that, from the stored anchors of an earlier fit.
        data_dir: folder of audio to encode; its label file (if any) also gives the
            attribute vectors (:mod:`synth_server.fit.attributes`).
        methods, n_sliders, seed: see :func:`fit_manifolds`.
        command: the producing command line, stored in manifolds.json.
    Returns:
        The quality report (by method).
    Raises:
        CheckpointError: the directory does not load.
        FileNotFoundError: no latents, no data and no earlier anchors.
    """
    from synth_server.artifacts.checkpoint import load_checkpoint

    checkpoint = load_checkpoint(model_dir)
    if data_dir is not None:
        from synth_server.fit.attributes import fit_attributes

        fit_attributes(model_dir, data_dir, checkpoint)
    if latents is None and data_dir is not None:
        latents = encoder_means(checkpoint, data_dir)
    if latents is None:
        npz = Path(model_dir) / MANIFOLDS_NPZ
        if not npz.is_file():
            raise FileNotFoundError(f"{model_dir}: give --data (a folder of audio) to fit on")
        with np.load(npz, allow_pickle=False) as arrays:
            latents = arrays["anchors_latent"].astype(np.float64)
    maps, anchors, report = fit_manifolds(latents, methods, n_sliders, seed=seed,
                                          descriptor=centroid_descriptor(checkpoint))
    save_manifolds(model_dir, maps, anchors, report,
                   {"command": command, "seed": seed, "n_latents": int(len(latents))})
    return report
