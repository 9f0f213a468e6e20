"""The audio callback allocates nothing: the kernel's heap allocations are counted by an
LD_PRELOADed allocator shim (tests/data/malloc_count.c, compiled here) while it renders hops,
a control change, a model crossfade, and 16 voices of the playable model with a steal, on the
calling thread."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.system

PROBE = textwrap.dedent("""
    import ctypes, json, sys, time
    import numba, numpy as np
    from synth_server.artifacts.checkpoint import load_checkpoint
    from synth_server.core.contract import ControlState
    from synth_server.engine import kernel
    from synth_server.engine.realtime import CallbackEngine

    @numba.njit(nogil=True)
    def drive(table, out, frames, n):
        for i in range(n):
            kernel.process(table, out, frames, 0.0, 0.0)

    shim = ctypes.CDLL(sys.argv[1])
    root = sys.argv[2]
    default = load_checkpoint(root + "/models/default")
    toy = load_checkpoint(root + "/models/toy-4d")
    engine = CallbackEngine(default, "default", None, 256)
    engine._warm_up()
    out = np.zeros((256, engine.channels), np.float32)
    t, o = np.uint64(engine.table.ctypes.data), np.uint64(out.ctypes.data)
    engine.publish(ControlState(pad=(0.2, 0.8), gain=1.0, version=1))
    drive(t, o, 256, 50)
    counts = {}
    for hops in (20, 400):
        engine.load(toy if hops == 20 else default, time.monotonic())  # a crossfade in each run
        engine.publish(ControlState(pad=(0.7, 0.1), gain=0.5, version=hops))
        shim.mc_start()
        drive(t, o, 256, hops)
        counts[hops] = shim.mc_stop()
        engine._report_swaps()
    # the playable (hpn) model: 17 notes (the 17th steals), a pitch bend, releases
    hpn = CallbackEngine(load_checkpoint(root + "/models/instruments"), "instruments", None, 256)
    hpn._warm_up()
    th = np.uint64(hpn.table.ctypes.data)
    hpn.publish(ControlState(pad=(0.4, 0.6), gain=1.0, version=1))
    drive(th, o, 256, 20)
    for i in range(17):
        hpn.note_on(48.0 + i, 100.0)
    hpn.set_pitchbend(0.5)
    shim.mc_start()
    drive(th, o, 256, 200)
    counts["hpn"] = shim.mc_stop()
    for i in range(17):
        hpn.note_off(48.0 + i)
    shim.mc_start()
    drive(th, o, 256, 200)
    counts["hpn_release"] = shim.mc_stop()
    voices = int(hpn.state["voices"][0])
    print(json.dumps({"allocations": counts, "swaps": int(engine.state["ack"][0]),
                      "steals": int(hpn.state["steals"][0]), "voices_after": voices}))
""")


def test_the_kernel_allocates_nothing_per_hop(tmp_path: Path):
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc, "a C compiler is needed (Debian: gcc; make test installs it)"
    shim = tmp_path / "malloc_count.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(shim),
                    str(ROOT / "tests" / "data" / "malloc_count.c"), "-ldl"], check=True)
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    env = dict(os.environ, LD_PRELOAD=str(shim))
    done = subprocess.run([sys.executable, str(probe), str(shim), str(ROOT)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["swaps"] == 2  # both crossfades ran inside the counted regions
    counts = result["allocations"]
    # 20 hops and 400 hops (each with a control change and a crossfade), 16 voices with a
    # steal and a bend, then their releases: no allocation at all
    assert counts == {"20": 0, "400": 0, "hpn": 0, "hpn_release": 0}, counts
    assert result["steals"] >= 1 and result["voices_after"] == 0, result
