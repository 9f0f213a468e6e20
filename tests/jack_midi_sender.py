"""A separate JACK MIDI client for tests/test_midi.py: opens a MIDI output port (python-rtmidi's
JACK API), waits until someone connects to it, sends the messages given and exits.

    python tests/jack_midi_sender.py CLIENT_NAME [wait:S] [HEX,HEX,HEX | sleep:S] ...

e.g. ``b0,01,20 sleep:0.2 90,3c,64``; ``flood:S`` sends CC 1 sweeps and note on/off pairs as
fast as it can for S seconds. Uses the JACK server of JACK_DEFAULT_SERVER. Prints
"connected" once connected and "sent N" at the end; exit status 3 when nobody connected.
"""
from __future__ import annotations

import sys
import time

import jack
import rtmidi


def main(argv: list[str]) -> int:
    name, steps = argv[0], argv[1:]
    out = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name=name)
    out.open_virtual_port("out")
    client = jack.Client(f"{name}-probe", no_start_server=True)
    port = f"{name}:out"
    deadline = time.monotonic() + 20
    while not client.get_all_connections(port):
        if time.monotonic() > deadline:
            print("nobody connected", flush=True)
            return 3
        time.sleep(0.05)
    print("connected", flush=True)
    sent = 0
    for step in steps:
        if step.startswith("sleep:"):
            time.sleep(float(step[6:]))
            continue
        if step.startswith("flood:"):  # CC 1 sweeps and note on/off pairs, as fast as it can
            end = time.monotonic() + float(step[6:])
            while time.monotonic() < end:
                for i in range(128):
                    out.send_message([0xB0, 1, i])
                    out.send_message([0x90, 36 + i % 48, 100])
                    out.send_message([0x80, 36 + i % 48, 0])
                sent += 384
            continue
        out.send_message([int(b, 16) for b in step.split(",")])
        sent += 1
    time.sleep(0.3)  # let the last JACK periods carry the messages out
    print(f"sent {sent}", flush=True)
    out.close_port()
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
