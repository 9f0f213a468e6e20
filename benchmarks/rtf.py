"""Offline synthesis speed: decoder + phase + overlap-add (+ gain, DC blocker, limiter), one thread.

    python benchmarks/rtf.py [--model models/default] [--seconds 30]

A latent trajectory (a random walk over the pad, a new target every 100 ms, smoothed as live)
is rendered by Renderer.render_block in batches of 256 hops, and also hop by hop as ``serve`` does.
Prints one JSON line: rtf (audio seconds per compute second, batched), per-hop microseconds of
each stage, and rtf_live (hop by hop). BLAS is pinned to one thread before numpy loads.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    from synth_server.control.controller import ControlState
    from synth_server.app.render import RENDER_BLOCK_HOPS
    from synth_server.engine.renderer import Renderer
    from synth_server.artifacts.checkpoint import load_checkpoint

    checkpoint = load_checkpoint(args.model)
    renderer = Renderer(checkpoint)
    hop, sr = renderer.hop_length, renderer.sample_rate
    n = int(args.seconds * sr / hop)
    rng = np.random.default_rng(0)
    per_target = max(1, int(0.1 * sr / hop))
    pads = rng.uniform(0.0, 1.0, (n // per_target + 1, 2))
    targets = checkpoint.manifold.to_latent(np.repeat(pads, per_target, axis=0)[:n])
    gains = np.full(n, 0.5)
    renderer.render_block(targets[:RENDER_BLOCK_HOPS], gains[:RENDER_BLOCK_HOPS])  # warm up / JIT
    started = time.perf_counter()
    for i in range(0, n, RENDER_BLOCK_HOPS):
        renderer.render_block(targets[i:i + RENDER_BLOCK_HOPS], gains[i:i + RENDER_BLOCK_HOPS])
    total = time.perf_counter() - started
    # stages, batched
    z = targets[:RENDER_BLOCK_HOPS]
    reps = max(1, n // RENDER_BLOCK_HOPS)
    started = time.perf_counter()
    for _ in range(reps):
        magnitude = renderer.decode_magnitude(z)
    decode = time.perf_counter() - started
    from synth_server.dsp.streaming import StreamingInverse

    inverse = StreamingInverse(checkpoint.stft.n_fft, hop)
    started = time.perf_counter()
    for _ in range(reps):
        inverse.process_frames(magnitude)
    phase_ola = time.perf_counter() - started
    # live: one hop per call
    live_n = min(n, int(5.0 * sr / hop))
    states = [ControlState(pad=tuple(p), gain=0.5) for p in pads[:64]]
    started = time.perf_counter()
    for i in range(live_n):
        renderer.render_hop(states[(i // per_target) % len(states)])
    live = time.perf_counter() - started
    frames = reps * RENDER_BLOCK_HOPS
    print(json.dumps({
        "bench": "rtf", "model": Path(args.model).name, "audio_seconds": round(n * hop / sr, 2),
        "rtf": round(n * hop / sr / total, 1),
        "hop_us": round(1e6 * total / n, 1),
        "decode_us": round(1e6 * decode / frames, 1),
        "phase_ola_us": round(1e6 * phase_ola / frames, 1),
        "rtf_live": round(live_n * hop / sr / live, 1),
        "live_hop_us": round(1e6 * live / live_n, 1),
        "threads": 1,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
