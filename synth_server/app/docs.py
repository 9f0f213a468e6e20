"""Generate docs/osc.md from the address table: ``python -m synth_server.app.docs``."""
from __future__ import annotations

import sys
from pathlib import Path

from synth_server.control.addresses import DEFAULT_PORT, DEFAULT_REPLY_PORT, markdown_table
from synth_server.control.osc_server import (MAX_DEFERRED_PER_PACKET, MAX_MESSAGES_PER_PACKET,
                                             SENDER_BYTES_PER_S, SENDER_MESSAGES_PER_S)


def osc_markdown() -> str:
    """The full text of docs/osc.md."""
    return (
        "# OSC address space\n\n"
        "Generated from `synth_server/control/addresses.py` by `make docs`; do not edit by hand.\n\n"
        f"The server listens on UDP 127.0.0.1:{DEFAULT_PORT} and answers to the sender's host on "
        f"port {DEFAULT_REPLY_PORT}. Ints are accepted wherever floats are expected; numbers out "
        "of range are clamped; NaN/Inf, unknown addresses and wrong types are answered with "
        "`/error address reason`. Replies use 32-bit floats, ints and strings. Bundles (at most "
        f"{MAX_MESSAGES_PER_PACKET} messages per packet) are "
        "unpacked (nesting depth <= 4) and applied on arrival; timetags are ignored.\n\n"
        "Each sender has a budget (token buckets per source address and per host: "
        f"{SENDER_MESSAGES_PER_S:.0f} messages and {SENDER_BYTES_PER_S / 1024:.0f} KiB per "
        "second); packets over it are dropped unanswered and counted. Replies and `/error` to a "
        "host are capped too, so a forged source address gets at most a small multiple of what "
        "was sent. The *handled* column says where a message runs: `now` on the receive thread, "
        "on arrival; `worker` on a worker thread (costly: steering, preset writes), at most "
        f"{MAX_DEFERRED_PER_PACKET} per packet, `newest` keeping only a sender's newest pending "
        "request to that address. `/subscribe` is a lease that must be renewed. All numbers: "
        "[limits.md](limits.md).\n\n"
        + markdown_table()
        + "\nExamples with liblo's `oscsend`:\n\n```\n"
        f"oscsend localhost {DEFAULT_PORT} /pad ff 0.2 0.8\n"
        f"oscsend localhost {DEFAULT_PORT} /latent if 0 1.5\n"
        f"oscsend localhost {DEFAULT_PORT} /gain f 0.5\n"
        f"oscdump {DEFAULT_REPLY_PORT} &  oscsend localhost {DEFAULT_PORT} /state\n```\n"
    )


def main() -> int:
    """Write docs/osc.md under the current directory."""
    path = Path("docs") / "osc.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(osc_markdown(), encoding="utf-8")
    sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
