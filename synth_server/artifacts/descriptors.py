"""Storage of the descriptor files of a checkpoint: the surrogate (``descriptors.json/.npz``)
and the index of the pad heatmaps (``heatmaps.json``, ``heatmaps/*.png``). Written atomically;
read with bounds and no code run; refused (ValueError, one line) when made from other weights,
or (heatmaps) drawn on other maps.
"""
from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from synth_server.artifacts.layout import (DESCRIPTORS_JSON, DESCRIPTORS_NPZ, HEATMAP_DIR,
                                           HEATMAPS_JSON, MANIFOLDS_JSON, MANIFOLDS_NPZ,
                                           MAX_DERIVED_JSON_BYTES,
                                           MANIFOLDS_PROVENANCE_KEY, MAX_DESCRIPTORS_NPZ_BYTES,
                                           MAX_MANIFOLDS_NPZ_BYTES, PROVENANCE_KEY,
                                           ProvenanceError, check_provenance)
from synth_server.artifacts.navigation import manifolds_sha256, read_npz, shape_check
from synth_server.core.files import json_bytes, read_json, write_atomic
from synth_server.dsp.features import DESCRIPTIONS, NAMES, UNITS, VOICED_HARMONICITY
from synth_server.nav.surrogate import (RANGE_PERCENTILES, TRANSFORMS, DescriptorSurrogate,
                                        NumpyMlp, frame_names)

FORMAT = "synth-server-descriptors"
FORMAT_VERSION = 1
MAX_JSON_BYTES = 4 * 1024 * 1024


def save_descriptors(directory: Union[str, Path], surrogate: DescriptorSurrogate,
                     weights_sha256: str, extra: Optional[dict[str, Any]] = None) -> None:
    """Write ``descriptors.json`` and ``descriptors.npz`` (each atomically).

    Args:
        directory: checkpoint directory.
        surrogate: the fitted surrogate.
        weights_sha256: hash of the weights whose decoder was described (provenance).
        extra: more JSON-able fields for descriptors.json.
    """

    directory = Path(directory)
    arrays = {"mean": surrogate.mean.astype(np.float32),
              "scale": surrogate.scale.astype(np.float32)}
    nets = [("forward", surrogate.forward), ("f0", surrogate.f0),
            ("inverse", surrogate.inverse_net)]
    nets = [(key, net) for key, net in nets if net is not None]  # no f0 net without f0_hz
    for key, net in nets:
        arrays.update(net.arrays(key))
    arrays["table.latent"] = surrogate.table_latent.astype(np.float32)
    arrays["table.values"] = surrogate.table_values.astype(np.float32)
    arrays["table.voiced"] = surrogate.table_voiced.astype(np.float32)
    layout = {key: [int(net.weights[0].shape[0])] + [int(w.shape[1]) for w in net.weights]
              for key, net in nets}
    document = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "latent_dim": surrogate.latent_dim, "sample_rate": surrogate.sample_rate,
        "n_fft": surrogate.n_fft, "names": list(surrogate.names),
        "units": {n: surrogate.units[n] for n in surrogate.names},
        "descriptions": {n: DESCRIPTIONS[n] for n in surrogate.names},
        "transforms": {n: TRANSFORMS[n] for n in surrogate.names},
        "ranges": {n: list(surrogate.ranges[n]) for n in surrogate.names},
        "range_percentiles": list(RANGE_PERCENTILES),
        "radius": surrogate.radius, "voiced_harmonicity": VOICED_HARMONICITY,
        "networks": {"activation": "tanh", "forward_outputs": list(frame_names(surrogate.names)),
                     "layers": layout},
        **{k: v for k, v in surrogate.meta.items() if k not in ("format", "format_version")},
        **(extra or {}),
        PROVENANCE_KEY: weights_sha256,
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    write_atomic(directory / DESCRIPTORS_NPZ, buffer.getvalue())
    write_atomic(directory / DESCRIPTORS_JSON, json_bytes(document))


def _check(condition: bool, reason: str) -> None:
    if not condition:
        raise ValueError(reason)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(float(value))


def _descriptor_shapes(document: Any, latent_dim: int, n_names: int
                       ) -> dict[str, tuple[Optional[int], ...]]:
    """The arrays descriptors.npz may hold, with the shapes descriptors.json's layer sizes
    imply (checked before any array is read; the JSON itself is validated after)."""
    shapes: dict[str, tuple[Optional[int], ...]] = {
        "mean": (n_names,), "scale": (n_names,), "table.latent": (None, latent_dim),
        "table.values": (None, n_names), "table.voiced": (None,)}
    networks = document.get("networks") if isinstance(document, dict) else None
    layers = networks.get("layers") if isinstance(networks, dict) else None
    if isinstance(layers, dict):
        for key, sizes in layers.items():
            if not isinstance(sizes, list) or not 2 <= len(sizes) <= 6 or not all(
                    isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 4096
                    for v in sizes):
                continue
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
                shapes[f"{key}.{i}.weight"] = (a, b)
                shapes[f"{key}.{i}.bias"] = (b,)
    return shapes


