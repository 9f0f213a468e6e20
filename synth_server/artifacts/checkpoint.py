"""Checkpoint directories: load (validated, bounded, no code run) and save the weights.

The directory's files are named in :mod:`synth_server.artifacts.layout`; the navigation and
descriptor files are read and written by :mod:`~synth_server.artifacts.navigation` and
:mod:`~synth_server.artifacts.descriptors`. The loader rebuilds the model from ``config.json``
alone and refuses (with one line, as :class:`CheckpointError`) any file whose tensors do not
match that config exactly, and any derived file made from other weights. It reads the tensors as
numpy arrays and does not import torch: the server and its audio process play through
:class:`~synth_server.model.runtime.NumpyDecoder`; training and tests build the torch module
with :meth:`synth_server.model.vae.FrameVAE.from_arrays`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

from synth_server.artifacts.descriptors import load_descriptors, load_heatmap_index
from synth_server.artifacts.layout import (CONFIG_FILE, DESCRIPTORS_JSON,
                                           MAX_CONFIG_BYTES, MAX_WEIGHTS_BYTES, WEIGHTS_FILE)
from synth_server.artifacts.navigation import (load_attributes, load_manifolds, load_pca_pad,
                                               save_pca_pad)
from synth_server.core.config import StftConfig, VaeConfig, from_dict, model_family, to_dict
from synth_server.core.files import (FileFormatError, json_bytes, parse_json, read_bytes,
                                     read_json, sha256_bytes, write_atomic)
from synth_server.dsp.filterbank import band_synthesis, n_features
from synth_server.model.runtime import NumpyDecoder
from synth_server.model.synthesis import descriptor_names
from synth_server.nav.maps import MethodMaps
from synth_server.nav.pca import PcaManifold

FORMAT = "synth-server-checkpoint"
FORMAT_VERSION = 1
HPN_CONDITIONING = 2  # (midi_pitch, loudness_db): synth_server.dsp.hpn.conditioning
MAX_LATENT_DIM = 256  # the OSC table and the audio process's shared arrays hold 256


class CheckpointError(ValueError):
    """A checkpoint directory that cannot be loaded; ``str()`` is one line saying why."""


@dataclass
class Checkpoint:
    """A loaded model, ready to decode.

    Attributes:
        name: directory name.
        path: directory path.
        stft: STFT parameters the model was trained with.
        vae: architecture.
        arrays: every tensor as a float32 numpy array, by state-dict name.
        manifold: the PCA pad manifold.
        manifolds: every navigation method's pad and slider maps, by name ("pca" always).
        attributes: attribute vectors {name: [latent_dim] float64} (may be empty).
        descriptors: the DescriptorSurrogate (None when the model has none).
        heatmaps: {(manifold, descriptor): absolute path of a 200x200 PNG over the pad}.
        meta: the rest of config.json (train settings, command, stats).
        output_gain: linear level correction applied to decoded magnitudes (from training).
        weights_sha256: hex sha256 of ``weights.safetensors`` (what derived files record).
    """

    name: str
    path: Path
    stft: StftConfig
    vae: VaeConfig
    arrays: dict[str, np.ndarray]
    manifold: Optional[PcaManifold]
    meta: dict[str, Any] = field(default_factory=dict)
    output_gain: float = 1.0
    manifolds: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, np.ndarray] = field(default_factory=dict)
    descriptors: Any = field(default=None, repr=False)
    heatmaps: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    weights_sha256: str = ""

    def __post_init__(self) -> None:
        if not self.manifolds and self.manifold is not None:  # the PCA pad map only
            self.manifolds = {"pca": MethodMaps(self.manifold, self.manifold)}

    @property
    def family(self) -> str:
        """``"hpn"`` (playable with notes: f0 and loudness are inputs) or ``"spectral"``
        (:func:`synth_server.core.config.model_family`)."""
        return model_family(self.stft)

    def decoder(self) -> "NumpyDecoder":
        """A :class:`~synth_server.model.runtime.NumpyDecoder` for playing this model (an hpn
        model's decodes with :meth:`~synth_server.model.runtime.NumpyDecoder.features`)."""
        if self.family == "hpn":
            from synth_server.dsp.hpn import noise_synthesis

            return NumpyDecoder(self.arrays, self.vae, self.stft.log_floor, 1.0,
                                synthesis=noise_synthesis(self.stft))
        return NumpyDecoder(self.arrays, self.vae, self.stft.log_floor, self.output_gain,
                            synthesis=band_synthesis(self.stft))


def parameter_shapes(vae: VaeConfig) -> dict[str, tuple[int, ...]]:
    """Name → shape of every tensor of ``FrameVAE(vae).state_dict()``, computed without torch.

    Encoder: Linear layers n_bins (+ n_conditioning) → hidden... → 2 * latent_dim; decoder:
    latent_dim (+ n_conditioning) → reversed hidden... → n_bins; ``nn.Sequential`` numbers them
    0, 2, 4, ... (ELUs in between).
    """
    shapes: dict[str, tuple[int, ...]] = {}
    hidden = list(vae.hidden_sizes)
    n_cond = vae.n_conditioning
    for prefix, sizes in (("encoder", [vae.n_bins + n_cond, *hidden, 2 * vae.latent_dim]),
                          ("decoder", [vae.latent_dim + n_cond, *hidden[::-1], vae.n_bins])):
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            shapes[f"{prefix}.{2 * i}.weight"] = (n_out, n_in)
            shapes[f"{prefix}.{2 * i}.bias"] = (n_out,)
    shapes["bin_mean"] = (vae.n_bins,)
    shapes["scale"] = (1,)
    return shapes


def save_checkpoint(directory: str | Path, model: Any, stft: StftConfig,
                    manifold: PcaManifold, meta: Optional[dict[str, Any]] = None) -> Path:
    """Write the weights, ``config.json`` and ``manifold.json`` of a checkpoint (each atomically).

    Args:
        directory: target directory (created if missing).
        model: trained :class:`~synth_server.model.vae.FrameVAE` (its ``state_dict()`` tensors are
            stored as float32; torch is not imported here).
        stft: STFT parameters of its frames.
        manifold: fitted pad manifold (latent_dim must match the model).
        meta: extra JSON-able data stored in config.json (train config, command, split, stats).
    Returns:
        The directory path (:func:`load_checkpoint` gives the weights' sha256).
    Raises:
        ValueError: manifold and model disagree on latent_dim, or meta holds NaN/Infinity.
    """
    from safetensors.numpy import save

    if manifold.latent_dim != model.config.latent_dim:
        raise ValueError("manifold latent_dim differs from the model's")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "stft": to_dict(stft),
        "vae": to_dict(model.config),
        **(meta or {}),
    }
    weights = save(state_arrays(model, np.float32), metadata={"format": FORMAT})
    weights_sha256 = sha256_bytes(weights)
    write_atomic(directory / WEIGHTS_FILE, weights)
    save_pca_pad(directory, manifold, weights_sha256)
    write_atomic(directory / CONFIG_FILE, json_bytes(config, indent=2))
    return directory


