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

import logging
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from synth_server.nav.grid import GridManifold, uniformise
from synth_server.nav.maps import METHODS, Manifold, MethodMaps, anchor_plane
from synth_server.nav.pca import PcaManifold

log = logging.getLogger(__name__)

PAD_GRID_SIZE = 65
PAD_BANDWIDTH = 0.04
SLIDER_BANDWIDTH = 0.1
N_NEIGHBORS = 15

def fit_pca(latents: np.ndarray, n_components: int = 2) -> PcaManifold:
    """Fit a :class:`PcaManifold` on encoder means.

    Args:
        latents: [n_points, latent_dim] encoder means.
        n_components: plane dimension.
    Returns:
        The map; its plane spans the 1st..99th percentile of the projected points.
    Raises:
        ValueError: fewer than ``n_components + 1`` points.
    Source: sklearn.decomposition.PCA.
    """
    from sklearn.decomposition import PCA

    latents = np.asarray(latents, dtype=np.float64)
    if latents.ndim != 2 or latents.shape[0] <= n_components:
        raise ValueError("need [n_points > n_components, latent_dim] latents to fit PCA")
    pca = PCA(n_components=n_components).fit(latents)
    projected = pca.transform(latents)
    lo, hi = np.percentile(projected, [1.0, 99.0], axis=0)
    hi = np.where(hi - lo < 1e-9, lo + 1e-9, hi)
    return PcaManifold(pca.mean_.copy(), pca.components_.copy(), lo, hi)


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
        manifold = fit_pca(anchors, n_components=n_components)
        return manifold, manifold.to_plane(anchors)
    raw = embed(method, anchors, n_components, seed)
    plane, _ = uniformise(raw)
    if n_components == 2:
        size, bandwidth = PAD_GRID_SIZE, PAD_BANDWIDTH
    else:
        size, bandwidth = slider_grid_size(n_components), SLIDER_BANDWIDTH
    return GridManifold.build(method, plane, anchors, size, bandwidth), raw


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


def centroid_descriptor(checkpoint: Any) -> Callable[[np.ndarray], np.ndarray]:
    """latents [n, latent_dim] → spectral centroid (Hz) of the decoded magnitude frame
    (librosa.feature.spectral_centroid on the decoder's linear magnitudes).

    An hpn model's latents are decoded at the reference note (MIDI 60, -20 dB,
    :mod:`synth_server.model.synthesis`) and described by the power centroid of their harmonic
    envelope (:func:`synth_server.dsp.hpn.harmonic_envelope_centroid`) in Hz (x f0 of MIDI 60);
    the noise bands are left out.
    """
    import librosa

    decoder = checkpoint.decoder()
    stft = checkpoint.stft
    if checkpoint.family == "hpn":
        from synth_server.dsp.hpn import conditioning, harmonic_envelope_centroid, midi_to_hz
        from synth_server.model.synthesis import REFERENCE_LOUDNESS_DB, REFERENCE_MIDI_PITCH

        c = conditioning(REFERENCE_MIDI_PITCH, REFERENCE_LOUDNESS_DB)[None, :]
        f0_hz = float(midi_to_hz(REFERENCE_MIDI_PITCH))

        def harmonic_centroid_hz(z: np.ndarray) -> np.ndarray:
            features = decoder.features(np.asarray(z, dtype=np.float32), c)
            return harmonic_envelope_centroid(features, stft) * f0_hz

        return harmonic_centroid_hz

    def centroid_hz(z: np.ndarray) -> np.ndarray:
        mag = decoder.magnitude(np.asarray(z, dtype=np.float32)).astype(np.float64)
        return librosa.feature.spectral_centroid(S=mag.T, sr=stft.sample_rate,
                                                 n_fft=stft.n_fft)[0]

    return centroid_hz


def fit_checkpoint(model_dir: Union[str, Path], latents: Optional[np.ndarray] = None,
                   data_dir: Optional[Union[str, Path]] = None, methods: Sequence[str] = METHODS,
                   n_sliders: Optional[int] = None, seed: int = 0, command: str = ""
                   ) -> dict[str, Any]:
    """Fit and store every manifold of a checkpoint directory (``synth-server fit-manifolds``).

    Args:
        model_dir: checkpoint directory (rewritten in place, atomically file by file).
        latents: [n, latent_dim] encoder means; when None they are computed from ``data_dir``
            or, failing that, from the stored anchors of an earlier fit.
        data_dir: folder of audio to encode (:func:`synth_server.fit.encode.encode_folder`; an
            hpn model's notes need a known pitch, and are encoded with their conditioning); its
            label file (if any) also gives the attribute vectors (:mod:`synth_server.fit.attributes`).
        methods, n_sliders, seed: see :func:`fit_manifolds`.
        command: the producing command line, stored in manifolds.json.
    Returns:
        The quality report (by method).
    Raises:
        CheckpointError: the directory does not load.
        FileNotFoundError: no latents, no data and no earlier anchors.
    """
    from synth_server.artifacts.checkpoint import load_checkpoint
    from synth_server.artifacts.descriptors import load_anchors
    from synth_server.artifacts.layout import HEATMAPS_JSON
    from synth_server.artifacts.navigation import drop_stale_attributes, save_manifolds
    from synth_server.fit.attributes import fit_attributes
    from synth_server.fit.encode import encode_folder

    # the derived files may be stale (other weights): they are what this command rewrites
    checkpoint = load_checkpoint(model_dir, derived=False)
    if latents is None and data_dir is not None:
        latents, owners, files = encode_folder(checkpoint, data_dir)
        fit_attributes(model_dir, data_dir, checkpoint, (latents, owners, files))
    elif data_dir is not None:
        fit_attributes(model_dir, data_dir, checkpoint)
    if drop_stale_attributes(model_dir, checkpoint.weights_sha256):
        log.warning("%s: removed attributes.json made from other weights (refit it with "
                    "fit-manifolds --data DIR on labelled data)", model_dir)
    if latents is None:
        latents = load_anchors(model_dir, checkpoint.weights_sha256)
        if latents is None:
            raise FileNotFoundError(f"{model_dir}: give --data (a folder of audio) to fit on")
    maps, anchors, report = fit_manifolds(latents, methods, n_sliders, seed=seed,
                                          descriptor=centroid_descriptor(checkpoint))
    save_manifolds(model_dir, maps, anchors, checkpoint.weights_sha256, report,
                   {"command": command, "seed": seed, "n_latents": int(len(latents))})
    if (Path(model_dir) / HEATMAPS_JSON).is_file():  # drawn on the old maps: redraw them
        from synth_server.fit.heatmaps import write_heatmaps

        write_heatmaps(load_checkpoint(model_dir, derived=False, maps=True), model_dir)
    return report
