"""Offline synthesis speed of the live renderer (decode + phase + overlap-add), one torch thread.

    python benchmarks/rtf.py [--model models/default] [--seconds 10]

Prints one JSON line: rtf (seconds of audio per second of compute), per-stage microseconds.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    from synth_server.control.controller import ControlState
    from synth_server.engine.renderer import Renderer
    from synth_server.model.checkpoint import load_checkpoint

    renderer = Renderer(load_checkpoint(args.model))
    n = int(args.seconds * renderer.sample_rate / renderer.hop_length)
    rng = np.random.default_rng(0)
    states = [ControlState(pad=tuple(rng.uniform(0, 1, 2)), gain=0.5) for _ in range(64)]
    for i in range(50):
        renderer.render_hop(states[i % 64])
    started = time.perf_counter()
    for i in range(n):
        renderer.render_hop(states[(i // 19) % 64])
    total = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(n):
        renderer.decode_magnitude(renderer.latent)
    decode = time.perf_counter() - started
    print(json.dumps({
        "benchmark": "rtf", "model": Path(args.model).name, "audio_seconds": round(args.seconds, 2),
        "rtf": round(args.seconds / total, 1), "hop_us": round(1e6 * total / n, 1),
        "decode_us": round(1e6 * decode / n, 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
