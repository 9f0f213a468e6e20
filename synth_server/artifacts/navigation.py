"""Storage of the navigation files of a checkpoint: manifolds (pad and slider maps) and
attribute vectors. Written atomically; read with bounds, with no code run (JSON and pickle-free
npz), and refused (ValueError, one line) when made from other weights.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from synth_server.artifacts.layout import (ATTRIBUTES_JSON, MANIFOLD_FILE, MANIFOLDS_JSON,
                                           MANIFOLDS_NPZ, MAX_DERIVED_JSON_BYTES,
                                           MAX_MANIFOLDS_NPZ_BYTES, PROVENANCE_KEY,
                                           check_provenance)
from synth_server.core.files import json_bytes, read_bytes, read_json, sha256_bytes, write_atomic
from synth_server.nav.grid import GridManifold
from synth_server.nav.maps import METHODS, MethodMaps
from synth_server.nav.pca import PcaManifold

MAX_ATTRIBUTES = 64
ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_]{1,48}")


def read_npz(path: Path, max_bytes: int) -> dict[str, np.ndarray]:
    """Every array of a pickle-free npz file no larger than ``max_bytes``.

    Raises:
        ValueError: missing, too large, or unreadable (one line).
    """
    data = read_bytes(path, max_bytes)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except Exception as exc:  # noqa: BLE001 - zip, zlib, format errors of an untrusted file
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise ValueError(f"{path.name}: unreadable ({type(exc).__name__}: {reason})") from None


def manifolds_sha256(directory: Union[str, Path]) -> Optional[str]:
    """sha256 of the maps a pad picture is drawn on (``manifolds.npz``, else ``manifold.json``),
    or None when neither exists."""
    directory = Path(directory)
    for name in (MANIFOLDS_NPZ, MANIFOLD_FILE):
        if (directory / name).is_file():
            return sha256_bytes((directory / name).read_bytes())
    return None


def save_manifolds(directory: Union[str, Path], maps: dict[str, MethodMaps], anchors: np.ndarray,
                   weights_sha256: str, report: Optional[dict[str, Any]] = None,
                   extra: Optional[dict[str, Any]] = None) -> None:
    """Write ``manifolds.json`` and ``manifolds.npz`` into a checkpoint directory (atomically);
    also rewrites ``manifold.json`` with the PCA pad map (the format-1 file).

    Args:
        directory: checkpoint directory.
        maps: {method: MethodMaps}, "pca" included.
        anchors: [n_anchors, latent_dim] the encoder means the maps were fitted on.
        weights_sha256: hash of the weights the latents came from (provenance).
        report, extra: quality report and other JSON-able fields stored in manifolds.json.
    """
    directory = Path(directory)
    arrays: dict[str, np.ndarray] = {"anchors_latent": np.asarray(anchors, dtype=np.float32)}
    methods: dict[str, Any] = {}
    for name, mm in maps.items():
        methods[name] = {"pad": mm.pad.to_json(), "sliders": mm.sliders.to_json()}
        for role, m in (("pad", mm.pad), ("sliders", mm.sliders)):
            if isinstance(m, GridManifold):
                arrays.update(m.arrays(f"{name}.{role}."))
    k = maps["pca"].sliders.n_components
    document = {"n_sliders": k, "methods": methods, "quality": report or {}, **(extra or {}),
                PROVENANCE_KEY: weights_sha256}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    write_atomic(directory / MANIFOLDS_NPZ, buffer.getvalue())
    write_atomic(directory / MANIFOLDS_JSON, json_bytes(document))
    save_pca_pad(directory, maps["pca"].pad, weights_sha256)


def save_pca_pad(directory: Union[str, Path], manifold: PcaManifold, weights_sha256: str) -> None:
    """Write ``manifold.json`` (the 2-D PCA pad map) with its provenance, atomically."""
    write_atomic(Path(directory) / MANIFOLD_FILE,
                 json_bytes({**manifold.to_json(), PROVENANCE_KEY: weights_sha256}))


def load_pca_pad(directory: Union[str, Path], latent_dim: int, weights_sha256: str
                 ) -> PcaManifold:
    """The PCA pad map of ``manifold.json``.

    Raises:
        ValueError: missing, invalid, or made from other weights (one line).
    """
    document = read_json(Path(directory) / MANIFOLD_FILE, MAX_DERIVED_JSON_BYTES)
    check_provenance(document, MANIFOLD_FILE, weights_sha256)
    document = {k: v for k, v in document.items() if k != PROVENANCE_KEY}
    try:
        return PcaManifold.from_json(document, latent_dim)
    except ValueError as exc:
        raise ValueError(f"{MANIFOLD_FILE}: {exc}") from None


def load_manifolds(directory: Union[str, Path], latent_dim: int, pca_pad: PcaManifold,
                   weights_sha256: str) -> tuple[dict[str, MethodMaps], dict[str, Any]]:
    """Read the maps of a checkpoint directory (no code runs: JSON and a pickle-free npz).

    Args:
        directory: checkpoint directory.
        latent_dim: the model's latent size.
        pca_pad: the PCA pad map from ``manifold.json``.
        weights_sha256: hash of the weights beside them (provenance check).
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
    document = read_json(json_path, MAX_DERIVED_JSON_BYTES)
    check_provenance(document, MANIFOLDS_JSON, weights_sha256)
    arrays = read_npz(directory / MANIFOLDS_NPZ, MAX_MANIFOLDS_NPZ_BYTES)
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


