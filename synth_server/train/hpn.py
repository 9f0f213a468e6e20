"""Training of harmonic-plus-noise ("hpn") models through a differentiable synthesizer.

The conditional frame VAE (:class:`~synth_server.model.vae.FrameVAE` with ``n_conditioning = 2``)
encodes ``concat(h, c)`` and decodes ``concat(z, c)`` to the features h of
:mod:`synth_server.dsp.hpn`, c = (pitch, loudness). Its reconstruction loss is not (only) a
distance between features: the decoded h, the frame's f0 and amplitude go through a
*frame-domain* differentiable harmonic-plus-noise synthesizer, which gives the normalised STFT
power spectrum the synthesis would have under an analysis window of n samples,

    P_n(j) = sum_k a_k^2 |W_n(j - k f0 / (sr / n))|^2  +  (m^2 @ S) (j) * 2048 / n,

(harmonic k of amplitude a_k under the periodic Hann window's transform W (its main lobe and
side lobes, :func:`synth_server.dsp.hpn.hann_transform`), incoherent sum; the noise bands' power
through the band synthesis matrix, resampled to the bins of size n and scaled by 2048 / n, as
stationary noise's normalised power scales with 1 / n), and the loss is the multi-resolution
STFT distance (spectral convergence + mean |log magnitude| difference, Yamamoto et al. 2020;
the same terms as :func:`synth_server.dsp.metrics.mrstft_distance`, eps 1e-5) between
``sqrt(P_n)`` and the analysed frame's STFT magnitudes at n = 2048, 1024, 512, plus a
feature-MSE term. Differentiable harmonic-plus-noise synthesis with a multi-scale spectral loss
is the DDSP recipe (Engel, Hantrakul, Gu & Roberts 2020); here it is evaluated per frame in the
frequency domain, so it fits the frame VAE and costs a few thousand multiply-adds per harmonic.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from synth_server.core.config import StftConfig, TrainConfig, VaeConfig, to_dict
from synth_server.model.vae import FrameVAE, encode_means

log = logging.getLogger(__name__)
LOG_EPS = 1e-5  #: magnitude floor inside the log term (as dsp.metrics.DEFAULT_EPS)
REFERENCE_FFT = 2048  #: the window size the noise bands are defined at
MAX_LOG_FEATURE = 2.0  #: decoded features are clamped at this during training (exp stays finite)


def _hann_transform(d: torch.Tensor) -> torch.Tensor:
    """|sinc(d) / (1 - d^2)| (normalised periodic Hann transform, see dsp.hpn.hann_transform)."""
    near = (d.abs() - 1.0).abs() < 1e-4
    safe = torch.where(near, torch.zeros_like(d), d)
    value = torch.sinc(safe) / (1.0 - safe * safe)
    return torch.where(near, torch.full_like(d, 0.5), value).abs()


class FrameSynth(nn.Module):
    """Frame-domain differentiable harmonic-plus-noise synthesizer (power spectra).

    Args:
        stft: the hpn config (sample_rate, n_harmonics, n_noise_bands, n_fft of the noise bands).
        fft_sizes: window sizes of the spectra returned.
        lobe_bins: bins on each side of a harmonic where its window transform is evaluated.
    """

    def __init__(self, stft: StftConfig, fft_sizes: Sequence[int] = (2048, 1024, 512),
                 lobe_bins: int = 6):
        super().__init__()
        from synth_server.dsp.hpn import noise_synthesis

        self.stft = stft
        self.fft_sizes = tuple(int(n) for n in fft_sizes)
        self.register_buffer("k", torch.arange(1, stft.n_harmonics + 1, dtype=torch.float32))
        self.register_buffer("offsets", torch.arange(-lobe_bins + 1, lobe_bins + 1,
                                                     dtype=torch.float32))
        synthesis = noise_synthesis(stft)  # [n_bands, n_bins of stft.n_fft]
        freqs_ref = np.arange(synthesis.shape[1]) * stft.sample_rate / stft.n_fft
        for n in self.fft_sizes:
            freqs = np.arange(n // 2 + 1) * stft.sample_rate / n
            resampled = np.stack([np.interp(freqs, freqs_ref, row) for row in synthesis])
            resampled *= stft.n_fft / n
            self.register_buffer(f"noise_{n}", torch.from_numpy(resampled.astype(np.float32)))

    def forward(self, features: torch.Tensor, f0_hz: torch.Tensor, amplitude: torch.Tensor
                ) -> dict[int, torch.Tensor]:
        """Power spectra of the frames.

        Args:
            features: [batch, n_features] h (natural log relative to A).
            f0_hz: [batch] Hz.
            amplitude: [batch] linear A.
        Returns:
            {n_fft: [batch, n_fft // 2 + 1] normalised power}.
        """
        stft = self.stft
        kh = stft.n_harmonics
        h = features.clamp(max=MAX_LOG_FEATURE)
        amp = amplitude[:, None]
        freqs = self.k[None, :] * f0_hz[:, None]                               # [B, K] Hz
        audible = freqs < 0.45 * stft.sample_rate
        a2 = torch.where(audible, (amp * torch.exp(h[:, :kh])) ** 2, torch.zeros_like(freqs))
        m2 = (amp * torch.exp(h[:, kh:])) ** 2
        out = {}
        batch = features.shape[0]
        for n in self.fft_sizes:
            n_bins = n // 2 + 1
            centre = freqs * (n / stft.sample_rate)                              # bins
            bins = torch.floor(centre).detach()[:, :, None] + self.offsets[None, None, :]
            w2 = _hann_transform(bins - centre[:, :, None]) ** 2
            valid = (bins >= 0) & (bins < n_bins)
            values = torch.where(valid, a2[:, :, None] * w2, torch.zeros_like(w2))
            index = bins.clamp(0, n_bins - 1).long().reshape(batch, -1)
            power = m2 @ getattr(self, f"noise_{n}")
            power = power.scatter_add(1, index, values.reshape(batch, -1))
            out[n] = power
        return out


def spectral_loss(power: dict[int, torch.Tensor], targets: dict[int, torch.Tensor]
                  ) -> torch.Tensor:
    """Multi-resolution STFT distance between predicted power spectra and target log
    magnitudes: mean over sizes of (spectral convergence over the batch + mean |log(|X| + eps)
    - log(|T| + eps)|). Scalar tensor (dimensionless, as :func:`synth_server.dsp.metrics.
    mrstft_distance`)."""
    total = []
    for n, p in power.items():
        mag = torch.sqrt(p + 1e-12)
        target = torch.exp(targets[n].float())
        sc = torch.linalg.norm(mag - target) / torch.linalg.norm(target).clamp_min(1e-8)
        log_l1 = (torch.log(mag + LOG_EPS) - torch.log(target + LOG_EPS)).abs().mean()
        total.append(sc + log_l1)
    return torch.stack(total).mean()


class HpnDataset(Dataset):
    """Rows of the training tensors; a list of indices gives one batch tuple
    (x [b, n_features] normalised, c [b, 2], f0 [b], amplitude [b], *targets)."""

    def __init__(self, tensors: Sequence[torch.Tensor]):
        self.tensors = list(tensors)

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, index: int) -> tuple[torch.Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, ...]:
        idx = torch.as_tensor(indices, dtype=torch.long)
        return tuple(t[idx] for t in self.tensors)


def _as_batch(data: Any) -> Any:
    return data if isinstance(data, tuple) else tuple(torch.stack(v) for v in zip(*data))


def hpn_objective(model: FrameVAE, synth: FrameSynth, batch: Sequence[torch.Tensor], beta: float,
                  regulariser: str, feature_weight: float, spectral_weight: float,
                  sample: bool = True) -> tuple[torch.Tensor, ...]:
    """Loss of one batch: ``spectral_weight * spectral + feature_weight * feature MSE +
    beta * regulariser``.

    Returns:
        (loss, spectral (MR-STFT-like, dimensionless), feature (0.5 * sum of squares of
        normalised features, per frame), regulariser, kl (nats per frame)).
    """
    from synth_server.model.vae import reparameterise
    from synth_server.train.regularisers import kl_divergence, regulariser_loss

    x, c, f0, amp = batch[:4]
    targets = {n: t for n, t in zip(synth.fft_sizes, batch[4:])}
    mu, logvar = model.encode(x, c)
    z = reparameterise(mu, logvar) if sample else mu
    x_hat = model.decode(z, c)
    feature = 0.5 * (x_hat - x).pow(2).sum(dim=-1).mean()
    spectral = spectral_loss(synth(model.denormalise(x_hat), f0, amp), targets)
    kl = kl_divergence(mu, logvar).sum()
    reg = kl if regulariser == "kl" else regulariser_loss(regulariser, z, mu, logvar)
    loss = spectral_weight * spectral + feature_weight * feature + beta * reg
    return loss, spectral, feature, reg, kl


def _module_class() -> Any:
    from synth_server.train.module import FrameVAEModule

    class HpnVAEModule(FrameVAEModule):
        """The conditional VAE + differentiable synthesizer as a LightningModule: the frame
        VAE's optimiser, cosine decay and beta schedule (:class:`FrameVAEModule`), with the
        harmonic-plus-noise objective (:func:`hpn_objective`); epoch means logged."""

        EPOCH_TERMS = ("loss", "spectral", "feature", "regulariser", "kl")
        PROGRESS_TERMS = ("spectral", "kl")

        def __init__(self, model: FrameVAE, synth: FrameSynth, train: TrainConfig,
                     feature_weight: float, spectral_weight: float):
            super().__init__(model, train)
            self.synth = synth
            self.feature_weight = feature_weight
            self.spectral_weight = spectral_weight

        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            beta = self._beta_now()
            terms = hpn_objective(self.model, self.synth, batch, beta,
                                  self.train_config.regulariser, self.feature_weight,
                                  self.spectral_weight)
            self._accumulate(terms, beta)
            return terms[0]

        def on_train_epoch_end(self) -> None:
            super().on_train_epoch_end()
            log.info("epoch %d: %s", self.current_epoch,
                     {k: round(v, 4) for k, v in self.last_epoch.items()})

        def validation_step(self, batch: Any, batch_idx: int) -> None:
            _, spectral, feature, _, _ = hpn_objective(
                self.model, self.synth, batch, 0.0, "kl", 0.0, 1.0, sample=False)
            self.log("val_spectral", spectral, prog_bar=True, batch_size=len(batch[0]))
            self.log("val_feature", feature, batch_size=len(batch[0]))

    return HpnVAEModule


def conditioning_of(frames: Any) -> np.ndarray:
    """[n, 2] float32 conditioning (nominal pitch, loudness of A) of :class:`HpnFrames`
    (:func:`synth_server.data.hpn_frames.frame_conditioning`)."""
    from synth_server.data.hpn_frames import frame_conditioning

    return frame_conditioning(frames)


def train_hpn_model(data_dir: str | Path, out_dir: str | Path, *, stft: StftConfig,
                    vae_hidden: tuple[int, ...] = (512, 256), latent_dim: int = 8,
                    train: TrainConfig = TrainConfig(), command: str = "",
                    progress: bool = True, validation_fraction: float = 0.05,
                    force: bool = False, frame_stride: int = 3,
                    feature_weight: float = 1.0, spectral_weight: float = 200.0,
                    frames: Any = None, max_frames: Optional[int] = None,
                    threads: Optional[int] = None) -> dict[str, Any]:
    """Train an hpn model on labelled notes and publish a checkpoint directory.

    Args:
        data_dir: folder of single notes with known pitch (a SoundFont set's ``train/``).
        out_dir: checkpoint directory (published atomically at the end; an existing non-empty
            one only with ``force``, kept beside as ``<out>.old-<time>``).
        stft: an "hpn" config.
        vae_hidden, latent_dim: architecture (decoder input latent_dim + 2).
        train: hyper-parameters (epochs, batch size, learning rate, beta, schedule, seed,
            min_frame_db).
        command: the command line stored in config.json.
        progress: Lightning's progress bar.
        validation_fraction: fraction of files held out for the validation loss.
        force: replace an existing ``out_dir`` (kept beside).
        frame_stride: keep every n-th analysed frame (:func:`load_hpn_frames`).
        feature_weight, spectral_weight: weights of the feature MSE and the spectral loss.
        frames: :class:`~synth_server.data.hpn_frames.HpnFrames` already loaded (sweeps), or
            None to read ``data_dir``.
        max_frames: train on at most this many frames (seeded subset), None = all.
        threads: torch intra-op threads (None = leave torch's default).
    Returns:
        The statistics stored in config.json under "stats".
    Raises:
        OutputExistsError: ``out_dir`` not empty and no ``force``.
        FileNotFoundError: no usable note.
        ValueError: a config that is not "hpn".
    """
    import lightning.pytorch as pl
    from lightning.pytorch.loggers import CSVLogger

    from synth_server.artifacts.checkpoint import save_checkpoint
    from synth_server.core.files import staging_dir
    from synth_server.data.frames import heldout_split
    from synth_server.data.hpn_frames import load_hpn_frames
    from synth_server.dsp.filterbank import n_features
    from synth_server.fit.manifolds import fit_pca
    from synth_server.train.loop import _quiet_lightning, output_mode, write_navigation
    from synth_server.train.module import publish_directory

    if stft.representation != "hpn":
        raise ValueError("train_hpn_model needs an hpn config")
    out_dir = Path(out_dir)
    mode = output_mode(out_dir, False, force)
    if threads:
        torch.set_num_threads(int(threads))
    started = time.perf_counter()
    _quiet_lightning()
    pl.seed_everything(train.seed, workers=True, verbose=False)
    if frames is None:
        frames = load_hpn_frames(data_dir, stft, train.min_frame_db, frame_stride)
    n_all = len(frames.features)
    rng = np.random.default_rng(train.seed)
    use = np.arange(n_all)
    if max_frames is not None and n_all > max_frames:
        use = np.sort(rng.choice(n_all, max_frames, replace=False))
    held = heldout_split(len(frames.files), train.seed, validation_fraction)
    is_val = np.isin(frames.owners[use], list(held))
    cond = conditioning_of(frames)[use]
    synth = FrameSynth(stft)
    model = FrameVAE(VaeConfig(n_bins=n_features(stft), latent_dim=latent_dim,
                               hidden_sizes=tuple(vae_hidden), n_conditioning=2))
    feats = frames.features[use]
    mean = feats[~is_val].mean(axis=0)
    scale = float(np.std(feats[~is_val] - mean)) or 1.0
    model.bin_mean.copy_(torch.from_numpy(mean.astype(np.float32)))
    model.scale.fill_(scale)
    with torch.no_grad():
        x_all = model.normalise(torch.from_numpy(feats))
    tensors = [x_all, torch.from_numpy(cond), torch.from_numpy(frames.f0_hz[use]),
               torch.from_numpy(frames.amplitude[use])] + \
        [torch.from_numpy(frames.targets[n][use]) for n in synth.fft_sizes]
    train_mask, val_mask = torch.from_numpy(~is_val), torch.from_numpy(is_val)
    train_set = HpnDataset([t[train_mask] for t in tensors])
    val_set = HpnDataset([t[val_mask] for t in tensors])
    if len(train_set) < train.batch_size:
        raise FileNotFoundError(f"{data_dir}: {len(train_set)} training frames, fewer than one "
                                f"batch of {train.batch_size}")
    staging = staging_dir(out_dir)
    try:
        module = _module_class()(model, synth, train, feature_weight, spectral_weight)
        trainer = pl.Trainer(
            accelerator="cpu", devices=1, max_epochs=train.epochs, gradient_clip_val=10.0,
            logger=[CSVLogger(staging / "train", name="logs")], enable_checkpointing=False,
            enable_progress_bar=progress, enable_model_summary=False,
            num_sanity_val_steps=0, limit_val_batches=1.0 if len(val_set) else 0,
            default_root_dir=staging / "train",
            log_every_n_steps=max(1, len(train_set) // train.batch_size))
        trainer.fit(module,
                    train_dataloaders=DataLoader(train_set, batch_size=train.batch_size,
                                                 shuffle=True, drop_last=True,
                                                 collate_fn=_as_batch),
                    val_dataloaders=DataLoader(val_set, batch_size=2048, shuffle=False,
                                               collate_fn=_as_batch) if len(val_set) else None)
        model = module.model.cpu().eval()
        val_spectral = None
        with torch.inference_mode():
            if len(val_set):
                val_batch = val_set.__getitems__(list(range(min(len(val_set), 8192))))
                val_spectral = float(hpn_objective(model, synth, val_batch, 0.0, "kl", 0.0, 1.0,
                                                   sample=False)[1])
        c_all = torch.from_numpy(cond)
        latents = encode_means(model, x_all, c=c_all)
        manifold = fit_pca(latents, n_components=2)
        stats = {
            "train_seconds": round(time.perf_counter() - started, 2),
            "n_files": len(frames.files),
            "n_frames": int(len(x_all)),
            "n_validation_frames": int(is_val.sum()),
            "epochs_trained": int(trainer.current_epoch),
            "final_epoch": {k: round(v, 4) for k, v in module.last_epoch.items()},
            "validation_spectral": None if val_spectral is None else round(val_spectral, 4),
            "latent_variance": [round(float(v), 4) for v in latents.var(axis=0)],
            "frame_stride": frame_stride,
            "feature_weight": feature_weight,
            "spectral_weight": spectral_weight,
        }
        meta = {"output_gain": 1.0, "train": to_dict(train), "dataset": str(data_dir),
                "command": command, "stats": stats,
                "split": {"validation_fraction": validation_fraction,
                          "heldout_files": sorted(Path(frames.files[i]).name for i in held)}}
        save_checkpoint(staging, model, stft, manifold, meta)
        write_navigation(staging, latents, frames.owners[use], frames.files, data_dir, (),
                         train.seed)
        kept = publish_directory(staging, out_dir,
                                 keep_previous=True if mode == "replace" else None)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("wrote %s (%.1f s)", out_dir, stats["train_seconds"])
    return {**stats, "previous_model": None if kept is None else str(kept)}


__all__ = ["FrameSynth", "spectral_loss", "hpn_objective", "train_hpn_model", "conditioning_of"]
