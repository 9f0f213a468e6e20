"""Checkpoint directories: weights in safetensors, everything else in JSON. Loading runs no code.

Layout of ``models/NAME/``::

    config.json          format, stft, vae and train settings, the producing command, training stats
    weights.safetensors  every tensor of FrameVAE.state_dict() (encoder, decoder, normalisation)
    manifold.json        the 2-D PCA manifold fitted on the encoder means
    manifolds.json/.npz  every navigation manifold (pad + sliders; see synth_server.fit.manifolds);
                         optional: without them only PCA is offered
    attributes.json      attribute vectors from the training labels (optional)
    descriptors.json/.npz  the descriptor surrogate (synth_server.descriptors; optional)
    heatmaps.json, heatmaps/  descriptor maps over each manifold's pad (optional)

The loader rebuilds the model from ``config.json`` alone and refuses (with one line, as
:class:`CheckpointError`) any file whose tensors do not match that config exactly. It reads the
tensors as numpy arrays and does not import torch: the server and its audio process play through
:class:`~synth_server.model.runtime.NumpyDecoder`; ``Checkpoint.model`` builds the torch module
on first use (training, tests).
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from synth_server.core.config import StftConfig, VaeConfig, from_dict, to_dict
from synth_server.nav.pca import PcaManifold

if TYPE_CHECKING:  # torch is imported only where a torch model is wanted (training, tests)
    from synth_server.model.vae import FrameVAE

FORMAT = "synth-server-checkpoint"
FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.safetensors"
MANIFOLD_FILE = "manifold.json"
MAX_JSON_BYTES = 16 * 1024 * 1024
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
    """

    name: str
    path: Path
    stft: StftConfig
    vae: VaeConfig
    arrays: dict[str, np.ndarray]
    manifold: PcaManifold
    meta: dict[str, Any] = field(default_factory=dict)
    output_gain: float = 1.0
    manifolds: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, np.ndarray] = field(default_factory=dict)
    descriptors: Any = field(default=None, repr=False)
    heatmaps: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _model: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.manifolds:  # built in code (tests): the PCA pad map only
            from synth_server.fit.manifolds import MethodMaps

            self.manifolds = {"pca": MethodMaps(self.manifold, self.manifold)}

    @property
    def model(self) -> "FrameVAE":
        """The torch FrameVAE (eval mode, float32, CPU), built from ``arrays`` on first use."""
        if self._model is None:
            import torch

            from synth_server.model.vae import FrameVAE

            model = FrameVAE(self.vae)
            model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in self.arrays.items()},
                                  strict=True)
            self._model = model.eval()
        return self._model

    def decoder(self) -> "NumpyDecoder":
        """A :class:`~synth_server.model.runtime.NumpyDecoder` for playing this model."""
        from synth_server.model.runtime import NumpyDecoder

        return NumpyDecoder(self.arrays, self.vae, self.stft.log_floor, self.output_gain,
                            stft=self.stft)


def parameter_shapes(vae: VaeConfig) -> dict[str, tuple[int, ...]]:
    """Name → shape of every tensor of ``FrameVAE(vae).state_dict()``, computed without torch.

    Encoder: Linear layers n_bins → hidden... → 2 * latent_dim; decoder: latent_dim → reversed
    hidden... → n_bins; ``nn.Sequential`` numbers them 0, 2, 4, ... (ELUs in between).
    """
    shapes: dict[str, tuple[int, ...]] = {}
    hidden = list(vae.hidden_sizes)
    for prefix, sizes in (("encoder", [vae.n_bins, *hidden, 2 * vae.latent_dim]),
                          ("decoder", [vae.latent_dim, *hidden[::-1], vae.n_bins])):
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            shapes[f"{prefix}.{2 * i}.weight"] = (n_out, n_in)
            shapes[f"{prefix}.{2 * i}.bias"] = (n_out,)
    shapes["bin_mean"] = (vae.n_bins,)
    shapes["scale"] = (1,)
    return shapes


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_checkpoint(directory: str | Path, model: "FrameVAE", stft: StftConfig,
                    manifold: PcaManifold, meta: Optional[dict[str, Any]] = None) -> Path:
    """Write a checkpoint directory (each file atomically).

    Args:
        directory: target directory (created if missing).
        model: trained FrameVAE.
        stft: STFT parameters of its frames.
        manifold: fitted pad manifold (latent_dim must match the model).
        meta: extra JSON-able data stored in config.json (train config, command, stats).
    Returns:
        The directory path.
    Raises:
        ValueError: manifold and model disagree on latent_dim.
    """
    import torch
    from safetensors.torch import save

    if manifold.latent_dim != model.config.latent_dim:
        raise ValueError("manifold latent_dim differs from the model's")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to(torch.float32).contiguous().cpu()
               for k, v in model.state_dict().items()}
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "stft": to_dict(stft),
        "vae": to_dict(model.config),
        **(meta or {}),
    }
    _write_atomic(directory / WEIGHTS_FILE, save(tensors, metadata={"format": FORMAT}))
    _write_atomic(directory / MANIFOLD_FILE, json.dumps(manifold.to_json(), indent=1).encode())
    _write_atomic(directory / CONFIG_FILE, json.dumps(config, indent=2).encode())
    return directory


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CheckpointError(f"{path}: missing")
    if path.stat().st_size > MAX_JSON_BYTES:
        raise CheckpointError(f"{path}: larger than {MAX_JSON_BYTES} bytes")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"{path}: expected a JSON object")
    return data


