"""Run every benchmark and print its JSON lines, then one summary line against issue 3's targets.

    python benchmarks/run_all.py [--soak-seconds 600] [--trials 50]

Runs (each a separate process, one after the other, ~25 minutes in all with the defaults):
rtf.py; phase_quality.py; engine.py (the soak: --soak-seconds at a 256-frame period, default
--latency balanced, then again with --latency safe); engine.py quiet phases for --latency low/balanced at 256 and 128 frames;
latency_jack.py at 256 and 128 frames (latency seen by a separate JACK client).
The summary line's headline figures are those of the default configuration (256 frames,
balanced); ``latency_by_config`` has the others.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

TARGETS = {
    "latency_ms_median": ("<=", 7.0), "latency_ms_p99": ("<=", 12.0), "rtf": (">=", 200.0),
    "underruns": ("<=", 0), "hotswap_gap_samples": ("<=", 0), "hotswap_ms": ("<=", 300.0),
    "cpu_percent": ("<=", 15.0), "rss_mb": ("<=", 500.0),
    "phase_mrstft_ratio_vs_gl32": ("<=", 1.10),
}


def run(script: str, *args: str) -> list[dict]:
    """Run one benchmark; echo and return its JSON lines."""
    result = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True,
                            text=True)
    lines = []
    for line in result.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            print(line, flush=True)
            lines.append(json.loads(line))
    if result.returncode != 0:
        print(json.dumps({"bench": script, "error": result.stderr.strip()[-500:]}), flush=True)
    return lines


def met(key: str, value) -> bool | None:
    if value is None:
        return None
    op, target = TARGETS[key]
    return value <= target if op == "<=" else value >= target


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--soak-seconds", type=float, default=600.0)
    parser.add_argument("--trials", type=int, default=50)
    args = parser.parse_args()
    rtf = run("rtf.py")
    phase = [d for d in run("phase_quality.py") if d.get("summary")]
    soak = run("engine.py", "--seconds", str(args.soak_seconds))
    soak_safe = run("engine.py", "--seconds", str(args.soak_seconds), "--latency", "safe")
    by_config = {}
    for period in ("256", "128"):
        for mode in ("low", "balanced"):
            quiet = run("engine.py", "--period", period, "--latency", mode, "--seconds", "0",
                        "--quiet-seconds", "20")
            if quiet:
                by_config[f"{period}/{mode}"] = {
                    "stream_clock_median_ms": quiet[-1].get("quiet_latency_ms_median"),
                    "stream_clock_p99_ms": quiet[-1].get("quiet_latency_ms_p99"),
                    "underruns_20s": quiet[-1].get("underruns")}
        outside = run("latency_jack.py", "--period", period, "--trials", str(args.trials))
        if outside and "latency_ms_median" in outside[-1]:
            by_config[f"{period}/balanced"].update({
                "jack_client_median_ms": outside[-1]["latency_ms_median"],
                "jack_client_p99_ms": outside[-1]["latency_ms_p99"],
                "jack_playback_latency_ms": outside[-1].get("playback_port_latency_ms")})
    s = soak[-1] if soak else {}
    summary = {
        "bench": "summary", "config": "period 256, --latency balanced",
        "latency_ms_median": s.get("quiet_latency_ms_median"),
        "latency_ms_p99": s.get("quiet_latency_ms_p99"),
        "rtf": rtf[-1].get("rtf") if rtf else None,
        "underruns": s.get("underruns"), "soak_seconds": args.soak_seconds,
        "hotswap_gap_samples": s.get("hotswap_gap_samples"), "hotswap_ms": s.get("hotswap_ms"),
        "cpu_percent": s.get("cpu_percent"), "rss_mb": s.get("rss_mb"),
        "phase_mrstft_ratio_vs_gl32": phase[-1].get("phase_mrstft_ratio_vs_gl32") if phase
        else None,
        "latency_by_config": by_config,
        "soak_safe": {k: soak_safe[-1].get(k) for k in (
            "underruns", "quiet_latency_ms_median", "quiet_latency_ms_p99", "hotswap_ms",
            "hotswap_gap_samples", "swaps_done")} if soak_safe else None,
    }
    summary["targets_met"] = {k: met(k, summary[k]) for k in TARGETS}
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
