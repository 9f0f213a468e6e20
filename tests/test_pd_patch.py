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
# Played notes: the patch sends these (keyboard, notein, bend, pedal, envelope).
NOTE_ADDRESSES = {"/note/on", "/note/off", "/note/all_off", "/pitchbend", "/sustain",
                  "/envelope"}


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
            "/preset/recall", "/preset/list", "/interp", "/random"} <= addresses
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


def test_keyboard_notein_and_error_display_are_wired():
    objects, connections = parse(PATCH)
    texts = [" ".join(t) for t in objects]
    index = {t: i for i, t in enumerate(texts)}
    sends = {a for a, _ in oscformats(objects)}
    assert NOTE_ADDRESSES <= sends
    keys = [t for t in objects if t[0] == "obj" and t[3] == "tgl"
            and t[7].startswith("synth-key-")]
    assert len(keys) == 25 and all(t[-1] == "100" for t in keys)  # a click plays velocity 100

    def reaches(start: int, target: int) -> bool:
        todo, seen = [start], set()
        while todo:
            node = todo.pop()
            if node == target:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(b for a, _, b, _ in connections if a == node)
        return False

    note_on = index["obj 100 1100 oscformat note on"]
    note_off = index["obj 20 1100 oscformat note off"]
    notein = next(i for i, t in enumerate(objects) if t[0] == "obj" and t[3] == "notein")
    assert reaches(notein, note_on)
    key = objects.index(keys[0])
    assert reaches(key, note_on) and reaches(key, note_off)
    # /error: route outlet 3 ("error") feeds a message box through "list prepend set"
    route = next(i for i, t in enumerate(texts) if t.endswith("route pong state model error "
                                                                "manifold preset"))
    shown = [b for a, o, b, _ in connections if a == route and o == 3]
    assert shown and any(reaches(shown[0], i) for i, t in enumerate(objects)
                         if t[0] == "msg" and t[3:] == ["no", "errors"])
    setter = next(i for i, t in enumerate(texts) if t.endswith("list prepend set")
                  and reaches(shown[0], i))
    assert any(a == setter for a, _, _, _ in connections)


def test_note_messages_fit_the_table():
    objects, _ = parse(PATCH)
    for address, _ in oscformats(objects):
        if address in NOTE_ADDRESSES:
            assert lookup(address) is not None, f"{address} is not in the address table"


def _pd(*patches: Path, timeout: float = 30, batch: bool = True) -> subprocess.CompletedProcess:
    opened = [arg for patch in patches for arg in ("-open", str(patch))]
    return subprocess.run(["pd", "-nogui", "-noaudio", "-nomidi", "-stderr",
                           *(["-batch"] if batch else []), *opened],
                          capture_output=True, text=True, timeout=timeout)


KEYS_PATCH = """#N canvas 0 0 400 300 12;
#X obj 20 20 loadbang;
#X msg 20 60 \\; synth-connect disconnect \\; synth-connect connect 127.0.0.1 {port} \\; synth-key-60 bang \\; synth-key-64 80 \\; synth-key-60 bang \\; synth-bend 1.5 \\; synth-sustain 1 \\; synth-envelope 0.02 0.2 0.5 1 \\; synth-notes-off bang \\; pd quit;
#X connect 0 0 1 0;
"""


def test_real_pd_keyboard_sends_note_messages(tmp_path):
    """Real Pd plays the keyboard and the note controls; a UDP socket here receives exactly the
    OSC messages the patch sends (the server is not needed to see them)."""
    if shutil.which("pd") is None:
        pytest.fail("Pure Data is not installed (make test installs Debian's puredata-core)")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.5)
    drive = tmp_path / "keys.pd"
    drive.write_text(KEYS_PATCH.format(port=sock.getsockname()[1]))
    try:
        pd = _pd(PATCH, drive)
        assert pd.returncode == 0 and "couldn't create" not in pd.stderr, pd.stderr
        got = []
        while True:
            try:
                message = OscMessage(sock.recv(65536))
            except socket.timeout:
                break
            got.append((message.address, message.params))
    finally:
        sock.close()
    notes = [(a, p) for a, p in got if a in NOTE_ADDRESSES]
    assert notes == [("/note/on", [60.0, 100.0]), ("/note/on", [64.0, 80.0]),
                     ("/note/off", [60.0]), ("/pitchbend", [1.5]), ("/sustain", [1.0]),
                     ("/envelope", pytest.approx([0.02, 0.2, 0.5, 1.0])),
                     ("/note/all_off", [])], got


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