def save_attributes(directory: Union[str, Path], attributes: dict[str, dict[str, Any]],
                    weights_sha256: str, source: str = "") -> None:
    """Write ``attributes.json`` into a checkpoint directory (atomically).

    Args:
        attributes: {name: {"vector": [latent_dim] list, ...}} (see
            :func:`synth_server.fit.attributes.attribute_vectors`).
        weights_sha256: hash of the weights whose encoder gave the latents (provenance).
        source: the data folder they came from.
    """
    document = {"method": "MusicVAE attribute vectors (mean with - mean without)",
                "source": source, "attributes": attributes, PROVENANCE_KEY: weights_sha256}
    write_atomic(Path(directory) / ATTRIBUTES_JSON, json_bytes(document))


def load_attributes(directory: Union[str, Path], latent_dim: int, weights_sha256: str
                    ) -> dict[str, np.ndarray]:
    """{name: vector [latent_dim] float64} of a checkpoint; {} without ``attributes.json``.

    Raises:
        ValueError: unreadable JSON, bad names, wrong lengths, non-finite or huge (> 50)
            values, more than MAX_ATTRIBUTES entries.
    """
    path = Path(directory) / ATTRIBUTES_JSON
    if not path.is_file():
        return {}
    document = read_json(path, 4 * 1024 * 1024)
    check_provenance(document, ATTRIBUTES_JSON, weights_sha256)
    try:
        entries = document["attributes"]
        if not isinstance(entries, dict):
            raise TypeError("'attributes' is not an object")
        out: dict[str, np.ndarray] = {}
        for name, entry in entries.items():
            if not isinstance(name, str) or not ATTRIBUTE_NAME.fullmatch(name):
                raise ValueError(f"bad attribute name {str(name)[:40]!r}")
            vector = np.asarray(entry["vector"], dtype=np.float64)
            if vector.shape != (latent_dim,) or not np.isfinite(vector).all() \
                    or np.abs(vector).max() > 50.0:
                raise ValueError(f"attribute {name}: needs {latent_dim} finite values")
            out[name] = vector
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise ValueError(f"{ATTRIBUTES_JSON}: {str(exc).splitlines()[0][:120]}") from None
    if len(out) > MAX_ATTRIBUTES:
        raise ValueError(f"{ATTRIBUTES_JSON}: more than {MAX_ATTRIBUTES} attributes")
    return out


def drop_stale_attributes(directory: Union[str, Path], weights_sha256: str) -> bool:
    """Remove ``attributes.json`` when it was made from other weights (or cannot be read).

    Attribute vectors are derived data: when the weights changed and no labelled data is at
    hand to refit them, the stale vectors must not steer the new decoder.

    Returns:
        True when a stale file was removed.
    """
    path = Path(directory) / ATTRIBUTES_JSON
    if not path.is_file():
        return False
    try:
        check_provenance(read_json(path, 4 * 1024 * 1024), ATTRIBUTES_JSON, weights_sha256)
        return False
    except ValueError:
        path.unlink()
        return True
