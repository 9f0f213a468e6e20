"""Storage of the navigation files of a checkpoint: manifolds (pad and slider maps) and
attribute vectors. Written atomically; read with bounds, with no code run (JSON and pickle-free
npz), and refused (ValueError, one line) when made from other weights.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Callable, Optional, Union

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


NpzCheck = Callable[[str, np.dtype, tuple[int, ...]], Optional[str]]
NPZ_EXPANSION = 4  # arrays may hold at most this many times the npz file's size limit


def read_npz(path: Path, max_bytes: int, check: Optional[NpzCheck] = None,
             max_array_bytes: Optional[int] = None) -> dict[str, np.ndarray]:
    """Every array of a pickle-free npz file no larger than ``max_bytes``, each array's header
    checked before its data is read.

    A compressed member can claim (and inflate to) far more than the file's size: a 1.2 MiB npz
    of zeros decompresses to 562 MiB. So each member's ``.npy`` header is read first (magic,
    dtype, shape, from the zip member stream), and the array is refused unless its dtype is a
    plain number type, its byte size agrees with the zip entry's size, ``check`` (the shapes the
    config or JSON beside it implies) accepts it, and all arrays together stay within
    ``max_array_bytes`` (default: NPZ_EXPANSION x ``max_bytes``).

    Args:
        path: the npz file.
        max_bytes: the file's size limit (refused before reading).
        check: called with (array name, dtype, shape) before reading; returns why the array
            is refused, or None.
        max_array_bytes: hard cap on the arrays' total size in memory.
    Raises:
        ValueError: missing, too large, unreadable, or an array refused (one line).
    """
    import zipfile

    from numpy.lib import format as npy

    cap = NPZ_EXPANSION * max_bytes if max_array_bytes is None else max_array_bytes
    data = read_bytes(path, max_bytes)
    out: dict[str, np.ndarray] = {}
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > 4096:
                raise ValueError(f"{len(members)} arrays")
            for info in members:
                if not info.filename.endswith(".npy"):
                    raise ValueError(f"member {info.filename[:60]!r} is not an .npy array")
                name = info.filename[:-4]
                if info.file_size > cap - total + 65536:
                    raise ValueError(f"{name}: {info.file_size} bytes uncompressed, more than "
                                     f"the {cap} allowed")
                with archive.open(info) as stream:
                    version = npy.read_magic(stream)
                    if version == (1, 0):
                        shape, fortran, dtype = npy.read_array_header_1_0(stream)
                    elif version == (2, 0):
                        shape, fortran, dtype = npy.read_array_header_2_0(stream)
                    else:
                        raise ValueError(f"{name}: npy format {version} unsupported")
                    if dtype.hasobject or dtype.kind not in "biuf" or dtype.itemsize > 16:
                        raise ValueError(f"{name}: dtype {dtype} is not a plain number type")
                    if len(shape) > 32 or any(d < 0 for d in shape):
                        raise ValueError(f"{name}: bad shape")
                    count = 1
                    for d in shape:
                        count *= int(d)
                    size = count * dtype.itemsize
                    if size > cap - total:
                        raise ValueError(f"{name}: {dtype} {tuple(shape)} needs {size} bytes, "
                                         f"more than the {cap} allowed")
                    if size != info.file_size - stream.tell():
                        raise ValueError(f"{name}: header says {size} bytes, the archive "
                                         f"{info.file_size - stream.tell()}")
                    if check is not None:
                        why = check(name, dtype, tuple(int(d) for d in shape))
                        if why:
                            raise ValueError(f"{name}: {why}")
                    total += size
                    raw = stream.read(size)
                    if len(raw) != size or stream.read(1):
                        raise ValueError(f"{name}: data does not match its header")
                    array = np.frombuffer(raw, dtype=dtype)
                    out[name] = array.reshape(shape, order="F" if fortran else "C").copy()
    except Exception as exc:  # noqa: BLE001 - zip, zlib, format errors of an untrusted file
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        raise ValueError(f"{path.name}: unreadable ({type(exc).__name__}: {reason})") from None
    return out


def shape_check(expected: dict[str, tuple[Optional[int], ...]], dtype: Any = np.float32
                ) -> NpzCheck:
    """A ``read_npz`` check: only the names of ``expected``, of ``dtype``, with those shapes
    (None in a shape: any size up to MAX_ROWS)."""
    def check(name: str, got_dtype: np.dtype, shape: tuple[int, ...]) -> Optional[str]:
        want = expected.get(name)
        if want is None:
            return "unexpected array"
        if got_dtype != np.dtype(dtype):
            return f"{got_dtype}, expected {np.dtype(dtype)}"
        if len(shape) != len(want) or any(w is not None and w != d or w is None and d > MAX_ROWS
                                          for w, d in zip(want, shape)):
            return (f"shapes do not match: {shape}, expected "
                    f"{tuple('n' if w is None else w for w in want)}")
        return None
    return check


MAX_ROWS = 100_000  # anchors / table rows an npz may hold (training fits on 1500)


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
    if not isinstance(document, dict) or not isinstance(document.get("methods"), dict):
        raise ValueError(f"{MANIFOLDS_JSON}: no 'methods' object")
    arrays = read_npz(directory / MANIFOLDS_NPZ, MAX_MANIFOLDS_NPZ_BYTES,
                      check=shape_check(manifold_shapes(document["methods"], latent_dim)))
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


def manifold_shapes(methods: dict[str, Any], latent_dim: int
                    ) -> dict[str, tuple[Optional[int], ...]]:
    """The arrays manifolds.npz may hold, with the shapes manifolds.json implies (grids: grid_size
    ^ n_components points of latent_dim; planes and anchors: any number of rows)."""
    shapes: dict[str, tuple[Optional[int], ...]] = {"anchors_latent": (None, latent_dim)}
    for name, entry in methods.items():
        if name == "pca" or not isinstance(entry, dict):
            continue
        for role in ("pad", "sliders"):
            data = entry.get(role)
            if not isinstance(data, dict):
                continue
            g, k = data.get("grid_size"), data.get("n_components")
            if isinstance(g, int) and isinstance(k, int) and 2 <= g <= 1024 and 1 <= k <= 8 \
                    and g ** k <= 2 ** 22:
                shapes[f"{name}.{role}.grid"] = (*([g] * k), latent_dim)
                shapes[f"{name}.{role}.plane"] = (None, k)
    return shapes


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
