"""latent_dim sweep x regulariser, with active units (issue 5, ATIAM exercise 5).

    synth-server dataset toy --out data/toy
    nice -n 10 python benchmarks/latent_sweep.py --data data/toy [--epochs 10] [--plots docs/img]

Trains a VAE on STFT frames (hidden ``--hidden``, default 256/128: half the shipped width, to
keep the 12 runs within ~15 minutes on 2 cores) for every latent_dim in ``--dims`` (2, 4, 8, 16)
and every regulariser (kl, mmd, swd at their default weights, linear warm-up over a third of the
epochs), then measures on the trained model:

* ``validation_reconstruction``: Gaussian NLL (up to a constant) of held-out files from the
  posterior means, summed over bins (lower is better);
* ``active_units``: dimensions whose posterior mean varies over the data, Var_x E[z_d|x] > 0.01
  (Burda et al. 2015), with the variances sorted (``latent_variance``);
* ``kl_per_dim``: KL(q(z_d|x) || N(0, 1)) per dimension, averaged over the data (nats);
* ``prior_mmd``: MMD (IMQ kernel) between 2000 codes z ~ q(z|x) of training frames and 2000
  prior samples: how well the aggregate posterior fills N(0, I), which the pad and /random use.

Prints one JSON object per run and a summary: per regulariser, the smallest latent_dim whose
validation reconstruction is within 5 % of the best of the sweep (``dims_needed``) and the active
units at the largest latent_dim. ``--plots DIR`` writes sweep_reconstruction.png,
sweep_active_units.png and beta_schedules.png.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synth_server.core.config import REGULARISERS, StftConfig, TrainConfig  # noqa: E402

DEFAULT_BETA = {"kl": 1.0, "mmd": 100.0, "swd": 100.0}  # as `synth-server train`


def prior_mmd(model, x, n: int = 2000, seed: int = 0) -> float:
    """MMD between n codes sampled from q(z|x) for random rows of x and n prior samples."""
    import torch

    from synth_server.train.regularisers import mmd_imq

    g = torch.Generator().manual_seed(seed)
    rows = torch.randperm(len(x), generator=g)[:n]
    with torch.inference_mode():
        mu, logvar = model.encode(x[rows])
        z = mu + torch.randn(mu.shape, generator=g) * torch.exp(0.5 * logvar)
        return float(mmd_imq(z, torch.randn(z.shape, generator=g)))


def run(data: Path, dims: list[int], regularisers: list[str], epochs: int, work: Path,
        hidden: tuple[int, ...] = (256, 128)) -> list[dict]:
    import torch

    from synth_server.data.frames import load_frames
    from synth_server.artifacts.checkpoint import load_checkpoint
    from synth_server.model.vae import FrameVAE
    from synth_server.train.loop import train_model

    stft = StftConfig()
    frames = load_frames(data, stft)
    log_frames = frames[0]
    results = []
    for regulariser in regularisers:
        for dim in dims:
            train = TrainConfig(epochs=epochs, warmup_epochs=max(1, epochs // 3),
                                regulariser=regulariser, beta=DEFAULT_BETA[regulariser])
            out = work / f"{regulariser}-{dim}"
            t0 = time.perf_counter()
            stats = train_model(data, out, stft=stft, latent_dim=dim, train=train,
                                vae_hidden=hidden, progress=False, frames=frames,
                                command="benchmarks/latent_sweep.py")
            loaded = load_checkpoint(out)
            model = FrameVAE.from_arrays(loaded.vae, loaded.arrays)
            with torch.no_grad():
                x = model.normalise(torch.from_numpy(log_frames))
            row = {"benchmark": "latent_sweep", "regulariser": regulariser, "latent_dim": dim,
                   "beta": train.beta, "epochs": epochs, "hidden": list(hidden),
                   "validation_reconstruction": stats["validation_reconstruction"],
                   "train_reconstruction": stats["final_epoch"]["reconstruction"],
                   "active_units": stats["active_units"],
                   "latent_variance": sorted(stats["latent_variance"], reverse=True),
                   "kl_per_dim": sorted(stats["kl_per_dim"], reverse=True),
                   "prior_mmd": round(prior_mmd(model, x), 4),
                   "seconds": round(time.perf_counter() - t0, 1)}
            print(json.dumps(row), flush=True)
            results.append(row)
    return results


def summarise(results: list[dict]) -> dict:
    best = min(r["validation_reconstruction"] for r in results)
    out: dict = {"benchmark": "latent_sweep_summary", "best_validation_reconstruction": best}
    for reg in sorted({r["regulariser"] for r in results}):
        rows = sorted((r for r in results if r["regulariser"] == reg),
                      key=lambda r: r["latent_dim"])
        own_best = min(r["validation_reconstruction"] for r in rows)
        needed = next(r["latent_dim"] for r in rows
                      if r["validation_reconstruction"] <= 1.05 * own_best)
        out[reg] = {"dims_needed_within_5pct": needed,
                    "active_units_at_max_dim": rows[-1]["active_units"],
                    "max_dim": rows[-1]["latent_dim"]}
    return out


def plot(results: list[dict], directory: Path, epochs: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from synth_server.train.regularisers import beta_at

    directory.mkdir(parents=True, exist_ok=True)
    regs = sorted({r["regulariser"] for r in results})
    fig, ax = plt.subplots(figsize=(4.8, 3.0), dpi=90)
    for reg in regs:
        rows = sorted((r for r in results if r["regulariser"] == reg),
                      key=lambda r: r["latent_dim"])
        ax.plot([r["latent_dim"] for r in rows], [r["validation_reconstruction"] for r in rows],
                "o-", label=reg)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("latent_dim")
    ax.set_ylabel("validation reconstruction (NLL)")
    ax.set_title("toy set: reconstruction vs latent size")
    ax.legend()
    fig.tight_layout()
    fig.savefig(directory / "sweep_reconstruction.png")
    plt.close(fig)

    max_dim = max(r["latent_dim"] for r in results)
    fig, ax = plt.subplots(figsize=(4.8, 3.0), dpi=90)
    for reg in regs:
        row = next(r for r in results if r["regulariser"] == reg and r["latent_dim"] == max_dim)
        ax.semilogy(range(1, max_dim + 1), np.maximum(row["latent_variance"], 1e-6), "o-",
                    label=f"{reg} ({row['active_units']} active)")
    ax.axhline(0.01, color="k", lw=0.8, ls="--")
    ax.set_xlabel("dimension (sorted)")
    ax.set_ylabel("Var_x E[z_d | x]")
    ax.set_title(f"active units, latent_dim {max_dim} (threshold 0.01)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(directory / "sweep_active_units.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(4.8, 2.4), dpi=90)
    steps = 100
    s = np.arange(epochs * steps)
    for label, cfg in (("linear", TrainConfig(epochs=epochs, warmup_epochs=max(1, epochs // 3))),
                       ("cyclical (4 cycles, ratio 0.5)",
                        TrainConfig(epochs=epochs, beta_schedule="cyclical"))):
        ax.plot(s / steps, [beta_at(int(i), steps, cfg) for i in s], label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("beta / beta_max")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(directory / "beta_schedules.png")
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "toy"))
    parser.add_argument("--dims", default="2,4,8,16")
    parser.add_argument("--regularisers", default=",".join(REGULARISERS))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--hidden", default="256,128", help="encoder hidden widths")
    parser.add_argument("--json", help="also write all rows and the summary to this file")
    parser.add_argument("--plots", help="directory for the PNG plots")
    args = parser.parse_args()
    import logging
    logging.basicConfig(level=logging.WARNING)
    dims = [int(d) for d in args.dims.split(",")]
    regs = args.regularisers.split(",")
    with tempfile.TemporaryDirectory(prefix="latent_sweep_") as tmp:
        results = run(Path(args.data), dims, regs, args.epochs, Path(tmp),
                      tuple(int(h) for h in args.hidden.split(",")))
    summary = summarise(results)
    print(json.dumps(summary), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": results, "summary": summary}, indent=1))
    if args.plots:
        plot(results, Path(args.plots), args.epochs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
