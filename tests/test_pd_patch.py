"""The Pure Data patch: its structure against the address table, and real Pd (headless) playing
the server through it."""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from conftest import ROOT, free_udp_port, start_null_server, stop_process
from synth_server.control.addresses import (DEFAULT_PORT, DEFAULT_REPLY_PORT, FLOAT, INT,
                                            lookup)

PATCH = ROOT / "max_patches" / "synth_server.pd"


def parse(path: Path) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """(objects as token lists, connections) of a Pd patch (top-level canvas only)."""
    text = path.read_text(encoding="utf-8")
    records = [r.strip() for r in re.split(r"(?<!\\);", text) if r.strip()]
    objects, connections = [], []
    for record in records[1:]:
        tokens = record.split()
        if tokens[:2] == ["#X", "connect"]:
            connections.append(tuple(int(t) for t in tokens[2:6]))
        elif tokens[0] == "#X":
            objects.append(tokens[1:])
    return objects, connections


def oscformats(objects: list[list[str]]) -> list[tuple[str, str]]:
    """(address, type string or '') of every oscformat box."""
    found = []
    for tokens in objects:
        if tokens[0] == "obj" and tokens[3] == "oscformat":
            args = tokens[4:]
            types = ""
            if args[:1] == ["-f"]:
                types, args = args[1], args[2:]
            found.append(("/" + "/".join(args), types))
    return found


def test_patch_structure_matches_the_address_table():
    objects, connections = parse(PATCH)
    for a, outlet, b, inlet in connections:
        assert 0 <= a < len(objects) and 0 <= b < len(objects), (a, b)
    sends = oscformats(objects)
    addresses = {a for a, _ in sends}
    assert {"/pad", "/gain", "/latent", "/ping", "/state", "/model/list", "/model/load",
            "/subscribe", "/slider", "/manifold/select", "/manifold/list", "/preset/store",
            "/preset/recall", "/interp", "/random"} <= addresses
    for address, types in sends:
        assert lookup(address) is not None, f"{address} is not in the address table"
        if types:  # an explicit type string must match one form of the table
            kinds = {"i": INT, "f": FLOAT, "s": "string"}
            wanted = tuple(kinds[t] for t in types)
            assert any(tuple(a.kind for a in f.args) == wanted for f in lookup(address).forms)
    texts = [" ".join(t) for t in objects]
    assert any(t.endswith(f"connect 127.0.0.1 {DEFAULT_PORT}") for t in texts)
    assert any("netsend -u -b" in t for t in texts)
    assert any(f"netreceive -u -b {DEFAULT_REPLY_PORT}" in t for t in texts)


TEST_PATCH = """#N canvas 0 0 400 300 12;
#X obj 20 20 loadbang;
#X msg 20 60 \\; synth-connect disconnect \\; synth-connect connect 127.0.0.1 {port} \\; synth-pad-x 0.2 \\; synth-pad-y 0.8 \\; synth-gain 0.33 \\; synth-manifold symbol isomap \\; synth-slider-2 0.9 \\; synth-latent-dim 2 \\; synth-latent-value 1.5 \\; pd quit;
#X connect 0 0 1 0;
"""


def test_real_pd_plays_the_server_through_the_patch(tmp_path):
    if shutil.which("pd") is None:
        pytest.fail("Pure Data is not installed (make test installs Debian's puredata-core)")
    port = free_udp_port()
    replies = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    replies.bind(("127.0.0.1", 0))
    replies.settimeout(0.3)
    server = start_null_server(tmp_path / "pd.wav", port, replies.getsockname()[1])
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def state() -> dict:
        sender.sendto(OscMessageBuilder("/state").build().dgram, ("127.0.0.1", port))
        got, deadline = {}, time.monotonic() + 5
        while time.monotonic() < deadline and "/state/latency_ms" not in got:
            try:
                message = OscMessage(replies.recv(65536))
            except socket.timeout:
                continue
            got[message.address] = message.params
        return got

    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "/state/gain" not in state():
            pass
        before = state()
        assert before["/state/gain"][0] == pytest.approx(0.5)
        test_patch = tmp_path / "drive.pd"
        test_patch.write_text(TEST_PATCH.format(port=port))
        pd = subprocess.run(["pd", "-nogui", "-noaudio", "-stderr", "-batch", "-open",
                             str(PATCH), "-open", str(test_patch)],
                            capture_output=True, text=True, timeout=30)
        assert pd.returncode == 0, pd.stderr
        assert "couldn't create" not in pd.stderr, pd.stderr
        time.sleep(0.8)
        after = state()
    finally:
        stop_process(server)
        replies.close()
    assert after["/state/gain"][0] == pytest.approx(0.33, abs=1e-6)
    assert after["/state/pad"] == pytest.approx([0.2, 0.8], abs=1e-6)
    assert after["/state/latent"][2] == pytest.approx(1.5, abs=0.05)  # /latent i v as ints
    assert after["/state/manifold"] == ["isomap"]
    assert after["/state/sliders"] == pytest.approx([0.2, 0.8, 0.9, 0.5], abs=1e-6)