def _read_config(directory: Path) -> tuple[dict[str, Any], StftConfig, VaeConfig]:
    """config.json's document and its validated STFT and VAE settings.

    Raises:
        CheckpointError: one line.
    """
    try:
        config = read_json(directory / CONFIG_FILE, MAX_CONFIG_BYTES)
    except FileFormatError as exc:
        raise CheckpointError(str(exc)) from None
    if config.get("format") != FORMAT:
        raise CheckpointError(f"{directory / CONFIG_FILE}: not a {FORMAT} config")
    if config.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{directory}: format_version {config.get('format_version')!r} "
                              f"unsupported (this build reads {FORMAT_VERSION})")
    try:
        stft = from_dict(StftConfig, config.get("stft", {}))
        vae = from_dict(VaeConfig, config.get("vae", {}))
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"{directory / CONFIG_FILE}: {exc}") from None
    if not (8000 <= stft.sample_rate <= 384000 and 16 <= stft.n_fft <= 65536
            and 1 <= stft.hop_length and stft.n_fft % stft.hop_length == 0
            and stft.n_fft // stft.hop_length >= 4 and 0.0 < stft.log_floor < 1.0):
        raise CheckpointError(f"{directory / CONFIG_FILE}: stft settings out of range "
                              f"(n_fft must be a multiple >= 4 of hop_length)")
    try:  # representation: "stft" when absent (checkpoints before issue 5), else validated
        features = n_features(stft)
    except ValueError as exc:
        raise CheckpointError(f"{directory / CONFIG_FILE}: {exc}") from None
    if vae.n_bins != features or vae.latent_dim < 1 or not vae.hidden_sizes \
            or min(vae.hidden_sizes) < 1 or max(vae.hidden_sizes) > 8192 \
            or vae.latent_dim > MAX_LATENT_DIM \
            or vae.n_conditioning != (HPN_CONDITIONING if model_family(stft) == "hpn" else 0):
        raise CheckpointError(f"{directory / CONFIG_FILE}: inconsistent vae/stft sizes")
    return config, stft, vae


MAX_SAFETENSORS_HEADER_BYTES = 1024 * 1024


def check_safetensors_header(path: Path, expected: dict[str, tuple[int, ...]]) -> int:
    """Check a safetensors file's header against the tensors ``config.json`` implies, reading
    only the header (8-byte little-endian length, then that much JSON); returns the file size.

    The header must name exactly the ``expected`` tensors (plus an optional ``__metadata__``
    of strings), each F32 with the expected shape and ``data_offsets`` of exactly its byte size,
    laid end to end from 0, and the file must end where the last tensor does: so the file's
    size is known, and bounded by the config, before a byte of tensor data is read.

    Raises:
        CheckpointError: one line.
    """
    import struct

    def refuse(why: str) -> CheckpointError:
        return CheckpointError(f"{path}: not a valid safetensors file ({why})")

    if not path.is_file():
        raise CheckpointError(f"{path}: missing")
    try:
        file_size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                raise refuse("shorter than its 8-byte header length")
            (length,) = struct.unpack("<Q", head)
            if length > MAX_SAFETENSORS_HEADER_BYTES or 8 + length > file_size:
                raise refuse(f"header length {length} out of bounds")
            text = fh.read(length)
    except OSError as exc:
        raise CheckpointError(f"{path}: {exc.strerror or exc}") from None
    try:
        header = parse_json(text, str(path))
    except FileFormatError as exc:
        raise refuse(str(exc).split(": ", 1)[-1]) from None
    if not isinstance(header, dict):
        raise refuse("header is not a JSON object")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise refuse("__metadata__ must map names to strings")
    missing = sorted(set(expected) - set(header))
    extra = sorted(set(header) - set(expected))
    if missing or extra:
        raise CheckpointError(f"{path}: tensors do not match config.json "
                              f"(missing {missing[:3]}, unexpected {extra[:3]})")
    spans = []
    for name, shape in expected.items():
        entry = header[name]
        if not isinstance(entry, dict) or entry.get("dtype") != "F32" \
                or entry.get("shape") != list(shape):
            got = (entry.get("dtype"), entry.get("shape")) if isinstance(entry, dict) else entry
            raise CheckpointError(f"{path}: tensor {name} is {str(got)[:60]}, config.json "
                                  f"needs F32 {list(shape)}")
        offsets = entry.get("data_offsets")
        n_bytes = 4 * int(np.prod(shape))
        if not (isinstance(offsets, list) and len(offsets) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in offsets)
                and offsets[1] - offsets[0] == n_bytes):
            raise refuse(f"tensor {name}: data_offsets {str(offsets)[:40]} do not hold "
                         f"{n_bytes} bytes")
        spans.append((offsets[0], offsets[1]))
    spans.sort()
    position = 0
    for begin, end in spans:
        if begin != position:
            raise refuse("tensors overlap or leave gaps")
        position = end
    if 8 + length + position != file_size:
        raise refuse(f"{file_size} bytes, the header describes {8 + length + position}")
    if file_size > MAX_WEIGHTS_BYTES:
        raise CheckpointError(f"{path}: {file_size} bytes, larger than the "
                              f"{MAX_WEIGHTS_BYTES} allowed")
    return file_size


