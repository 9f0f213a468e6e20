"""Train the shipped playable model models/instruments (issue 13): the exact command.

Renders (or reuses) the SoundFont set, analyses it into HPN frames and trains the hpn model with
the differentiable harmonic-plus-noise synthesizer (synth_server.train.hpn), on ONE torch thread.

    PYTHONPATH=. python benchmarks/train_instruments_hpn.py --data /tmp/hpn-data/gm \
        --out models/instruments

The data set (about 2000 notes, 2 GB of WAV is NOT committed) is made by:

    synth-server dataset soundfont --out /tmp/hpn-data/gm --programs PROGRAMS \
        --pitches 36,42,48,54,60,66,72,78,84,90,96 --velocities 70,120 \
        --heldout-programs 4,25,42,57,68

with PROGRAMS = every GM program 0..111 except 47 (timpani), 55 (orchestra hit) and 96..103
(sound effects); this script renders it when --data does not exist.
"""
from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

PROGRAMS = [p for p in range(112) if p not in (47, 55) and not 96 <= p <= 103]
PITCHES = "36,42,48,54,60,66,72,78,84,90,96"
VELOCITIES = "70,120"
HELDOUT = "4,25,42,57,68"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/tmp/hpn-data/gm")
    parser.add_argument("--out", default="models/instruments")
    parser.add_argument("--cache", default=None, help="npz cache of the analysed frames")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--frame-stride", type=int, default=3)
    parser.add_argument("--max-frames", type=int, default=None)
    parser.add_argument("--latent-dim", type=int, default=8)
    parser.add_argument("--hidden", default="256,256")
    parser.add_argument("--beta", type=float, default=1.0)
    parser.add_argument("--spectral-weight", type=float, default=200.0)
    parser.add_argument("--feature-weight", type=float, default=1.0)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    import torch

    torch.set_num_threads(1)
    from synth_server.core.config import StftConfig, TrainConfig
    from synth_server.data.hpn_frames import HpnFrames, load_hpn_frames
    from synth_server.train.hpn import train_hpn_model

    data = Path(args.data)
    if not data.exists():
        subprocess.run([sys.executable, "-m", "synth_server.app.cli", "dataset", "soundfont",
                        "--out", str(data), "--programs", ",".join(map(str, PROGRAMS)),
                        "--pitches", PITCHES, "--velocities", VELOCITIES,
                        "--heldout-programs", HELDOUT, "--quiet"], check=True)
    stft = StftConfig(representation="hpn")
    started = time.perf_counter()
    cache = Path(args.cache) if args.cache else None
    if cache is not None and cache.is_file():
        z = np.load(cache)
        frames = HpnFrames(z["features"], z["midi_pitch"], z["f0_hz"], z["amplitude"],
                           z["owners"], [Path(f) for f in z["files"]],
                           {n: z[f"t{n}"] for n in (2048, 1024, 512)})
    else:
        frames = load_hpn_frames(data / "train", stft, frame_stride=args.frame_stride)
        if cache is not None:
            np.savez(cache, features=frames.features, midi_pitch=frames.midi_pitch,
                     f0_hz=frames.f0_hz, amplitude=frames.amplitude, owners=frames.owners,
                     files=np.array([str(f) for f in frames.files]),
                     **{f"t{n}": v for n, v in frames.targets.items()})
    logging.info("%d frames of %d notes (%.0f s)", len(frames.features), len(frames.files),
                 time.perf_counter() - started)
    train = TrainConfig(epochs=args.epochs, batch_size=args.batch_size,
                        learning_rate=args.learning_rate, beta=args.beta,
                        warmup_epochs=max(1, args.epochs // 4))
    command = "PYTHONPATH=. python benchmarks/train_instruments_hpn.py " + " ".join(
        argv if argv is not None else sys.argv[1:])
    stats = train_hpn_model(data / "train", args.out, stft=stft,
                            vae_hidden=tuple(int(v) for v in args.hidden.split(",")),
                            latent_dim=args.latent_dim, train=train, command=command,
                            progress=False, force=args.force, frame_stride=args.frame_stride,
                            feature_weight=args.feature_weight,
                            spectral_weight=args.spectral_weight, frames=frames,
                            max_frames=args.max_frames, threads=1)
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