ERROR_PATCH = """#N canvas 0 0 400 300 12;
#X obj 20 20 loadbang;
#X msg 20 60 \\; synth-listen listen 0 \\; synth-listen listen {reply_port} \\; synth-connect disconnect \\; synth-connect connect 127.0.0.1 {port} \\; synth-preset-store symbol {name};
#X obj 20 100 delay 3000;
#X msg 20 140 \\; pd quit;
#X connect 0 0 1 0;
#X connect 0 0 2 0;
#X connect 2 0 3 0;
"""


def test_real_pd_shows_the_servers_error_on_preset_store(tmp_path):
    """A /preset/store the server refuses (a 70-character name): its /error reaches the patch,
    which shows it (the display's outlet also prints it as synth-server-error)."""
    if shutil.which("pd") is None:
        pytest.fail("Pure Data is not installed (make test installs Debian's puredata-core)")
    port, reply_port = free_udp_port(), free_udp_port()
    server = start_null_server(tmp_path / "err.wav", port, reply_port)
    replies = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    replies.bind(("127.0.0.1", reply_port))
    replies.settimeout(0.5)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            replies.sendto(OscMessageBuilder("/ping").build().dgram, ("127.0.0.1", port))
            try:
                if OscMessage(replies.recv(65536)).address == "/pong":
                    break
            except socket.timeout:
                continue
        replies.close()  # Pd listens there now
        drive = tmp_path / "error.pd"
        drive.write_text(ERROR_PATCH.format(port=port, reply_port=reply_port, name="n" * 70))
        pd = _pd(PATCH, drive, batch=False)
    finally:
        stop_process(server)
        replies.close()
    assert pd.returncode == 0 and "couldn't create" not in pd.stderr, pd.stderr
    shown = [line for line in pd.stderr.splitlines() if line.startswith("synth-server-error:")]
    assert shown and "/preset/store" in shown[0] and "64" in shown[0], pd.stderr


PRESETS_PATCH = """#N canvas 0 0 400 300 12;
#X obj 20 20 loadbang;
#X msg 20 60 \\; synth-listen listen 0 \\; synth-listen listen {reply_port} \\; synth-connect disconnect \\; synth-connect connect 127.0.0.1 {port} \\; synth-preset-list bang;
#X obj 20 100 delay 3000;
#X msg 20 140 \\; pd quit;
#X connect 0 0 1 0;
#X connect 0 0 2 0;
#X connect 2 0 3 0;
"""


def test_real_pd_lists_the_servers_presets(tmp_path):
    """Presets stored over OSC: the patch asks /preset/list (synth-preset-list) and shows the
    names it gets back (the display's twin prints them as synth-server-presets)."""
    if shutil.which("pd") is None:
        pytest.fail("Pure Data is not installed (make test installs Debian's puredata-core)")
    port, reply_port = free_udp_port(), free_udp_port()
    server = start_null_server(tmp_path / "presets.wav", port, reply_port)
    replies = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    replies.bind(("127.0.0.1", reply_port))
    replies.settimeout(0.5)
    try:
        deadline = time.monotonic() + 60
        stored: set[str] = set()
        while time.monotonic() < deadline and server.poll() is None and len(stored) < 2:
            for name in {"bright", "dark"} - stored:
                builder = OscMessageBuilder("/preset/store")
                builder.add_arg(name)
                replies.sendto(builder.build().dgram, ("127.0.0.1", port))
            try:
                message = OscMessage(replies.recv(65536))
            except socket.timeout:
                continue
            if message.address == "/preset/stored":
                stored.add(message.params[0])
        assert stored == {"bright", "dark"}
        replies.close()  # Pd listens there now
        drive = tmp_path / "presets.pd"
        drive.write_text(PRESETS_PATCH.format(port=port, reply_port=reply_port))
        pd = _pd(PATCH, drive, batch=False)
    finally:
        stop_process(server)
        replies.close()
    assert pd.returncode == 0 and "couldn't create" not in pd.stderr, pd.stderr
    shown = [line for line in pd.stderr.splitlines()
             if line.startswith("synth-server-presets:")]
    assert shown and shown[-1].split(":", 1)[1].split() == ["bright", "dark"], pd.stderr
