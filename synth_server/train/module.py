"""PyTorch Lightning pieces of the training engine: the LightningModule, the frame data loaders,
an atomic checkpoint writer and the atomic publication of a finished checkpoint directory.

Lightning (``pip install synth-server[train]``) gives devices (``accelerator="gpu", devices=N``
runs DDP), gradient clipping, resumable training state, progress bars and CSV / TensorBoard logs;
this module only says what one step is. Source: Lightning 2.x API (``lightning.pytorch``).
"""
from __future__ import annotations

import ctypes
import io
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Optional, Sequence

import torch
from lightning.pytorch import LightningModule
from lightning.pytorch.plugins.io import TorchCheckpointIO
from torch.utils.data import DataLoader, Dataset

from synth_server.core.config import TrainConfig
from synth_server.core.files import reserve_old_name, write_atomic
from synth_server.artifacts.layout import (ATTRIBUTES_JSON, CONFIG_FILE, MANIFOLD_FILE,
                                           MANIFOLDS_JSON, MANIFOLDS_NPZ, TRAIN_DIR,
                                           WEIGHTS_FILE)
from synth_server.model.vae import FrameVAE
from synth_server.train.regularisers import beta_at, reconstruction_loss, vae_objective

# names ``train_model`` itself writes into a checkpoint directory (besides ``train/``): an old
# directory holding nothing else can be dropped when a resumed training replaces it; anything
# else (descriptors, heatmaps, reports, a README) is the user's and is kept beside
TRAINING_FILES = (CONFIG_FILE, WEIGHTS_FILE, ATTRIBUTES_JSON, MANIFOLD_FILE, MANIFOLDS_JSON,
                  MANIFOLDS_NPZ, TRAIN_DIR)


class FrameDataset(Dataset):
    """Rows of a [n_frames, n_features] tensor; a list of indices gives a [batch, n_features]
    tensor in one indexing operation (``__getitems__``, torch >= 2.1), not one row at a time."""

    def __init__(self, x: torch.Tensor):
        self.x = x

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: int) -> torch.Tensor:
        return self.x[index]

    def __getitems__(self, indices: list[int]) -> torch.Tensor:
        return self.x[torch.as_tensor(indices, dtype=torch.long)]


def as_batch(data: Any) -> torch.Tensor:
    """collate_fn: the batch tensor from ``__getitems__`` as it is; a list of rows is stacked."""
    return data if isinstance(data, torch.Tensor) else torch.stack(list(data))


def frame_loader(x: torch.Tensor, batch_size: int, shuffle: bool) -> DataLoader:
    """A DataLoader of [batch, n_features] batches (drop_last when shuffling, as the plain loop).

    Lightning replaces its sampler by a DistributedSampler under DDP.
    """
    return DataLoader(FrameDataset(x), batch_size=batch_size, shuffle=shuffle,
                      drop_last=shuffle, collate_fn=as_batch, num_workers=0)


