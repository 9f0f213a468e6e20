"""Training of the frame VAE, top to bottom (PyTorch Lightning; see :mod:`synth_server.train.module`).

``train_model`` reads a folder of audio, turns it into frames of the chosen representation
(STFT, mel or log-frequency bands), trains with the chosen regulariser (KL, MMD, sliced
Wasserstein) and beta schedule, fits the 2-D PCA pad manifold on the encoder means and a level
correction, and publishes a checkpoint directory (see :mod:`synth_server.artifacts.checkpoint`)
atomically. The resumable training state (``last.ckpt``, rewritten atomically every epoch) and
the CSV logs live in ``<out>/train/``.

An existing, non-empty output directory is never replaced silently (:class:`OutputExistsError`):
``resume`` continues its training, ``force`` trains a new model and keeps the old directory
beside it (``<out>.old-YYYYmmdd-HHMMSS``). Nothing derived from other weights (descriptors,
heatmaps, reports) is carried into the published directory.
"""
from __future__ import annotations

import logging
import os
import shutil
import time
import warnings
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import torch

from synth_server.core.config import (BETA_SCHEDULES, REGULARISERS, StftConfig, TrainConfig,
                                 VaeConfig, to_dict)
from synth_server.core.files import (OutputExistsError, release_staging, remove_stale_staging,
                                     staging_dir)
from synth_server.data.frames import heldout_split, load_frames
from synth_server.nav.pca import PcaManifold
from synth_server.artifacts.checkpoint import save_checkpoint
from synth_server.dsp.filterbank import log_features_from_log_magnitude, n_features
from synth_server.fit.manifolds import fit_pca
from synth_server.model.vae import FrameVAE, encode_means
from synth_server.train.regularisers import (active_units, beta_at, kl_divergence,  # noqa: F401
                                             reconstruction_loss, vae_objective)

log = logging.getLogger(__name__)
TRAIN_SUBDIR = "train"
RESUME_FILE = "last.ckpt"


def output_mode(out_dir: str | Path, resume: bool = False, force: bool = False) -> str:
    """How a training may write ``out_dir``; reads nothing but the directory listing.

    Args:
        out_dir: the checkpoint directory to write.
        resume: continue from ``<out>/train/last.ckpt``.
        force: replace an existing directory, keeping it beside under a new name.
    Returns:
        ``"resume"`` (``resume`` and ``<out>/train/last.ckpt`` exists), ``"new"`` (``out_dir``
        is missing or empty) or ``"replace"`` (non-empty and ``force``).
    Raises:
        OutputExistsError: ``out_dir`` is not a directory, or is a non-empty one and neither
            ``resume`` (with a training state to resume from) nor ``force`` was given.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputExistsError(out_dir, f"{out_dir} exists and is not a directory")
    if resume and (out_dir / TRAIN_SUBDIR / RESUME_FILE).is_file():
        return "resume"
    entries = sorted(entry.name for entry in out_dir.iterdir()) if out_dir.is_dir() else []
    if not entries:
        return "new"
    if force:
        return "replace"
    shown = ", ".join(entries[:4]) + (", ..." if len(entries) > 4 else "")
    keep = f"--force keeps it beside as {out_dir.name}.old-<time> and trains a new model"
    if resume:
        raise OutputExistsError(out_dir, f"{out_dir} has no {TRAIN_SUBDIR}/{RESUME_FILE} to "
                                         f"resume from (it holds {shown}); {keep}")
    raise OutputExistsError(out_dir, f"{out_dir} is not empty (it holds {shown}); refusing to "
                                     f"replace it: {keep}, --resume continues its training")


def fit_normalisation(model: FrameVAE, log_frames: np.ndarray) -> None:
    """Set the model's per-feature mean and global scale from [n_frames, n_features] log values."""
    mean = log_frames.mean(axis=0)
    scale = float(np.std(log_frames - mean)) or 1.0
    model.bin_mean.copy_(torch.from_numpy(mean.astype(np.float32)))
    model.scale.fill_(scale)


