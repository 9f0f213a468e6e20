"""The model commands: ``synth-server train``, ``fit-manifolds``, ``fit-descriptors`` and
``evaluate`` (the flags are parsed in :mod:`synth_server.app.cli`). Each prints one line per
result and refuses bad input in one ``synth-server: error:`` line (exit status 2)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Optional, Sequence

from synth_server.app.console import _command_line, _fail, _say


def cmd_train(args: argparse.Namespace, argv: Optional[Sequence[str]]) -> int:
    from synth_server.core.config import StftConfig, TrainConfig
    from synth_server.core.files import OutputExistsError
    from synth_server.train.loop import train_model

    stft = StftConfig(n_fft=args.n_fft, hop_length=args.hop_length,
                      representation=args.representation, n_mels=args.n_mels,
                      bands_per_octave=args.bands_per_octave)
    # regulariser weight when --beta is not given: MMD and sliced Wasserstein are ~1e-3..1e-1 per
    # batch where the KL is tens of nats, so they need a larger weight (docs/training.md)
    default_beta = {"kl": 1.0, "mmd": 100.0, "swd": 100.0}
    beta = args.beta if args.beta is not None else default_beta[args.regulariser]
    train = TrainConfig(epochs=args.epochs, batch_size=args.batch_size,
                        learning_rate=args.learning_rate, beta=beta,
                        warmup_epochs=args.warmup_epochs, seed=args.seed,
                        regulariser=args.regulariser, beta_schedule=args.beta_schedule,
                        cycles=args.cycles, cycle_ratio=args.cycle_ratio)
    try:
        hidden = tuple(int(v) for v in args.hidden.split(","))
        devices: Any = int(args.devices) if args.devices.isdigit() else args.devices
        from synth_server.dsp.filterbank import n_features

        n_features(stft)  # validates the representation's parameters
        from synth_server.fit.manifolds import METHODS

        methods = tuple(m.strip() for m in args.manifolds.split(",") if m.strip())
        if any(m not in METHODS for m in methods):
            raise ValueError(f"--manifolds: choose from {', '.join(METHODS)}")
    except ValueError as exc:
        return _fail(f"train: {exc}")
    try:
        stats = train_model(args.data, args.out, stft=stft, vae_hidden=hidden,
                            latent_dim=args.latent_dim, train=train,
                            command=_command_line(argv), progress=not args.quiet,
                            accelerator=args.accelerator, devices=devices, resume=args.resume,
                            force=args.force, manifold_methods=methods)
    except OutputExistsError as exc:
        return _fail(f"train: {exc}")
    except FileNotFoundError as exc:
        return _fail(str(exc))
    if not stats:  # a DDP rank other than 0
        return 0
    _say(f"wrote {args.out} in {stats['train_seconds']:.1f} s "
         f"({stats['n_frames']} frames, validation reconstruction "
         f"{stats['validation_reconstruction']}, {stats['active_units']} active units of "
         f"{args.latent_dim}; logs in {stats['logs']})")
    if stats.get("previous_model"):
        _say(f"kept the previous {args.out} as {stats['previous_model']}")
    return 0


def cmd_fit_manifolds(args: argparse.Namespace, argv: Optional[Sequence[str]]) -> int:
    from synth_server.fit.manifolds import METHODS, fit_checkpoint
    from synth_server.artifacts.checkpoint import CheckpointError

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        return _fail(f"unknown manifold method(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(METHODS)}")
    try:
        report = fit_checkpoint(args.model, data_dir=args.data, methods=methods,
                                n_sliders=args.n_sliders, seed=args.seed,
                                command=_command_line(argv))
    except (CheckpointError, FileNotFoundError, ValueError, ImportError) as exc:
        return _fail(str(exc).splitlines()[0])
    for name, entry in report.items():
        if "error" in entry:
            _say(f"{name:10s} failed: {entry['error']}")
            continue
        pad = entry["pad"]
        _say(f"{name:10s} trustworthiness {pad['trustworthiness']:.3f}  inverse error "
             f"{pad['inverse_error']:.3f}  smoothness {pad.get('smoothness', float('nan')):.1f}  "
             f"({entry['fit_seconds']:.1f} s)")
    _say(f"wrote {Path(args.model) / 'manifolds.json'} and manifolds.npz")
    return 0


def cmd_fit_descriptors(args: argparse.Namespace, argv: Optional[Sequence[str]]) -> int:
    from synth_server.fit.descriptors import fit_descriptors
    from synth_server.artifacts.checkpoint import CheckpointError

    try:
        report = fit_descriptors(args.model, n_samples=args.n_samples, seed=args.seed,
                                 heatmaps=not args.no_heatmaps, grid=args.grid,
                                 command=_command_line(argv))
    except (CheckpointError, FileNotFoundError, ValueError, ImportError) as exc:
        return _fail(str(exc).splitlines()[0])
    for name, entry in report["heldout"].items():
        low, high = report["ranges"][name]
        error = entry.get("median_rel_error", entry.get("median_abs_error"))
        _say(f"{name:13s} range {low:.4g} .. {high:.4g}  held-out R2 {entry['r2']:.3f}  "
             f"median error {error:.3g}")
    _say(f"wrote {Path(args.model) / 'descriptors.json'}, descriptors.npz"
         + ("" if args.no_heatmaps else f", {report.get('heatmaps', 0)} heatmap pairs")
         + f" in {report['total_seconds']:.1f} s")
    return 0


def cmd_evaluate(args: argparse.Namespace, argv: Optional[Sequence[str]]) -> int:
    """``synth-server evaluate``: report.md + PNGs (VAE vs PCA autoencoder) into the model dir."""
    from synth_server.artifacts.checkpoint import CheckpointError
    from synth_server.evaluate.report import evaluate_model

    try:
        r = evaluate_model(args.model, data_dir=args.data, heldout_dir=args.heldout,
                           out_dir=args.out, seed=args.seed, command=_command_line(argv))
    except (CheckpointError, FileNotFoundError, ValueError, ImportError, OSError) as exc:
        return _fail((str(exc).splitlines() or [type(exc).__name__])[0])
    pitch = r["pitch_cents"]
    _say(f"MR-STFT held-out: VAE {r['mrstft']['vae']:.3f}  PCA {r['mrstft']['pca']:.3f}  "
         f"oracle {r['mrstft']['oracle']:.3f}")
    if pitch:
        _say(f"pitch error, median cents: VAE {pitch['vae']:.1f}  PCA {pitch['pca']:.1f}  "
             f"oracle {pitch['oracle']:.1f}")
    kl = " ".join(f"{v:.2f}" for v in r["kl_per_dim"]["train"])
    _say(f"MIG: VAE {r['mig']['vae']:.3f}  PCA {r['mig']['pca']:.3f}; active units "
         f"{r['active_units']}; KL per dim {kl}")
    out = Path(args.out) if args.out else Path(args.model) / "report"
    _say(f"wrote {out / 'report.md'} ({r['seconds']:.0f} s)")
    return 0