def _read_weights(directory: Path, vae: VaeConfig) -> tuple[dict[str, np.ndarray], str]:
    """The tensors of weights.safetensors, checked against the config, and their file's sha256.

    Raises:
        CheckpointError: one line.
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load

    weights_path = directory / WEIGHTS_FILE
    expected = parameter_shapes(vae)
    size = check_safetensors_header(weights_path, expected)
    try:
        data = read_bytes(weights_path, size)
    except FileFormatError as exc:
        raise CheckpointError(str(exc)) from None
    try:
        tensors = load(data)
    except (SafetensorError, ValueError, RuntimeError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CheckpointError(f"{weights_path}: not a valid safetensors file ({first})") from None
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        raise CheckpointError(f"{weights_path}: tensors do not match config.json "
                              f"(missing {missing[:3]}, unexpected {extra[:3]})")
    for name, shape in expected.items():
        got = tensors[name]
        if got.dtype != np.float32 or tuple(got.shape) != shape:
            raise CheckpointError(f"{weights_path}: tensor {name} is {got.dtype} "
                                  f"{tuple(got.shape)}, config.json needs float32 {shape}")
        if not np.isfinite(got).all():
            raise CheckpointError(f"{weights_path}: tensor {name} has non-finite values")
    return tensors, sha256_bytes(data)


def load_checkpoint(directory: str | Path, derived: bool = True,
                    maps: Optional[bool] = None) -> Checkpoint:
    """Load and validate a checkpoint directory.

    Every tensor's name, dtype and shape must equal those of the model that ``config.json``
    describes; the file must be safetensors (no pickle is ever read); every file is read with a
    size bound. Every derived file present must record the sha256 of these weights.

    Args:
        directory: the checkpoint directory.
        derived: also load the derived files (maps, attributes, descriptors, heatmaps). False
            is for the ``fit-*`` commands that rewrite them: only config and weights are
            checked; the PCA pad map is used when valid (else ``manifold`` is None).
        maps: load (and check) the navigation maps even when ``derived`` is False.
    Returns:
        The :class:`Checkpoint` (numpy arrays; no torch is imported).
    Raises:
        CheckpointError: with a one-line reason (missing file, bad JSON, truncated or
            non-safetensors weights, missing/extra/mis-shaped tensors, non-finite values, a
            derived file made from other weights).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: not a checkpoint directory")
    config, stft, vae = _read_config(directory)
    tensors, weights_sha256 = _read_weights(directory, vae)
    output_gain = config.get("output_gain", 1.0)
    if isinstance(output_gain, bool) or not isinstance(output_gain, (int, float)) \
            or not 0.0 < float(output_gain) <= 1000.0:
        raise CheckpointError(f"{directory / CONFIG_FILE}: output_gain must be a number in (0, 1000]")
    meta = {k: v for k, v in config.items()
            if k not in ("format", "format_version", "stft", "vae")}
    load_maps = derived if maps is None else maps
    manifold: Optional[PcaManifold] = None
    manifolds: dict[str, Any] = {}
    attributes: dict[str, np.ndarray] = {}
    descriptors, heatmaps = None, {}
    try:
        try:
            manifold = load_pca_pad(directory, vae.latent_dim, weights_sha256)
        except ValueError:
            if load_maps:
                raise
        if load_maps:
            manifolds, _ = load_manifolds(directory, vae.latent_dim, manifold, weights_sha256)
            manifold = manifolds["pca"].pad
        if derived:
            attributes = load_attributes(directory, vae.latent_dim, weights_sha256)
            descriptors, heatmaps = _load_descriptors(directory, stft, vae, weights_sha256)
    except ValueError as exc:
        raise CheckpointError(f"{directory}: {exc}") from None
    return Checkpoint(directory.resolve().name, directory, stft, vae, tensors, manifold, meta,
                      float(output_gain), manifolds=manifolds, attributes=attributes,
                      descriptors=descriptors, heatmaps=heatmaps, weights_sha256=weights_sha256)


def _load_descriptors(directory: Path, stft: StftConfig, vae: VaeConfig, weights_sha256: str
                      ) -> tuple[Any, dict]:
    """The descriptor surrogate (or None) and the heatmap index of a checkpoint directory.

    Raises:
        ValueError: files present but invalid (one line).
    """
    surrogate = None
    if (directory / DESCRIPTORS_JSON).is_file():
        surrogate = load_descriptors(directory, vae.latent_dim, weights_sha256,
                                     descriptor_names(stft))
        if (surrogate.sample_rate, surrogate.n_fft) != (stft.sample_rate, stft.n_fft):
            raise ValueError(f"{DESCRIPTORS_JSON}: sample_rate/n_fft differ from config.json")
    return surrogate, load_heatmap_index(directory, weights_sha256)


def state_arrays(model: Any, dtype: Any = None) -> dict[str, np.ndarray]:
    """The tensors of a torch module's ``state_dict()`` as numpy arrays (copies; cast to
    ``dtype`` when given). Used for saving and for bit-exact comparisons; imports no torch."""
    out = {}
    for k, v in model.state_dict().items():
        array = v.detach().cpu().numpy()
        out[k] = np.ascontiguousarray(array.astype(dtype) if dtype is not None else array.copy())
    return out
