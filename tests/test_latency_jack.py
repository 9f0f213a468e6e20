"""Control latency seen from outside the server: benchmarks/latency_jack.py with a few trials.

jackd (dummy clock, 256-frame period) + `synth-server serve --device system` + a separate JACK
client recording the server's output ports; /gain 0 → quiet → /gain 1 sent at a random phase.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

TRIALS = 20  # the self-report check compares two medians: fewer trials make it noisy

pytestmark = pytest.mark.skipif(
    shutil.which("jackd") is None, reason="jackd is not installed (make test installs jackd2)")


def test_gain_change_reaches_the_output_port_within_a_generous_guard():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "latency_jack.py"), "--period", "256",
         "--trials", str(TRIALS)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr[-2000:]
    report = json.loads(lines[-1])
    assert "error" not in report, report
    assert report["detected"] == TRIALS, report
    assert report["missed"] == 0 and report["early"] == 0, report
    assert report["server_ports"], report
    assert report["playback_port_latency_frames"] > 0, report
    assert 0 < report["to_port_ms_min"] <= report["to_port_ms_median"], report
    assert 0 < report["latency_ms_median"] < 100, report
    # the server's own figure (/state/latency_ms) is measured on the same grid of cycles as
    # this outside client: they agree within 0.3 ms quiet or loaded, realtime jackd or not
    # (docs/latency.md); a clock mapped wrongly was off by 1 to 31 ms
    assert report["server_latency_ms_median"] is not None, report
    assert abs(report["server_minus_outside_ms"]) < 2.0, report
    assert result.returncode == 0, result.stderr[-2000:]