def load_checkpoint(directory: str | Path) -> Checkpoint:
    """Load and validate a checkpoint directory.

    Every tensor's name, dtype and shape must equal those of the model that ``config.json``
    describes; the file must be safetensors (no pickle is ever read).

    Returns:
        The :class:`Checkpoint` (numpy arrays; no torch is imported).
    Raises:
        CheckpointError: with a one-line reason (missing file, bad JSON, truncated or
            non-safetensors weights, missing/extra/mis-shaped tensors, non-finite values).
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load

    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: not a checkpoint directory")
    config = _read_json(directory / CONFIG_FILE)
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
        from synth_server.dsp.filterbank import n_features
        features = n_features(stft)
    except ValueError as exc:
        raise CheckpointError(f"{directory / CONFIG_FILE}: {exc}") from None
    if vae.n_bins != features or vae.latent_dim < 1 or not vae.hidden_sizes \
            or min(vae.hidden_sizes) < 1 or max(vae.hidden_sizes) > 8192 \
            or vae.latent_dim > MAX_LATENT_DIM:
        raise CheckpointError(f"{directory / CONFIG_FILE}: inconsistent vae/stft sizes")
    weights_path = directory / WEIGHTS_FILE
    if not weights_path.is_file():
        raise CheckpointError(f"{weights_path}: missing")
    try:
        tensors = load(weights_path.read_bytes())
    except (SafetensorError, ValueError, RuntimeError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CheckpointError(f"{weights_path}: not a valid safetensors file ({first})") from None
    expected = parameter_shapes(vae)
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
    try:
        manifold = PcaManifold.from_json(_read_json(directory / MANIFOLD_FILE), vae.latent_dim)
    except ValueError as exc:
        raise CheckpointError(f"{directory / MANIFOLD_FILE}: {exc}") from None
    from synth_server.fit.manifolds import load_manifolds

    try:
        manifolds, _ = load_manifolds(directory, vae.latent_dim, manifold)
    except ValueError as exc:
        raise CheckpointError(f"{directory}: {exc}") from None
    manifold = manifolds["pca"].pad
    from synth_server.fit.attributes import load_attributes

    try:
        attributes = load_attributes(directory, vae.latent_dim)
    except ValueError as exc:
        raise CheckpointError(f"{directory}: {exc}") from None
    descriptors, heatmaps = _load_descriptors(directory, stft, vae)
    output_gain = config.get("output_gain", 1.0)
    if isinstance(output_gain, bool) or not isinstance(output_gain, (int, float)) \
            or not 0.0 < float(output_gain) <= 1000.0:
        raise CheckpointError(f"{directory / CONFIG_FILE}: output_gain must be a number in (0, 1000]")
    meta = {k: v for k, v in config.items()
            if k not in ("format", "format_version", "stft", "vae")}
    return Checkpoint(directory.resolve().name, directory, stft, vae, tensors, manifold, meta,
                      float(output_gain), manifolds=manifolds, attributes=attributes,
                      descriptors=descriptors, heatmaps=heatmaps)


def _load_descriptors(directory: Path, stft: StftConfig, vae: VaeConfig) -> tuple[Any, dict]:
    """The descriptor surrogate (or None) and the heatmap index of a checkpoint directory.

    Raises:
        CheckpointError: files present but invalid (one line).
    """
    from synth_server.fit.heatmaps import load_heatmap_index
    from synth_server.nav.surrogate import DESCRIPTORS_JSON, load_descriptors

    surrogate = None
    try:
        if (directory / DESCRIPTORS_JSON).is_file():
            surrogate = load_descriptors(directory, vae.latent_dim)
            if (surrogate.sample_rate, surrogate.n_fft) != (stft.sample_rate, stft.n_fft):
                raise ValueError(f"{DESCRIPTORS_JSON}: sample_rate/n_fft differ from config.json")
        heatmaps = load_heatmap_index(directory)
    except (ValueError, FileNotFoundError) as exc:
        raise CheckpointError(f"{directory}: {exc}") from None
    return surrogate, heatmaps


def state_arrays(model: "FrameVAE") -> dict[str, np.ndarray]:
    """The model's tensors as numpy arrays (for bit-exact comparisons)."""
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}
