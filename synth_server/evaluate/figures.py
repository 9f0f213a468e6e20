"""The report's figures (matplotlib, Agg backend, small PNGs at ``DPI``): latent scatters
coloured by label, KL per dimension beside the PCA baseline's variance, spectrograms."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from synth_server.core.config import StftConfig

DPI = 80


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _colour_args(values: np.ndarray, name: str) -> dict[str, Any]:
    values = np.asarray(values, dtype=np.float64)
    positive = np.all(values > 0)
    if name.endswith("_hz") and positive:
        return {"c": np.log2(values), "cmap": "viridis"}
    if name in ("program", "family"):
        return {"c": values, "cmap": "tab20"}
    return {"c": values, "cmap": "viridis"}


def scatter_grid(path: Path, xy: np.ndarray, colours: dict[str, np.ndarray], title: str,
                 xlabel: str, ylabel: str) -> None:
    """One small scatter per label of 2-D points ``xy`` [n, 2], saved as PNG (80 dpi)."""
    plt = _plt()
    names = list(colours) or ["(no labels)"]
    n = len(names)
    cols = min(n, 4)
    rows = int(math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.4 * rows + 0.3), squeeze=False)
    for ax, name in zip(axes.ravel(), names):
        if name in colours:
            args = _colour_args(colours[name], name)
            sc = ax.scatter(xy[:, 0], xy[:, 1], s=2, linewidths=0, **args)
            cb = fig.colorbar(sc, ax=ax, fraction=0.05, pad=0.02)
            cb.ax.tick_params(labelsize=6)
            ax.set_title(("log2 " if name.endswith("_hz") else "") + name, fontsize=8)
        else:
            ax.scatter(xy[:, 0], xy[:, 1], s=2, linewidths=0, c="k")
        ax.tick_params(labelsize=6)
        ax.set_xlabel(xlabel, fontsize=7)
        ax.set_ylabel(ylabel, fontsize=7)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def kl_figure(path: Path, kl_train: np.ndarray, kl_heldout: np.ndarray,
              pca_variance_ratio: np.ndarray) -> None:
    """Bars: the VAE's KL per dimension (nats; train and held-out) beside the PCA baseline's
    explained variance per component."""
    plt = _plt()
    fig, (a, b) = plt.subplots(1, 2, figsize=(7.0, 2.6))
    d = np.arange(len(kl_train))
    a.bar(d - 0.2, kl_train, 0.4, label="train")
    a.bar(d + 0.2, kl_heldout, 0.4, label="held-out")
    a.set_xlabel("latent dimension", fontsize=7)
    a.set_ylabel("KL (nats)", fontsize=7)
    a.set_title("VAE: KL(q(z|x) || N(0, I)) per dimension", fontsize=8)
    a.legend(fontsize=6)
    b.bar(np.arange(len(pca_variance_ratio)), pca_variance_ratio, 0.6, color="C2")
    b.set_xlabel("component", fontsize=7)
    b.set_ylabel("explained variance ratio", fontsize=7)
    b.set_title("PCA baseline: variance per component", fontsize=8)
    for ax in (a, b):
        ax.tick_params(labelsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def spectrogram_figure(path: Path, spectra: dict[str, np.ndarray], stft: StftConfig,
                       title: str) -> None:
    """Log-magnitude spectrograms ([n_frames, n_bins] linear magnitudes) side by side, 0-8 kHz."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(spectra), figsize=(2.4 * len(spectra), 2.4), squeeze=False)
    top = int(8000 * stft.n_fft / stft.sample_rate)
    duration = None
    for ax, (name, mag) in zip(axes[0], spectra.items()):
        duration = len(mag) * stft.hop_length / stft.sample_rate
        db = 20 * np.log10(np.maximum(mag[:, :top].T, 1e-4))
        ax.imshow(db, origin="lower", aspect="auto", vmin=-80, vmax=0, cmap="magma",
                  extent=(0, duration, 0, 8), interpolation="nearest")
        ax.set_title(name, fontsize=8)
        ax.set_xlabel("s", fontsize=7)
        ax.set_ylabel("kHz", fontsize=7)
        ax.tick_params(labelsize=6)
    fig.suptitle(title, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