def training_step(model: FrameVAE, optimizer: torch.optim.Optimizer, batch: torch.Tensor,
                  beta: float, regulariser: str = "kl") -> dict[str, float]:
    """One plain-torch optimisation step on a batch [batch, n_features] of normalised frames
    (the same objective as the Lightning module's step; for tests and experiments).

    Returns:
        {"loss", "reconstruction", "kl", "regulariser"} as floats.
    """
    model.train()
    optimizer.zero_grad(set_to_none=True)
    loss, reconstruction, reg, kl = vae_objective(model, batch, beta, regulariser)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
    optimizer.step()
    return {"loss": loss.item(), "reconstruction": reconstruction.item(), "kl": kl.item(),
            "regulariser": reg.item()}


def _quiet_lightning() -> None:
    """Keep Lightning's start-up banners and advice out of the CLI's output."""
    for name in ("lightning.pytorch", "lightning.fabric", "lightning"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*does not have many workers.*")
    warnings.filterwarnings("ignore", message=".*number of training batches.*")
    warnings.filterwarnings("ignore", message=".*LeafSpec.*")
    warnings.filterwarnings("ignore", message=".*exists and is not empty.*")
    warnings.filterwarnings("ignore", message=".*dirpath has changed.*")  # state published


def train_model(data_dir: str | Path, out_dir: str | Path, *, stft: StftConfig,
                vae_hidden: tuple[int, ...] = (512, 256), latent_dim: int = 8,
                train: TrainConfig = TrainConfig(), command: str = "", progress: bool = True,
                validation_fraction: float = 0.1, accelerator: str = "auto",
                devices: int | str = 1, resume: bool = False, force: bool = False,
                log_dir: Optional[str | Path] = None,
                manifold_methods: Sequence[str] = (),
                frames: Optional[tuple[np.ndarray, np.ndarray, list[Path]]] = None
                ) -> dict[str, Any]:
    """Train a frame VAE on a folder of audio and write a checkpoint directory.

    Args:
        data_dir: folder of audio files.
        out_dir: checkpoint directory to write (published atomically when training ends).
        stft: analysis parameters and representation (stored in the checkpoint).
        vae_hidden: encoder hidden widths (decoder mirrors them).
        latent_dim: latent size.
        train: hyper-parameters (regulariser, beta schedule, epochs, seed, ...).
        command: the command line that produced the model (stored verbatim).
        progress: show Lightning's progress bar.
        validation_fraction: fraction of *files* held out to report a validation loss.
        accelerator: Lightning accelerator ("auto", "cpu", "gpu", ...).
        devices: Lightning devices (1, N, "auto"); N > 1 GPUs train with DDP.
        resume: continue from ``<out>/train/last.ckpt`` (same data and settings; ``epochs`` may
            be raised) instead of starting over; starts over when there is none and ``out_dir``
            is missing or empty. The published directory holds the new weights and what this
            training fits, plus ``train/``; the previous directory is kept beside (as with
            ``force``) when it held anything else (descriptors, heatmaps, a report, a README),
            which would describe the previous weights.
        force: ``out_dir`` may hold a model already: it is left untouched while training (the
            training state is written beside, in the staging directory) and is then renamed
            to ``<out>.old-YYYYmmdd-HHMMSS`` (a free name) as the new model takes its place.
            An interrupted ``force`` training leaves ``out_dir`` as it was and cannot be
            resumed.
        log_dir: where the CSV (and TensorBoard, if installed) logs go (default ``<out>/train``).
        manifold_methods: navigation manifolds to fit besides the PCA pad (names from
            :data:`synth_server.fit.manifolds.METHODS`; the CLI fits all five). Attribute vectors
            are written whenever ``data_dir`` (or its parent) has a label file.
        frames: ``load_frames(data_dir, stft, train.min_frame_db)`` already computed (sweeps
            that train several models on one data set); None = read ``data_dir``.
    Returns:
        The statistics stored in config.json under "stats", plus ``"previous_model"``: where
        the previous ``out_dir`` was kept (a path string), or None (``{}`` on DDP ranks other
        than 0).
    Raises:
        OutputExistsError: ``out_dir`` is not empty and neither ``resume`` nor ``force`` allows
            writing it (raised before any data is read; nothing is written).
        FileNotFoundError: no usable audio in ``data_dir``.
        ValueError: unknown representation, regulariser or schedule.
    """
    import lightning.pytorch as pl
    from lightning.pytorch.callbacks import ModelCheckpoint, TQDMProgressBar
    from lightning.pytorch.loggers import CSVLogger
    from lightning.pytorch.utilities import rank_zero_only

    from synth_server.train.module import (AtomicCheckpointIO, FrameVAEModule, frame_loader,
                                           publish_directory)

    if train.regulariser not in REGULARISERS:
        raise ValueError(f"unknown regulariser {train.regulariser!r} ({', '.join(REGULARISERS)})")
    if train.beta_schedule not in BETA_SCHEDULES:
        raise ValueError(f"unknown beta schedule {train.beta_schedule!r} "
                         f"({', '.join(BETA_SCHEDULES)})")
    n_features(stft)  # raises ValueError for an unknown representation
    out_dir = Path(out_dir)
    if rank_zero_only.rank == 0:
        mode = output_mode(out_dir, resume, force)
        remove_stale_staging(out_dir)  # the unfinished output of a killed earlier training
    else:  # a DDP process started by rank 0, which checked; it writes nothing itself
        mode = "resume" if resume and (out_dir / TRAIN_SUBDIR / RESUME_FILE).is_file() else "new"
    started = time.perf_counter()
    _quiet_lightning()
    pl.seed_everything(train.seed, workers=True, verbose=False)
    log_frames, owners, files = frames if frames is not None else \
        load_frames(data_dir, stft, train.min_frame_db)
    features = log_features_from_log_magnitude(log_frames, stft)
    del log_frames
    n_files = len(files)
    held = heldout_split(n_files, train.seed, validation_fraction)
    is_val = np.isin(owners, list(held))

    model = FrameVAE(VaeConfig(n_bins=n_features(stft), latent_dim=latent_dim,
                               hidden_sizes=tuple(vae_hidden)))
    fit_normalisation(model, features[~is_val])
    with torch.no_grad():
        x_all = model.normalise(torch.from_numpy(features))
    x_train, x_val = x_all[torch.from_numpy(~is_val)], x_all[torch.from_numpy(is_val)]
    if len(x_train) < train.batch_size:
        raise FileNotFoundError(f"{data_dir}: {len(x_train)} training frames, fewer than one "
                                f"batch of {train.batch_size}")

    # "replace": the old directory stays as it is until the new model is published, so the
    # training state goes to the staging directory; otherwise to <out>/train (resumable)
    staging = staging_dir(out_dir) if mode == "replace" and rank_zero_only.rank == 0 \
        else None
    work_dir = (staging or out_dir) / TRAIN_SUBDIR
    discard = staging  # removed if training fails; never once publishing has begun
    try:
        module = FrameVAEModule(model, train)
        loggers: list[Any] = [CSVLogger(Path(log_dir or work_dir), name="logs")]
        try:
            from lightning.pytorch.loggers import TensorBoardLogger

            loggers.append(TensorBoardLogger(Path(log_dir or work_dir), name="tensorboard"))
        except (ImportError, ModuleNotFoundError):
            pass
        steps_per_epoch = len(x_train) // train.batch_size
        callbacks: list[Any] = [ModelCheckpoint(dirpath=work_dir,
                                                filename=Path(RESUME_FILE).stem, save_top_k=1,
                                                monitor=None, save_on_train_epoch_end=True,
                                                enable_version_counter=False)]
        if progress:
            callbacks.append(TQDMProgressBar(refresh_rate=max(1, steps_per_epoch // 10)))
        trainer = pl.Trainer(
            accelerator=accelerator, devices=devices, max_epochs=train.epochs,
            gradient_clip_val=10.0, logger=loggers, callbacks=callbacks,
            plugins=[AtomicCheckpointIO()], enable_progress_bar=progress,
            enable_model_summary=False, num_sanity_val_steps=0,
            log_every_n_steps=max(1, steps_per_epoch),
            limit_val_batches=1.0 if len(x_val) else 0, default_root_dir=work_dir,
        )
        resume_path = work_dir / RESUME_FILE
        ckpt_path = str(resume_path) if resume and resume_path.is_file() else None
        if resume and ckpt_path is None:
            log.warning("no %s to resume from: training from the start", resume_path)
        resumed_epoch = None
        if ckpt_path is not None:
            resumed_epoch = int(AtomicCheckpointIO().load_checkpoint(ckpt_path)["epoch"]) + 1
        trainer.fit(module, train_dataloaders=frame_loader(x_train, train.batch_size, True),
                    val_dataloaders=frame_loader(x_val, 4096, False) if len(x_val) else None,
                    ckpt_path=ckpt_path)
        if not trainer.is_global_zero:
            return {}

        model = module.model.cpu().eval()
        last = module.last_epoch
        with torch.inference_mode():
            mu, logvar = model.encode(x_train)
            kl_per_dim = kl_divergence(mu, logvar).numpy()
            n_active, latent_variance = active_units(mu)
            val_rec = None
            if len(x_val):
                val_rec = float(reconstruction_loss(model, x_val, model.encode(x_val)[0]))
        latents = encode_means(model, x_all)
        manifold = fit_pca(latents, n_components=2)
        output_gain = level_correction(model, manifold, x_train, stft)
        stats = {
            "train_seconds": round(time.perf_counter() - started, 2),
            "n_files": n_files,
            "n_frames": int(len(x_all)),
            "n_validation_frames": int(len(x_val)),
            "epochs_trained": int(trainer.current_epoch),
            "resumed_from_epoch": resumed_epoch,
            "final_epoch": {k: round(v, 4) for k, v in last.items()},
            "validation_reconstruction": None if val_rec is None else round(val_rec, 4),
            "kl_per_dim": [round(float(v), 4) for v in kl_per_dim],
            "active_units": n_active,
            "latent_variance": [round(v, 4) for v in latent_variance],
            "logs": str(_published(Path(loggers[0].log_dir), staging, out_dir)),
        }
        meta = {"output_gain": round(output_gain, 4), "train": to_dict(train),
                "dataset": str(data_dir), "command": command, "stats": stats,
                "split": {"validation_fraction": validation_fraction,
                          "heldout_files": sorted(Path(files[i]).name for i in held)}}
        if staging is None:
            staging = discard = staging_dir(out_dir)
        save_checkpoint(staging, model, stft, manifold, meta)
        write_navigation(staging, latents, owners, files, data_dir, manifold_methods, train.seed)
        state = out_dir / TRAIN_SUBDIR  # this training's state ("new" and "resume")
        discard = None  # from here on ``staging`` may hold the training state or the old model
        release_staging(staging)  # ... so a later run never deletes it unseen
        moved = mode != "replace" and state.is_dir()
        if moved:
            os.rename(state, staging / TRAIN_SUBDIR)
        try:
            kept = publish_directory(staging, out_dir,
                                     keep_previous=True if mode == "replace" else None)
        except BaseException:
            if moved and not state.exists() and out_dir.is_dir() \
                    and (staging / TRAIN_SUBDIR).is_dir():
                os.rename(staging / TRAIN_SUBDIR, state)
            log.error("publishing %s failed; %s is left as it is", out_dir, staging)
            raise
        log.info("wrote %s (%.1f s)", out_dir, stats["train_seconds"])
        if kept is not None:
            log.info("kept the previous %s as %s", out_dir, kept)
        return {**stats, "previous_model": None if kept is None else str(kept)}
    except BaseException:
        if discard is not None:
            shutil.rmtree(discard, ignore_errors=True)
        raise


def _published(path: Path, staging: Optional[Path], out_dir: Path) -> Path:
    """Where ``path``, written inside the staging directory, lies once it is published."""
    if staging is not None and path.is_relative_to(staging):
        return out_dir / path.relative_to(staging)
    return path


def write_navigation(directory: Path, latents: np.ndarray, owners: np.ndarray, files: Sequence[Any],
                     data_dir: str | Path, methods: Sequence[str], seed: int) -> None:
    """Fit and write the navigation manifolds and attribute vectors of a checkpoint directory.

    Args:
        directory: the (staging) checkpoint directory, already holding weights and config.
        latents: [n_frames, latent_dim] encoder means of every frame.
        owners: [n_frames] file index of each frame; files: the audio files.
        data_dir: the training folder (its label file gives the attribute vectors).
        methods: manifold names to fit (nothing is fitted when empty).
        seed: random state.
    """
    from synth_server.artifacts.checkpoint import load_checkpoint
    from synth_server.artifacts.navigation import save_attributes, save_manifolds
    from synth_server.data.labels import read_labels
    from synth_server.fit.attributes import attribute_vectors
    from synth_server.fit.manifolds import centroid_descriptor, fit_manifolds

    checkpoint = load_checkpoint(directory, derived=False)
    if methods:
        descriptor = centroid_descriptor(checkpoint)
        maps, anchors, report = fit_manifolds(latents, methods, seed=seed, descriptor=descriptor)
        save_manifolds(directory, maps, anchors, checkpoint.weights_sha256, report,
                       {"command": "train", "seed": seed, "n_latents": int(len(latents))})
    try:
        labels, _ = read_labels(data_dir)
    except (ValueError, OSError) as exc:
        log.warning("labels: %s", exc)
        labels = {}
    attributes = attribute_vectors(latents, owners, files, labels) if labels else {}
    if attributes:
        save_attributes(directory, attributes, checkpoint.weights_sha256, source=str(data_dir))


@torch.inference_mode()
def level_correction(model: FrameVAE, manifold: PcaManifold, x: torch.Tensor,
                     stft: StftConfig, grid_size: int = 9) -> float:
    """Gain that makes the pad sound, on average, as loud as the training data.

    A Gaussian decoder on log-magnitudes returns a geometric mean, and points of the pad between
    clusters of the data decode to quieter, blurred spectra; this linear factor matches the
    median frame energy over a ``grid_size`` x ``grid_size`` pad grid to the median energy of
    the training frames.

    Args:
        model: trained VAE (eval mode).
        manifold: the pad manifold.
        x: [n_frames, n_features] normalised training frames.
        stft: analysis parameters (for the log floor). Energies are compared in the model's
            own representation (band power sums to frame power for mel / logfreq bands).
    Returns:
        sqrt(median data energy / median pad energy), clipped to [0.1, 100].
    """
    model.eval()
    floor = stft.log_floor
    data = (torch.exp(model.denormalise(x)) - floor).clamp_min(0).pow(2).sum(-1)
    axis = np.linspace(0.0, 1.0, grid_size)
    xy = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    z = torch.from_numpy(manifold.to_latent(xy).astype(np.float32))
    pad = (torch.exp(model.denormalise(model.decode(z))) - floor).clamp_min(0).pow(2).sum(-1)
    ratio = float(torch.sqrt(data.median() / pad.median().clamp_min(1e-12)))
    return float(np.clip(ratio, 0.1, 100.0)) if np.isfinite(ratio) else 1.0
