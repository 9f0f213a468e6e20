"""Descriptor steering: asked vs measured, drift of the other descriptors, cost per call.

    .venv/bin/python benchmarks/descriptor_steering.py [--model models/default] [--starts 40]

Prints one JSON object. For every descriptor: the achievable range (descriptors.json), and for
``--steps`` asked values evenly spaced (in the surrogate's log / linear space) between the 5th
and 95th percentile of that range, from ``--starts`` starting latents (encoder means of the data,
``anchors_latent``), ``DescriptorSurrogate.steer`` is called and the result decoded; the
descriptor is measured on the decoded frame with librosa (features.describe). Errors: relative
(|measured - asked| / asked) for Hz descriptors and flatness, absolute for loudness_db (dB) and
harmonicity. Drift: how far each *other* descriptor moved from its value at the start latent
(same error kinds), median and p90. Also: surrogate-only steering (refine=0), the centroid
measured on Griffin-Lim audio of steered frames, the harmonic-summation f0 vs librosa.pyin on
Griffin-Lim audio, and the µs per call (BLAS limited to one thread, as the server should):
wall time and the calling thread's CPU time (what the call costs on an idle core; the wall time
includes waiting for the CPU on a busy machine).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synth_server.dsp.describe import describe  # noqa: E402
from synth_server.dsp.features import NAMES  # noqa: E402
from synth_server.artifacts.descriptors import load_anchors  # noqa: E402
from synth_server.nav.surrogate import (TRANSFORMS, DescriptorSurrogate,  # noqa: E402
                                        playable_surrogate, to_internal, to_natural)
from synth_server.artifacts.checkpoint import load_checkpoint  # noqa: E402


def errors(name: str, measured: np.ndarray, asked: np.ndarray) -> np.ndarray:
    if TRANSFORMS[name] == "identity":
        return np.abs(measured - asked)
    return np.abs(measured - asked) / np.maximum(np.abs(asked), 1e-12)


def stats(values: np.ndarray) -> dict[str, float]:
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return {"median": None, "p90": None}
    return {"median": round(float(np.median(values)), 4),
            "p90": round(float(np.percentile(values, 90)), 4)}


def asked_values(surrogate: DescriptorSurrogate, name: str, steps: int) -> np.ndarray:
    lo, hi = (to_internal(name, v) for v in surrogate.ranges[name])
    q = np.linspace(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), steps)
    return to_natural(name, q)


def run(model: str, starts: int, steps: int, seed: int) -> dict:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    checkpoint = load_checkpoint(model)
    surrogate = playable_surrogate(checkpoint)
    decoder = checkpoint.decoder()
    sr, n_fft = checkpoint.stft.sample_rate, checkpoint.stft.n_fft
    rng = np.random.default_rng(seed)
    anchors = load_anchors(model, checkpoint.weights_sha256)
    if anchors is None:
        anchors = rng.standard_normal((starts, checkpoint.vae.latent_dim))
    z0s = anchors[rng.choice(len(anchors), min(starts, len(anchors)), replace=False)]
    start_values = describe(decoder.magnitude(z0s.astype(np.float32)), sr, n_fft)
    result: dict = {"model": model, "latent_dim": checkpoint.vae.latent_dim, "starts": len(z0s),
                    "asked_per_descriptor": steps, "descriptors": {}}
    steered_centroid = []
    for name in NAMES:
        asked = asked_values(surrogate, name, steps)
        entry: dict = {"unit": surrogate.units[name],
                       "achievable_range": [round(v, 4) for v in surrogate.ranges[name]],
                       "asked": [round(float(a), 4) for a in asked],
                       "error_kind": "absolute" if TRANSFORMS[name] == "identity"
                       else "relative"}
        for refine in (3, 0):
            zs, asks, origins, times, cpu = [], [], [], [], []
            for a in asked:
                for k, z0 in enumerate(z0s):
                    t0, c0 = time.perf_counter(), time.thread_time()
                    z = surrogate.steer(z0, name, float(a), refine=refine)
                    times.append(time.perf_counter() - t0)
                    cpu.append(time.thread_time() - c0)
                    zs.append(z)
                    asks.append(a)
                    origins.append(k)
            zs_arr = np.asarray(zs)
            got = describe(decoder.magnitude(zs_arr.astype(np.float32)), sr, n_fft)
            asks_arr, origins_arr = np.asarray(asks), np.asarray(origins)
            err = errors(name, got[name], asks_arr)
            key = "steer" if refine else "surrogate_only"
            block = {"error": stats(err), "call_us": stats(np.asarray(times) * 1e6),
                     "call_cpu_us": stats(np.asarray(cpu) * 1e6)}
            if name == "f0_hz":
                block["error_voiced_only"] = stats(err[got["voiced"]])
                block["voiced_fraction"] = round(float(got["voiced"].mean()), 3)
            if refine:
                drift = {}
                for other in NAMES:
                    if other == name:
                        continue
                    before = start_values[other][origins_arr]
                    rows = np.ones(len(before), bool)
                    if other == "f0_hz":
                        rows = start_values["voiced"][origins_arr] & got["voiced"]
                    drift[other] = stats(errors(other, got[other][rows], before[rows]))
                block["drift"] = drift
                if name == "centroid_hz":
                    steered_centroid = list(zip(zs_arr, asks_arr))
            entry[key] = block
        result["descriptors"][name] = entry
    # centroid on rendered audio (Griffin-Lim of 40 identical frames, middle frames analysed)
    from synth_server.dsp.stft import griffin_lim, stft_magnitude

    pick = rng.choice(len(steered_centroid), min(20, len(steered_centroid)), replace=False)
    audio_err, pyin_err = [], []
    for i in pick:
        z, a = steered_centroid[i]
        frames = np.repeat(decoder.magnitude(z.astype(np.float32))[None, :], 40, axis=0)
        y = griffin_lim(frames, checkpoint.stft, n_iter=32)
        mag = stft_magnitude(y, checkpoint.stft)[10:30]
        measured = float(np.median(describe(mag, sr, n_fft)["centroid_hz"]))
        audio_err.append(abs(measured - a) / a)
    result["centroid_on_rendered_audio"] = {"n": len(audio_err), "error": stats(audio_err)}
    import librosa

    voiced_rows = np.flatnonzero(start_values["voiced"])[:20]
    for k in voiced_rows:
        frames = np.repeat(decoder.magnitude(z0s[k].astype(np.float32))[None, :], 48, axis=0)
        y = griffin_lim(frames, checkpoint.stft, n_iter=32)
        f0, flag, _ = librosa.pyin(y, fmin=50, fmax=2000, sr=sr, frame_length=2048)
        mid = f0[len(f0) // 4: 3 * len(f0) // 4]
        mid = mid[np.isfinite(mid)]
        if mid.size:
            ref = float(np.median(mid))
            pyin_err.append(abs(start_values["f0_hz"][k] - ref) / ref)
    result["f0_harmonic_sum_vs_pyin"] = {"n": len(pyin_err), "rel_error": stats(pyin_err),
                                         "within_3pct": round(float(np.mean(
                                             np.asarray(pyin_err) < 0.03)), 3)
                                         if pyin_err else None}
    z = z0s[0]
    t0 = time.perf_counter()
    for _ in range(200):
        surrogate.predict(z)
    result["predict_us"] = round((time.perf_counter() - t0) / 200 * 1e6, 1)
    result["fit"] = surrogate.meta.get("fit", {})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/default")
    parser.add_argument("--starts", type=int, default=40)
    parser.add_argument("--steps", type=int, default=9)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(json.dumps(run(args.model, args.starts, args.steps, args.seed)))


if __name__ == "__main__":
    main()
