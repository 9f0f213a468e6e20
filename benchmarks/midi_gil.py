"""Why python-rtmidi and not a JACK-Client process callback for MIDI in: xruns while another
thread of the same process holds the GIL.

For each library, in a fresh process: start a jackd (dummy driver, realtime, 48 kHz, 256 frames)
under its own name, open a JACK MIDI input port (rtmidi: ``MidiIn(API_UNIX_JACK)``, whose C++
process callback queues events without Python; JACK-Client: a Python process callback that reads
``incoming_midi_events``), then hold the GIL ten times in one C call (``sorted`` of 3 million
ints, about 0.3-1 s each) and count the xrun lines jackd logs. Prints one JSON line.

    python benchmarks/midi_gil.py
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid


def trial(library: str) -> dict:
    name = f"midigil-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, JACK_DEFAULT_SERVER=name, JACK_NO_START_SERVER="1")
    os.environ.update(env)
    log = tempfile.TemporaryFile(mode="w+")
    jackd = subprocess.Popen(["jackd", "-n", name, "-d", "dummy", "-r", "48000", "-p", "256"],
                             stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        time.sleep(2)
        if library == "jack-client":
            import jack

            client = jack.Client("gil-probe", no_start_server=True)
            port = client.midi_inports.register("in")
            events = [0]

            @client.set_process_callback
            def process(frames: int) -> None:
                for _offset, _data in port.incoming_midi_events():
                    events[0] += 1

            client.activate()
        else:
            import rtmidi

            midi_in = rtmidi.MidiIn(rtmidi.API_UNIX_JACK, name="gil-probe")
            midi_in.open_virtual_port("in")
        time.sleep(0.5)
        data = list(range(3_000_000))
        random.shuffle(data)
        log.seek(0, 2)
        before = log.tell()
        held = []
        for _ in range(10):
            start = time.perf_counter()
            sorted(data)
            held.append(time.perf_counter() - start)
        time.sleep(0.5)
        log.seek(before)
        xruns = log.read().lower().count("xrun")
    finally:
        jackd.terminate()
        jackd.wait(timeout=10)
        log.close()
    return {"library": library, "gil_held_s_median": round(sorted(held)[5], 3),
            "jackd_xrun_lines": xruns}


def main() -> int:
    if len(sys.argv) > 1:
        print(json.dumps(trial(sys.argv[1])))
        return 0
    results = []
    for library in ("rtmidi", "jack-client"):
        out = subprocess.run([sys.executable, __file__, library], capture_output=True,
                             text=True, timeout=300)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        results.append(json.loads(lines[-1]) if lines else {"library": library,
                                                            "error": out.stderr[-300:]})
    print(json.dumps({"benchmark": "midi_gil", "trials": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
