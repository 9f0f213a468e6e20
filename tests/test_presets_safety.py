"""Issue 11, "never lose what a user made": presets through a real `synth-server serve
--device null --presets FILE` process, driven by real OSC packets over UDP.

The same name/value rule at /preset/store and at load; a bad entry skipped at load without
losing the good ones (or itself); a store that cannot be saved answered with /error, not
/preset/stored; a symlinked presets file written through to its target.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path
from typing import Any, Optional

import pytest
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from synth_server.control.presets import PresetError, check_preset, load_presets

from conftest import free_udp_port, start_null_server, stop_process


class LiveServer:
    """A null-device server process and a socket its replies come to."""

    def __init__(self, tmp_path: Path, presets: Path):
        self.port = free_udp_port()
        self.replies = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.replies.bind(("127.0.0.1", 0))
        self.send_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.proc = start_null_server(tmp_path / f"take-{self.port}.wav", self.port,
                                      self.replies.getsockname()[1], "--presets", str(presets))
        self.stderr = ""
        self.stopped = False
        deadline = time.monotonic() + 90
        while True:  # ping until it answers (model load and audio start take a few seconds)
            assert self.proc.poll() is None, self.proc.stderr.read()[-2000:]
            assert time.monotonic() < deadline, "the server did not answer /ping in 90 s"
            if self.ask("/ping", timeout=0.5, want="/pong") is not None:
                break

    def send(self, address: str, *args: Any) -> None:
        builder = OscMessageBuilder(address=address)
        for value in args:
            builder.add_arg(value)
        self.send_sock.sendto(builder.build().dgram, ("127.0.0.1", self.port))

    def ask(self, address: str, *args: Any, timeout: float = 5.0,
            want: Optional[str] = None) -> Optional[OscMessage]:
        """Send one message; its first reply (``want`` or /error; any but a leftover /state/*
        when ``want`` is None), or None after ``timeout``."""
        self.send(address, *args)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.replies.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                reply = OscMessage(self.replies.recv(65536))
            except socket.timeout:
                return None
            if reply.address in (want, "/error") or \
                    (want is None and not reply.address.startswith("/state/")):
                return reply
        return None

    def stop(self) -> str:
        """Stop the process (SIGINT, as Ctrl-C); returns its stderr."""
        self.stopped = True
        stop_process(self.proc, signal.SIGINT)
        self.stderr = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.replies.close()
        self.send_sock.close()
        return self.stderr


@pytest.fixture
def live(tmp_path):
    started: list[LiveServer] = []

    def start(presets: Path) -> LiveServer:
        server = LiveServer(tmp_path, presets)
        started.append(server)
        return server

    yield start
    for server in started:
        if not server.stopped:
            server.stop()


def pad_of(server: LiveServer) -> tuple[float, float]:
    reply = server.ask("/state", want="/state/pad")
    assert reply is not None and reply.address == "/state/pad", reply and reply.params
    return tuple(reply.params)


# -- the rule itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("name,latent,pad,reason", [
    ("", [0.0], [0.5, 0.5], "empty preset name"),
    ("x" * 65, [0.0], [0.5, 0.5], "65 characters"),
    ("two\nlines", [0.0], [0.5, 0.5], "control character"),
    (3, [0.0], [0.5, 0.5], "must be a string"),
    ("a", [], [0.5, 0.5], "latent has 0 values"),
    ("a", [0.0] * 257, [0.5, 0.5], "latent has 257 values"),
    ("a", [float("nan")], [0.5, 0.5], "not a finite number"),
    ("a", ["1.0"], [0.5, 0.5], "not a finite number"),
    ("a", "1.0", [0.5, 0.5], "must be a list"),
    ("a", [0.0], [0.5], "pad has 1 values"),
    ("a", [0.0], [0.5, float("inf")], "not a finite number"),
    ("a", [0.0], [True, 0.5], "not a finite number"),
])
def test_check_preset_refuses_with_a_clear_one_line_reason(name, latent, pad, reason):
    with pytest.raises(PresetError, match=reason) as info:
        check_preset(name, latent, pad)
    assert "\n" not in str(info.value)


def test_check_preset_accepts_the_edges():
    assert check_preset("x" * 64, [1] * 256, [2.0, -1.0]) == ("x" * 64, ((1.0,) * 256, (1.0, 0.0)))
    assert check_preset("Ström ♪ 1", [0.5], [0.2, 0.3])[0] == "Ström ♪ 1"


# -- through a real server --------------------------------------------------------------------


def test_an_empty_name_is_refused_at_store_and_a_64_character_one_survives_a_restart(
        tmp_path, live):
    presets = tmp_path / "presets.json"
    server = live(presets)
    reply = server.ask("/preset/store", "")
    assert reply.address == "/error" and reply.params[0] == "/preset/store"
    assert "empty preset name" in reply.params[1]
    assert server.ask("/preset/store", "y" * 65).address == "/error"
    assert not presets.exists()  # nothing stored, nothing written
    server.send("/pad", 0.25, 0.75)
    long_name = "ü" * 63 + "♪"
    reply = server.ask("/preset/store", long_name)
    assert (reply.address, reply.params) == ("/preset/stored", [long_name])
    server.stop()
    again = live(presets)  # what a store accepted, the loader accepts
    again.send("/pad", 0.9, 0.1)
    assert again.ask("/preset/recall", long_name, timeout=0.5) is None  # no /error
    assert pad_of(again) == (0.25, 0.75)
    again.stop()
    assert "bad entry" not in again.stderr


def test_one_bad_entry_among_good_ones_is_skipped_and_kept_in_the_file(tmp_path, live):
    presets = tmp_path / "presets.json"
    document = {"presets": {
        "verse": {"latent": [0.1, 0.2], "pad": [0.25, 0.75]},
        "": {"latent": [0.0], "pad": [0.5, 0.5]},  # what the old server let through
        "broken": {"latent": ["nan"], "pad": [0, 0]},
        "chorus": {"latent": [0.3], "pad": [0.125, 0.5]},
    }}
    presets.write_text(json.dumps(document))
    before = presets.read_bytes(), presets.stat().st_mtime_ns
    server = live(presets)
    assert server.ask("/preset/recall", "verse", timeout=0.5) is None
    assert pad_of(server) == (0.25, 0.75)
    assert server.ask("/preset/recall", "chorus", timeout=0.5) is None
    assert pad_of(server) == (0.125, 0.5)
    reply = server.ask("/preset/recall", "broken")
    assert reply.address == "/error" and "no preset" in reply.params[1]
    assert (presets.read_bytes(), presets.stat().st_mtime_ns) == before  # loading never writes
    # a store rewrites the file: the new preset saved, the skipped entries kept as they were
    assert server.ask("/preset/store", "bridge").address == "/preset/stored"
    saved = json.loads(presets.read_text())["presets"]
    assert set(saved) == {"verse", "", "broken", "chorus", "bridge"}
    assert saved["broken"] == document["presets"]["broken"] and saved[""] == document["presets"][""]
    stderr = server.stop()
    skipped = [line for line in stderr.splitlines() if "bad entry " in line and " skipped " in line]
    assert len(skipped) == 2, stderr[-3000:]
    assert any("''" in line and "empty preset name" in line for line in skipped)
    assert any("'broken'" in line and "finite" in line for line in skipped)


def test_a_store_that_cannot_be_saved_gets_error_and_stays_for_the_session(tmp_path, live):
    # the presets file's folder is a regular file: no one, root included, can write there
    not_a_folder = tmp_path / "not-a-folder"
    not_a_folder.write_text("a file, not a folder")
    server = live(not_a_folder / "presets.json")
    server.send("/pad", 0.375, 0.625)
    reply = server.ask("/preset/store", "take")
    assert reply.address == "/error" and reply.params[0] == "/preset/store"
    assert "kept for this session only" in reply.params[1] and "Not a directory" in reply.params[1]
    server.send("/pad", 0.0, 0.0)
    assert server.ask("/preset/recall", "take", timeout=0.5) is None  # kept for the session
    assert pad_of(server) == (0.375, 0.625)
    assert not_a_folder.read_text() == "a file, not a folder"
    server.stop()


def test_an_unreadable_presets_file_is_never_overwritten_and_stores_say_so(tmp_path, live):
    presets = tmp_path / "presets.json"
    presets.write_text('{"presets": {"half-written')  # a hand edit gone wrong
    server = live(presets)
    reply = server.ask("/preset/store", "new")
    assert reply.address == "/error" and "kept for this session only" in reply.params[1]
    assert "not overwritten" in reply.params[1]
    assert presets.read_text() == '{"presets": {"half-written'
    server.stop()


def test_a_symlinked_presets_file_stays_a_symlink_and_its_target_holds_the_preset(
        tmp_path, live):
    target_dir = tmp_path / "synced"
    target_dir.mkdir()
    target = target_dir / "real-presets.json"
    target.write_text(json.dumps({"presets": {"old": {"latent": [0.5], "pad": [0.5, 0.5]}}}))
    os.chmod(target, 0o640)
    link = tmp_path / "presets.json"
    link.symlink_to(target)
    server = live(link)
    server.send("/pad", 0.5, 0.25)
    assert server.ask("/preset/store", "verse").address == "/preset/stored"
    server.stop()
    assert link.is_symlink() and os.readlink(link) == str(target)
    saved = json.loads(target.read_text())["presets"]
    assert set(saved) == {"old", "verse"} and saved["verse"]["pad"] == [0.5, 0.25]
    assert (target.stat().st_mode & 0o777) == 0o640  # the file keeps its permissions
    assert sorted(p.name for p in target_dir.iterdir()) == ["real-presets.json"]  # no temp left
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert set(load_presets(link, 256).presets) == {"old", "verse"}


def test_a_symlink_loop_is_refused_at_store_and_stays_a_link(tmp_path):
    from synth_server.control.addresses import OscArgumentError
    from synth_server.control.controller import Controller, EngineStatus

    (tmp_path / "a.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    status = EngineStatus("m", 2, (0.0, 0.0), (0.0, 0.0))
    controller = Controller(lambda: status, presets_path=tmp_path / "a.json")
    with pytest.raises(OscArgumentError, match="kept for this session only.*symbolic links"):
        controller.dispatch("/preset/store", ["x"])
    assert "x" in controller.presets
    assert (tmp_path / "a.json").is_symlink() and (tmp_path / "b.json").is_symlink()