def load_descriptors(directory: Union[str, Path], latent_dim: int, weights_sha256: str,
                     names: tuple[str, ...] = NAMES) -> DescriptorSurrogate:
    """Read and validate ``descriptors.json`` + ``descriptors.npz`` (no code runs: JSON and a
    pickle-free npz; every array's dtype, shape and finiteness is checked).

    Args:
        directory: checkpoint directory.
        latent_dim: the model's latent size.
        weights_sha256: hash of the weights beside them (provenance check).
        names: the descriptors the model's family is described by
            (:func:`synth_server.model.synthesis.descriptor_names`; all of NAMES for the
            spectral family, no f0_hz and loudness_db for hpn); the file must hold exactly
            those.
    Returns:
        The surrogate (no decoder attached; see :func:`synth_server.nav.surrogate.playable_surrogate`).
    Raises:
        FileNotFoundError: no descriptors.json in the directory.
        ValueError: anything else wrong, as one line naming the file and the reason.
    """
    directory = Path(directory)
    json_path, npz_path = directory / DESCRIPTORS_JSON, directory / DESCRIPTORS_NPZ
    if not json_path.is_file():
        raise FileNotFoundError(f"{json_path}: missing (run synth-server fit-descriptors)")
    document = read_json(json_path, MAX_JSON_BYTES)
    check_provenance(document, DESCRIPTORS_JSON, weights_sha256)
    where = str(json_path)
    _check(isinstance(document, dict) and document.get("format") == FORMAT,
           f"{where}: not a {FORMAT} file")
    _check(document.get("format_version") == FORMAT_VERSION,
           f"{where}: format_version {document.get('format_version')!r} unsupported")
    _check(document.get("latent_dim") == latent_dim,
           f"{where}: latent_dim {document.get('latent_dim')!r} differs from the model's "
           f"{latent_dim}")
    arrays = read_npz(npz_path, MAX_DESCRIPTORS_NPZ_BYTES,
                      check=shape_check(_descriptor_shapes(document, latent_dim, len(names))))
    _check(isinstance(document.get("names"), list) and tuple(document["names"]) == tuple(names),
           f"{where}: names must be {list(names)} for this model's family (refit it: "
           f"synth-server fit-descriptors --model DIR)")
    has_f0 = "f0_hz" in names
    for key in ("sample_rate", "n_fft"):
        _check(isinstance(document.get(key), int) and 0 < document[key] <= 1_000_000,
               f"{where}: bad {key}")
    _check(_number(document.get("radius")) and document["radius"] > 0, f"{where}: bad radius")
    ranges = document.get("ranges")
    _check(isinstance(ranges, dict), f"{where}: no ranges")
    parsed_ranges = {}
    for n in names:
        r = ranges.get(n)
        _check(isinstance(r, list) and len(r) == 2 and all(_number(v) for v in r)
               and r[0] < r[1], f"{where}: bad range for {n}")
        parsed_ranges[n] = (float(r[0]), float(r[1]))
    layers = (document.get("networks") or {}).get("layers") if isinstance(
        document.get("networks"), dict) else None
    _check(isinstance(layers, dict), f"{where}: no networks.layers")
    wanted_io = {"forward": (latent_dim, len(frame_names(names))), "f0": (latent_dim, 1),
                 "inverse": (len(names), latent_dim)}
    if not has_f0:
        del wanted_io["f0"]
    nets = {}
    for key, (n_in, n_out) in wanted_io.items():
        sizes = layers.get(key)
        _check(isinstance(sizes, list) and 2 <= len(sizes) <= 6
               and all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= 4096
                       for s in sizes) and sizes[0] == n_in and sizes[-1] == n_out,
               f"{where}: bad layer sizes for {key}")
        weights, biases = [], []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            for part, shape in (("weight", (a, b)), ("bias", (b,))):
                name = f"{key}.{i}.{part}"
                arr = arrays.get(name)
                _check(arr is not None, f"{npz_path}: {name} missing")
                _check(arr.dtype == np.float32 and arr.shape == shape,
                       f"{npz_path}: {name} is {arr.dtype} {arr.shape}, expected float32 {shape}")
                _check(bool(np.isfinite(arr).all()), f"{npz_path}: {name} has non-finite values")
                (weights if part == "weight" else biases).append(arr.astype(np.float64))
        nets[key] = NumpyMlp(tuple(weights), tuple(biases))
    for name in ("mean", "scale"):
        arr = arrays.get(name)
        _check(arr is not None and arr.dtype == np.float32 and arr.shape == (len(names),)
               and bool(np.isfinite(arr).all()), f"{npz_path}: {name} missing or not "
               f"float32 [{len(names)}] finite")
    _check(bool((arrays["scale"] > 0).all()), f"{npz_path}: scale must be positive")
    table = arrays.get("table.latent")
    _check(table is not None and table.ndim == 2 and 1 <= len(table) <= 20000
           and table.shape[1] == latent_dim, f"{npz_path}: table.latent missing or not "
           f"[n <= 20000, {latent_dim}]")
    for name, shape in (("table.latent", (len(table), latent_dim)),
                        ("table.values", (len(table), len(names))),
                        ("table.voiced", (len(table),))):
        arr = arrays.get(name)
        _check(arr is not None and arr.dtype == np.float32 and arr.shape == shape
               and bool(np.isfinite(arr).all()),
               f"{npz_path}: {name} missing or not float32 {shape} finite")
    expected = {f"{k}.{i}.{p}" for k in wanted_io for i in range(len(layers[k]) - 1)
                for p in ("weight", "bias")} | {"mean", "scale", "table.latent",
                                                 "table.values", "table.voiced"}
    extra = sorted(set(arrays) - expected)
    _check(not extra, f"{npz_path}: unexpected arrays {extra[:3]}")
    meta = {k: v for k, v in document.items()
            if k in ("fit", "command", "seed", "n_samples", "described_on")}
    return DescriptorSurrogate(
        latent_dim=latent_dim, names=tuple(names), units=dict(UNITS), ranges=parsed_ranges,
        mean=arrays["mean"].astype(np.float64), scale=arrays["scale"].astype(np.float64),
        forward=nets["forward"], f0=nets.get("f0"), inverse_net=nets["inverse"],
        radius=float(document["radius"]), sample_rate=int(document["sample_rate"]),
        n_fft=int(document["n_fft"]), table_latent=arrays["table.latent"].astype(np.float64),
        table_values=arrays["table.values"].astype(np.float64),
        table_voiced=arrays["table.voiced"].astype(np.float64), meta=meta)