class FrameVAEModule(LightningModule):
    """The frame VAE as a LightningModule: Adam, cosine learning-rate decay per step to 5 %,
    beta schedule per step (:func:`beta_at`), epoch means logged (loss, reconstruction,
    regulariser, kl, beta, lr) and the validation reconstruction from posterior means.

    Args:
        model: the FrameVAE (its normalisation buffers already fitted).
        train: hyper-parameters (regulariser, schedule, learning rate, epochs).
    """

    def __init__(self, model: FrameVAE, train: TrainConfig):
        super().__init__()
        self.model = model
        self.train_config = train
        self._sums: Optional[torch.Tensor] = None
        self._count = 0
        self._beta = 0.0
        self.last_epoch: dict[str, float] = {}

    def on_train_epoch_start(self) -> None:
        self._sums, self._count = None, 0

    #: names of the terms :meth:`training_step` accumulates (epoch means), and those shown on
    #: the progress bar; a subclass with another objective changes both
    EPOCH_TERMS: tuple[str, ...] = ("loss", "reconstruction", "regulariser", "kl")
    PROGRESS_TERMS: tuple[str, ...] = ("reconstruction", "regulariser", "beta")

    def _beta_now(self) -> float:
        """The regulariser weight at this step (:func:`beta_at`)."""
        steps = max(1, int(self.trainer.num_training_batches))
        return beta_at(self.global_step, steps, self.train_config)

    def _accumulate(self, terms: Sequence[torch.Tensor], beta: float) -> None:
        """Add one step's terms (in EPOCH_TERMS order) to the epoch sums."""
        values = torch.stack([t.detach() for t in terms])
        self._sums = values if self._sums is None else self._sums + values
        self._count += 1
        self._beta = beta

    def training_step(self, batch: torch.Tensor, batch_idx: int) -> torch.Tensor:
        beta = self._beta_now()
        terms = vae_objective(self.model, batch, beta, self.train_config.regulariser)
        self._accumulate(terms, beta)
        return terms[0]

    def on_train_epoch_end(self) -> None:
        if self._sums is None:
            return
        means = (self._sums / self._count).tolist()
        self.last_epoch = {**dict(zip(self.EPOCH_TERMS, means)), "beta": float(self._beta)}
        lr = float(self.trainer.optimizers[0].param_groups[0]["lr"])
        for name, value in self.last_epoch.items():
            self.log(name, value, prog_bar=name in self.PROGRESS_TERMS, sync_dist=True)
        self.log("lr", lr)

    def validation_step(self, batch: torch.Tensor, batch_idx: int) -> None:
        mu, _ = self.model.encode(batch)
        rec = reconstruction_loss(self.model, batch, mu)
        self.log("val_reconstruction", rec, prog_bar=True, sync_dist=True,
                 batch_size=len(batch))

    def on_train_start(self) -> None:
        # a resumed run may have been given more epochs: stretch the restored cosine decay
        for config in self.trainer.lr_scheduler_configs:
            if isinstance(config.scheduler, torch.optim.lr_scheduler.CosineAnnealingLR):
                config.scheduler.T_max = max(1, int(self.trainer.estimated_stepping_batches))

    def configure_optimizers(self) -> dict[str, Any]:
        lr = self.train_config.learning_rate
        optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)
        total = max(1, int(self.trainer.estimated_stepping_batches))
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total,
                                                               eta_min=lr * 0.05)
        return {"optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}


class AtomicCheckpointIO(TorchCheckpointIO):
    """Lightning's training-state checkpoints (``last.ckpt``), written atomically and read safely.

    Saving writes a temporary file in the same directory, fsyncs it and ``os.replace``s it over
    the target, so a crash leaves either the previous checkpoint or the new one, never a torn
    file. Loading uses ``torch.load(weights_only=True)``: tensors and plain containers only, no
    arbitrary objects are unpickled. (Model checkpoints for playing are separate, see
    :mod:`synth_server.artifacts.checkpoint`: safetensors + JSON.)
    """

    def save_checkpoint(self, checkpoint: dict[str, Any], path: str | Path,
                        storage_options: Optional[Any] = None) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        torch.save(checkpoint, buffer)
        write_atomic(path, buffer.getvalue(), mode=0o600)

    def load_checkpoint(self, path: str | Path, map_location: Optional[Any] = None,
                        weights_only: Optional[bool] = None) -> dict[str, Any]:
        if not Path(path).is_file():
            raise FileNotFoundError(f"Checkpoint file not found: {path}")
        return torch.load(path, map_location=map_location or "cpu", weights_only=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE). False if unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def only_training_files(directory: Path) -> bool:
    """True when ``directory`` holds nothing but files ``train_model`` writes (or nothing)."""
    return all(entry.name in TRAINING_FILES for entry in Path(directory).iterdir())


def publish_directory(staging: Path, out_dir: str | Path,
                      keep_previous: Optional[bool] = None) -> Optional[Path]:
    """Put the complete checkpoint in ``staging`` at ``out_dir`` in one rename.

    Nothing of a previous ``out_dir`` enters the new one: the published directory is exactly
    ``staging``. A new ``out_dir`` is a plain rename. An existing one is swapped with the
    staging directory (renameat2 RENAME_EXCHANGE: readers see the old or the new directory,
    never a mix; where the call is missing, two renames leave a moment without ``out_dir``,
    never a mixed one); the previous directory is then either renamed beside it under
    :func:`synth_server.core.files.reserve_old_name` or deleted.

    Args:
        staging: directory holding the new checkpoint (from :func:`synth_server.core.files.staging_dir`).
        out_dir: destination.
        keep_previous: True: always keep the previous directory beside; False: delete it;
            None: keep it only when it holds anything besides what training writes
            (:func:`only_training_files`), so nothing of the user's is lost.
    Returns:
        Where the previous directory was kept, or None (there was none, or it was deleted).
    Raises:
        OSError: a rename failed; ``out_dir`` is then the previous directory, or absent in the
            fallback's moment without it, and ``staging`` still holds the new checkpoint.
    """
    out_dir = Path(out_dir)
    staging = Path(staging)
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return None
    keep = keep_previous if keep_previous is not None else not only_training_files(out_dir)
    if _exchange(staging, out_dir):
        previous = staging  # now holds the previous directory
        if not keep:
            shutil.rmtree(previous, ignore_errors=True)
            return None
        kept = reserve_old_name(out_dir)
        os.rename(previous, kept)
        return kept
    kept = reserve_old_name(out_dir) if keep else \
        Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.old-"))
    os.rename(out_dir, kept)  # onto the empty reservation
    os.rename(staging, out_dir)
    if not keep:
        shutil.rmtree(kept, ignore_errors=True)
        return None
    return kept
