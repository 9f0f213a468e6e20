"""Training loop for the frame VAE, top to bottom (plain torch; beta warm-up, Sonderby et al. 2016).

``train_model`` reads a folder of audio, trains, fits the 2-D PCA pad manifold on the encoder
means and writes a checkpoint directory (see :mod:`synth_server.model.checkpoint`).
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch

from synth_server.config import StftConfig, TrainConfig, VaeConfig, to_dict
from synth_server.datasets.frames import load_frames
from synth_server.manifold.pca import PcaManifold
from synth_server.model.checkpoint import save_checkpoint
from synth_server.model.vae import FrameVAE, kl_divergence, vae_loss

log = logging.getLogger(__name__)


def beta_at(step: int, steps_per_epoch: int, config: TrainConfig) -> float:
    """Linear beta warm-up: 0 at step 0, ``config.beta`` after ``warmup_epochs`` epochs."""
    if config.warmup_epochs <= 0:
        return config.beta
    progress = step / float(config.warmup_epochs * steps_per_epoch)
    return config.beta * min(1.0, progress)


def fit_normalisation(model: FrameVAE, log_frames: np.ndarray) -> None:
    """Set the model's per-bin mean and global scale from [n_frames, n_bins] log-magnitudes."""
    mean = log_frames.mean(axis=0)
    scale = float(np.std(log_frames - mean)) or 1.0
    model.bin_mean.copy_(torch.from_numpy(mean.astype(np.float32)))
    model.scale.fill_(scale)


def training_step(model: FrameVAE, optimizer: torch.optim.Optimizer, batch: torch.Tensor,
                  beta: float) -> dict[str, float]:
    """One optimisation step on a batch [batch, n_bins] of normalised frames.

    Returns:
        {"loss", "reconstruction", "kl"} as floats.
    """
    model.train()
    optimizer.zero_grad(set_to_none=True)
    loss, reconstruction, kl = vae_loss(model, batch, beta)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
    optimizer.step()
    return {"loss": loss.item(), "reconstruction": reconstruction.item(), "kl": kl.item()}


@torch.inference_mode()
def encode_means(model: FrameVAE, x: torch.Tensor, batch_size: int = 4096) -> np.ndarray:
    """Posterior means [n_frames, latent_dim] of normalised frames x [n_frames, n_bins]."""
    model.eval()
    return torch.cat([model.encode(x[i:i + batch_size])[0]
                      for i in range(0, len(x), batch_size)]).numpy()


def train_model(data_dir: str | Path, out_dir: str | Path, *, stft: StftConfig,
                vae_hidden: tuple[int, ...] = (512, 256), latent_dim: int = 8,
                train: TrainConfig = TrainConfig(), command: str = "", progress: bool = True,
                validation_fraction: float = 0.1) -> dict[str, Any]:
    """Train a frame VAE on a folder of audio and write a checkpoint directory.

    Args:
        data_dir: folder of audio files.
        out_dir: checkpoint directory to write.
        stft: analysis parameters (stored in the checkpoint).
        vae_hidden: encoder hidden widths (decoder mirrors them).
        latent_dim: latent size.
        train: hyper-parameters.
        command: the command line that produced the model (stored verbatim).
        progress: show a tqdm progress bar.
        validation_fraction: fraction of *files* held out to report a validation loss.
    Returns:
        The statistics stored in config.json under "stats".
    Raises:
        FileNotFoundError: no usable audio in ``data_dir``.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    torch.manual_seed(train.seed)
    rng = np.random.default_rng(train.seed)
    log_frames, owners, files = load_frames(data_dir, stft, train.min_frame_db)
    n_files = len(files)
    held = set(rng.permutation(n_files)[: int(round(n_files * validation_fraction))].tolist()) \
        if n_files >= 5 else set()
    is_val = np.isin(owners, list(held))

    model = FrameVAE(VaeConfig(n_bins=stft.n_bins, latent_dim=latent_dim,
                               hidden_sizes=tuple(vae_hidden)))
    fit_normalisation(model, log_frames[~is_val])
    with torch.no_grad():
        x_all = model.normalise(torch.from_numpy(log_frames))
    x_train, x_val = x_all[torch.from_numpy(~is_val)], x_all[torch.from_numpy(is_val)]
    optimizer = torch.optim.Adam(model.parameters(), lr=train.learning_rate)
    steps_per_epoch = max(1, len(x_train) // train.batch_size)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=train.epochs * steps_per_epoch, eta_min=train.learning_rate * 0.05)

    step, last = 0, {}
    bar = tqdm(range(train.epochs), desc="train", unit="epoch", disable=not progress)
    for _epoch in bar:
        order = torch.randperm(len(x_train))
        sums = {"loss": 0.0, "reconstruction": 0.0, "kl": 0.0}
        for i in range(steps_per_epoch):
            batch = x_train[order[i * train.batch_size:(i + 1) * train.batch_size]]
            beta = beta_at(step, steps_per_epoch, train)
            result = training_step(model, optimizer, batch, beta)
            scheduler.step()
            step += 1
            for k in sums:
                sums[k] += result[k] / steps_per_epoch
        last = {**sums, "beta": beta}
        bar.set_postfix(rec=f"{sums['reconstruction']:.1f}", kl=f"{sums['kl']:.2f}",
                        beta=f"{beta:.2f}")

    model.eval()
    with torch.inference_mode():
        mu, logvar = model.encode(x_train)
        kl_per_dim = kl_divergence(mu, logvar).numpy()
        val_rec = None
        if len(x_val):
            val_rec = float(0.5 * (model.decode(model.encode(x_val)[0]) - x_val)
                            .pow(2).sum(-1).mean())
    manifold = PcaManifold.fit(encode_means(model, x_all), n_components=2)
    output_gain = level_correction(model, manifold, x_train, stft)
    stats = {
        "train_seconds": round(time.perf_counter() - started, 2),
        "n_files": n_files,
        "n_frames": int(len(x_all)),
        "n_validation_frames": int(len(x_val)),
        "final_epoch": {k: round(v, 4) for k, v in last.items()},
        "validation_reconstruction": None if val_rec is None else round(val_rec, 4),
        "kl_per_dim": [round(float(v), 4) for v in kl_per_dim],
    }
    meta = {"output_gain": round(output_gain, 4), "train": to_dict(train),
            "dataset": str(data_dir), "command": command, "stats": stats}
    save_checkpoint(out_dir, model, stft, manifold, meta)
    log.info("wrote %s (%.1f s)", out_dir, stats["train_seconds"])
    return stats


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
        x: [n_frames, n_bins] normalised training frames.
        stft: analysis parameters (for the log floor).
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