def load_anchors(directory: Union[str, Path], weights_sha256: str) -> Optional[np.ndarray]:
    """``anchors_latent`` [n, latent_dim] float64 of manifolds.npz (the encoder means of the
    training frames), or None when there are none, or none made by these weights."""
    path = Path(directory) / MANIFOLDS_NPZ
    json_path = Path(directory) / MANIFOLDS_JSON
    if not path.is_file() or not json_path.is_file():
        return None
    try:
        check_provenance(read_json(json_path, MAX_DERIVED_JSON_BYTES), MANIFOLDS_JSON,
                         weights_sha256)
    except ValueError:
        return None
    arrays = read_npz(path, MAX_MANIFOLDS_NPZ_BYTES)  # bounded by its headers and the cap
    if "anchors_latent" not in arrays:
        return None
    anchors = np.asarray(arrays["anchors_latent"], dtype=np.float64)
    return anchors if anchors.ndim == 2 and np.isfinite(anchors).all() else None


def save_heatmaps(directory: Union[str, Path], images: dict[str, bytes], index: dict[str, Any],
                  weights_sha256: str) -> None:
    """Write the heatmap PNGs into ``heatmaps/`` and their index ``heatmaps.json``.

    PNGs of ``heatmaps/`` that ``images`` does not name (manifolds or descriptors no longer
    present) are removed: the folder is derived data, rewritten as a whole.

    Args:
        directory: checkpoint directory.
        images: {file name: PNG bytes}.
        index: the JSON index (see :func:`synth_server.fit.heatmaps.write_heatmaps`).
        weights_sha256: hash of the weights decoded for the maps (provenance); the hash of the
            manifolds they were drawn on is recorded too.
    """
    directory = Path(directory)
    folder = directory / HEATMAP_DIR
    folder.mkdir(exist_ok=True)
    for name, payload in images.items():
        write_atomic(folder / name, payload)
    for stale in folder.glob("*.png"):
        if stale.name not in images:
            stale.unlink()
    document = {**index, PROVENANCE_KEY: weights_sha256,
                MANIFOLDS_PROVENANCE_KEY: manifolds_sha256(directory)}
    write_atomic(directory / HEATMAPS_JSON, json_bytes(document))


def load_heatmap_index(directory: Union[str, Path], weights_sha256: str
                       ) -> dict[tuple[str, str], str]:
    """{(manifold, descriptor): absolute path of the plain 200x200 PNG} from ``heatmaps.json``;
    {} without it. Only PNG files inside ``directory/heatmaps`` that exist are listed.

    Raises:
        ValueError: unreadable JSON, an entry that is not an object with string fields, or maps
            drawn from other weights or on other manifolds than those beside them.
    """
    directory = Path(directory)
    path = directory / HEATMAPS_JSON
    if not path.is_file():
        return {}
    document = read_json(path, MAX_JSON_BYTES)
    check_provenance(document, HEATMAPS_JSON, weights_sha256)
    if document.get(MANIFOLDS_PROVENANCE_KEY) != manifolds_sha256(directory):
        raise ProvenanceError(f"{HEATMAPS_JSON}: drawn on other manifolds than those beside it "
                              f"(redraw them: synth-server fit-descriptors --model DIR)")
    try:
        images = document["images"]
        out: dict[tuple[str, str], str] = {}
        root = (directory / HEATMAP_DIR).resolve()
        for entry in images:
            manifold, descriptor = str(entry["manifold"]), str(entry["descriptor"])
            image = (directory / str(entry.get("plain_path") or entry["path"])).resolve()
            if image.parent == root and image.suffix == ".png" and image.is_file():
                out[(manifold, descriptor)] = str(image)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise ValueError(f"{HEATMAPS_JSON}: {str(exc).splitlines()[0][:120]}") from None
    return out
