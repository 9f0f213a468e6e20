"""MIDI in: the translation MIDI -> OSC messages, MIDI files for render, the in-process path
through the OSC server's budget, and end to end: jackd (dummy clock) + ``serve --midi`` + a
separate JACK MIDI client process."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import mido
import numpy as np
import pytest
import soundfile as sf
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from conftest import DEFAULT_MODEL, ROOT, free_udp_port, stop_process
from synth_server.control.addresses import lookup, validate
from synth_server.control.controller import Controller
from synth_server.control.midi import (MIDI_SENDER, MidiError, MidiMap, Translator, coalesce,
                                       is_release, midi_file_events, translate)
from synth_server.control.osc_server import (SENDER_MESSAGE_BURST, SENDER_MESSAGES_PER_S,
                                             OscServer)
from synth_server.core.contract import EngineStatus

SENDER = ROOT / "tests" / "jack_midi_sender.py"
PAD = (0.25, 0.75)


# -- translation ----------------------------------------------------------------------------

@pytest.mark.unit
def test_notes_on_every_channel():
    for channel in (0, 9, 15):
        assert translate([0x90 | channel, 60, 100], PAD) == [("/note/on", (60, 100))]
        assert translate([0x80 | channel, 60, 64], PAD) == [("/note/off", (60,))]
        assert translate([0x90 | channel, 61, 0], PAD) == [("/note/off", (61,))]  # running off


@pytest.mark.unit
def test_pitch_bend_spans_the_range_both_ways():
    def bend(value: int, mapping: MidiMap = MidiMap()) -> float:
        (address, (semitones,)), = translate([0xE0, value & 0x7F, value >> 7], PAD, mapping)
        assert address == "/pitchbend"
        return semitones

    assert bend(8192) == 0.0
    assert bend(16383) == pytest.approx(2.0)
    assert bend(0) == pytest.approx(-2.0)
    assert bend(8192 + 4096) == pytest.approx(1.0, abs=1e-3)
    assert bend(16383, MidiMap(bend_range=12.0)) == pytest.approx(12.0)


@pytest.mark.unit
def test_controllers_map_to_pedal_panic_pad_and_sliders():
    assert translate([0xB0, 64, 127], PAD) == [("/sustain", (1,))]
    assert translate([0xB0, 64, 63], PAD) == [("/sustain", (0,))]
    assert translate([0xB0, 123, 0], PAD) == [("/note/all_off", ())]
    assert translate([0xB0, 120, 0], PAD) == [("/note/all_off", ())]
    assert translate([0xB3, 121, 0], PAD) == [("/pitchbend", (0.0,)), ("/sustain", (0,))]
    assert translate([0xB0, 1, 127], PAD) == [("/pad", (1.0, 0.75))]  # x moves, y kept
    assert translate([0xB0, 74, 0], PAD) == [("/pad", (0.25, 0.0))]  # y moves, x kept
    for k in range(8):
        assert translate([0xB0, 20 + k, 127], PAD) == [("/slider", (k, 1.0))]
    custom = MidiMap(pad_x_cc=16, pad_y_cc=17, slider_ccs=(30,))
    assert translate([0xB0, 16, 0], PAD, custom) == [("/pad", (0.0, 0.75))]
    assert translate([0xB0, 30, 0], PAD, custom) == [("/slider", (0, 0.0))]
    assert translate([0xB0, 1, 5], PAD, custom) == []


@pytest.mark.unit
@pytest.mark.parametrize("data", [[], [0x90], [0x90, 60], [0x3C, 60, 100], [0x90, 128, 100],
                                  [0xF8, 0, 0], [0xF0, 1, 2], [0xC0, 5], [0xD0, 40],
                                  [0xA0, 60, 40], [0xB0, 7, 100]])
def test_malformed_system_and_unmapped_messages_give_nothing(data):
    assert translate(data, PAD) == []


@pytest.mark.unit
def test_translated_controls_fit_the_address_table():
    """/pad and /slider exist on every branch: what MIDI makes of them validates."""
    for data in ([0xB0, 1, 0], [0xB0, 74, 127], [0xB0, 20, 64], [0xB0, 27, 1]):
        for address, args in translate(data, PAD):
            validate(lookup(address), args)


@pytest.mark.unit
def test_translated_notes_fit_the_address_table():
    for data in ([0x90, 60, 100], [0x90, 0, 1], [0x90, 127, 127], [0x80, 60, 0],
                 [0xE0, 0, 0], [0xE0, 127, 127], [0xB0, 64, 127], [0xB0, 64, 0],
                 [0xB0, 123, 0], [0xB0, 121, 0]):
        for address, args in translate(data, PAD):
            assert lookup(address) is not None, address
            validate(lookup(address), args)


@pytest.mark.unit
def test_coalescing_keeps_notes_and_the_newest_controller_values():
    messages = [("/pad", (0.1, 0.5)), ("/note/on", (60, 100)), ("/pitchbend", (0.5,)),
                ("/slider", (0, 0.1)), ("/pad", (0.2, 0.5)), ("/slider", (1, 0.3)),
                ("/note/on", (60, 100)), ("/slider", (0, 0.9)), ("/pitchbend", (1.0,)),
                ("/note/off", (60,)), ("/sustain", (1,)), ("/sustain", (0,))]
    assert coalesce(messages) == [
        ("/note/on", (60, 100)), ("/pad", (0.2, 0.5)), ("/slider", (1, 0.3)),
        ("/note/on", (60, 100)), ("/slider", (0, 0.9)), ("/pitchbend", (1.0,)),
        ("/note/off", (60,)), ("/sustain", (1,)), ("/sustain", (0,))]


@pytest.mark.unit
def test_releases_are_what_a_flood_must_not_lose():
    for data in ([0x80, 60, 0], [0x93, 60, 0], [0xB0, 64, 0], [0xB0, 64, 127], [0xB0, 123, 0],
                 [0xB0, 120, 0]):
        assert is_release(data), data
    for data in ([0x90, 60, 1], [0xB0, 1, 0], [0xE0, 0, 64], [0x80, 60], [0xC0, 1]):
        assert not is_release(data), data


@pytest.mark.unit
def test_translator_keeps_the_pad_its_own_controllers_moved():
    live = [(0.5, 0.5)]
    translator = Translator(lambda: live[0])
    assert translator([0xB0, 1, 127]) == [("/pad", (1.0, 0.5))]
    # not applied yet (same poll): the y controller keeps the x just sent
    assert translator([0xB0, 74, 0]) == [("/pad", (1.0, 0.0))]
    live[0] = (0.3, 0.3)  # an OSC client moved the pad meanwhile
    translator.refresh()
    assert translator([0xB0, 74, 127]) == [("/pad", (0.3, 1.0))]


# -- MIDI files -----------------------------------------------------------------------------

def write_midi(path: Path, messages: list[mido.Message], tempo: int = 500000,
               ticks_per_beat: int = 480) -> Path:
    """A type-0 file; message times are in ticks (480 per beat, 120 bpm: 1 beat = 0.5 s)."""
    midi = mido.MidiFile(type=0, ticks_per_beat=ticks_per_beat)
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=tempo, time=0))
    track.extend(messages)
    midi.tracks.append(track)
    midi.save(path)
    return path


@pytest.mark.unit
def test_midi_file_becomes_timed_messages(tmp_path):
    path = write_midi(tmp_path / "a.mid", [
        mido.Message("control_change", control=1, value=127, time=0),
        mido.Message("note_on", note=60, velocity=90, time=480),  # 0.5 s
        mido.Message("pitchwheel", pitch=8191, time=240),  # 0.75 s
        mido.Message("note_off", note=60, velocity=0, time=240),  # 1.0 s
        mido.Message("control_change", control=74, value=0, time=0),
        mido.Message("program_change", program=3, time=0),
    ])
    events = midi_file_events(path, max_time_s=60)
    assert [(round(t, 6), a, args) for t, a, args in events] == [
        (0.0, "/pad", (1.0, 0.5)), (0.5, "/note/on", (60, 90)),
        (0.75, "/pitchbend", (pytest.approx(2.0),)), (1.0, "/note/off", (60,)),
        (1.0, "/pad", (1.0, 0.0))]


@pytest.mark.unit
def test_bad_midi_files_are_one_line_errors(tmp_path):
    garbage = tmp_path / "garbage.mid"
    garbage.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\xff\xff" + os.urandom(64))
    text = tmp_path / "text.mid"
    text.write_text("not midi at all\n")
    late = write_midi(tmp_path / "late.mid",
                      [mido.Message("note_on", note=60, velocity=90, time=480 * 100)])
    big = tmp_path / "big.mid"
    with open(big, "wb") as fh:
        fh.truncate(5 * 1024 * 1024)
    for path, expected in ((garbage, "not a readable MIDI file"),
                           (text, "not a readable MIDI file"),
                           (late, "past the 10 s limit"), (big, "are refused"),
                           (tmp_path / "missing.mid", "cannot read")):
        with pytest.raises(MidiError) as caught:
            midi_file_events(path, max_time_s=10)
        assert expected in str(caught.value), str(caught.value)
        assert "\n" not in str(caught.value)


# -- the in-process path through the OSC server ------------------------------------------

@pytest.mark.unit
def test_local_messages_share_validation_dispatch_and_a_budget_of_their_own():
    status = EngineStatus("m", 2, (0.0, 0.0), (0.0, 0.0))
    controller = Controller(lambda: status, navigation=lambda: (("pca",), 4))
    osc = OscServer(controller, port=0)  # not started: local senders need no socket
    replies = osc.handle_local([("/pad", (0.2, 0.9)), ("/slider", (9, 0.5)),
                                ("/no/such", ())], MIDI_SENDER)
    assert controller.state.pad == (0.2, 0.9)
    errors = [args for address, args in replies if address == "/error"]
    assert [e[0] for e in errors] == ["/slider", "/no/such"], replies
    assert "out of range" in errors[0][1] and "unknown address" in errors[1][1]
    # a flood is cut at the sender's burst: the rest dropped and counted, nothing queued
    flood = [("/pad", (i / 10000, 0.5)) for i in range(3000)]
    started = time.monotonic()
    osc.handle_local(flood, MIDI_SENDER)
    elapsed = time.monotonic() - started
    admitted = 3000 - osc.rate_limited
    assert admitted <= SENDER_MESSAGE_BURST + SENDER_MESSAGES_PER_S * elapsed + 1
    assert admitted < 3000
    # a network host keeps its own budget
    assert osc.admit("127.0.0.1", 5000, 100, 1, time.monotonic())


# -- end to end: a JACK MIDI client plays the server ----------------------------------------

def _state(sock: socket.socket, port: int) -> dict:
    sock.sendto(OscMessageBuilder("/state").build().dgram, ("127.0.0.1", port))
    got, deadline = {}, time.monotonic() + 3
    while time.monotonic() < deadline and "/state/latency_ms" not in got:
        try:
            message = OscMessage(sock.recv(65536))
        except socket.timeout:
            continue
        got[message.address] = message.params
    return got


def _serve_midi(env: dict, tmp_path: Path, port: int, reply_port: int, *extra: str
                ) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "synth_server.app.cli", "serve", "--device", "system",
         "--port", str(port), "--reply-port", str(reply_port), "--midi", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_ready(sock: socket.socket, port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        if "/state/pad" in _state(sock, port):
            return
    out, err = server.communicate(timeout=10) if server.poll() is not None else ("", "")
    pytest.fail(f"the server did not answer /state: {err[-800:]}")


@pytest.mark.system
def test_a_jack_midi_client_moves_the_pad_and_sliders(jackd, tmp_path):
    """A separate process opens a JACK MIDI output; serve --midi connects to it by itself;
    CC1/CC74 move the pad, CC22 slider 2, and /state shows it."""
    port, reply_port = free_udp_port(), free_udp_port()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", reply_port))
    sock.settimeout(0.3)
    server = _serve_midi(jackd, tmp_path, port, reply_port, "midi-kbd.*")
    try:
        _wait_ready(sock, port, server)
        before = _state(sock, port)
        assert before["/state/pad"] == pytest.approx([0.5, 0.5])
        sender = subprocess.run(
            [sys.executable, str(SENDER), "midi-kbd", "b0,01,20", "b0,4a,70", "sleep:0.1",
             "b5,16,7f"], env=jackd, capture_output=True, text=True, timeout=60)
        assert sender.returncode == 0, sender.stdout + sender.stderr
        time.sleep(0.3)
        after = _state(sock, port)
    finally:
        stop_process(server)
        sock.close()
    out, err = server.communicate(timeout=10)
    assert after["/state/pad"] == pytest.approx([32 / 127, 112 / 127], abs=1e-6)
    assert after["/state/sliders"][2] == pytest.approx(1.0)
    assert "MIDI in on JACK port synth-server:midi_in" in out
    summary = [line for line in out.splitlines() if line.startswith("{")][-1]
    assert '"midi_connected": ["midi-kbd:out"]' in summary, summary
    assert '"midi_events": 3' in summary, summary


@pytest.mark.system
def test_serve_midi_without_a_jack_server_is_one_line(tmp_path):
    env = dict(os.environ, JACK_DEFAULT_SERVER="synthtest-no-such-server",
               JACK_NO_START_SERVER="1")
    proc = subprocess.run(
        [sys.executable, "-m", "synth_server.app.cli", "serve", "--device", "null", "--port",
         str(free_udp_port()), "--midi"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("synth-server: ")
             and "INFO" not in line and "WARNING" not in line]
    assert lines and "no JACK server 'synthtest-no-such-server'" in lines[-1], proc.stderr
    assert "Traceback" not in proc.stderr


INSTRUMENTS = DEFAULT_MODEL.parent / "instruments"


@pytest.mark.system
def test_a_jack_midi_note_is_heard_at_its_pitch(jackd, tmp_path):
    """Note A4 (69) from a JACK MIDI client, recorded by the server: pyin hears 440 Hz."""
    import librosa

    import json

    config = json.loads((INSTRUMENTS / "config.json").read_text())
    if config["stft"].get("representation") != "hpn":
        pytest.skip("models/instruments is not a playable (hpn) model yet")
    port, reply_port = free_udp_port(), free_udp_port()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", reply_port))
    sock.settimeout(0.3)
    record = tmp_path / "note.wav"
    server = _serve_midi(jackd, tmp_path, port, reply_port, "--model", str(INSTRUMENTS),
                         "--record", str(record))
    try:
        _wait_ready(sock, port, server)
        sender = subprocess.run(
            [sys.executable, str(SENDER), "note-kbd", "90,45,64", "sleep:1.5", "80,45,00"],
            env=jackd, capture_output=True, text=True, timeout=60)
        assert sender.returncode == 0, sender.stdout + sender.stderr
        time.sleep(0.5)
    finally:
        stop_process(server)
        sock.close()
    audio, rate = sf.read(record, dtype="float32")
    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    loud = np.flatnonzero(np.abs(mono) > 0.05 * np.abs(mono).max())
    assert len(loud), "nothing was heard"
    held = mono[loud[0] + rate // 5: loud[0] + rate]  # 0.2 .. 1.0 s into the note
    f0, voiced, _ = librosa.pyin(held, fmin=200, fmax=900, sr=rate)
    cents = 1200 * np.log2(np.nanmedian(f0[voiced]) / 440.0)
    assert abs(cents) <= 10, f"heard {np.nanmedian(f0[voiced]):.1f} Hz ({cents:+.1f} cents)"


# -- render --midi ----------------------------------------------------------------------------

def _render(tmp_path: Path, out: str, *source: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "synth_server.app.cli", "render", "--model", str(DEFAULT_MODEL),
         *source, "--out", str(tmp_path / out), "--duration", "1.5"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.system
def test_render_midi_plays_what_the_same_score_plays(tmp_path):
    """render --midi and render --score of the messages the MIDI file stands for give the same
    samples, and the controllers are heard (the audio differs from a file without them)."""
    midi = write_midi(tmp_path / "moves.mid", [
        mido.Message("control_change", control=1, value=10, time=240),  # 0.25 s
        mido.Message("control_change", control=74, value=120, time=240),  # 0.5 s
        mido.Message("control_change", control=21, value=100, time=240),  # 0.75 s
    ])
    still = write_midi(tmp_path / "still.mid", [
        mido.Message("program_change", program=1, time=720)])
    (tmp_path / "moves.csv").write_text(
        "time_s,address,a,b\n0.25,/pad,%r,0.5\n0.5,/pad,%r,%r\n0.75,/slider,1,%r\n"
        % (10 / 127, 10 / 127, 120 / 127, 100 / 127))
    for out, source in (("midi.wav", ["--midi", str(midi)]),
                        ("score.wav", ["--score", str(tmp_path / "moves.csv")]),
                        ("still.wav", ["--midi", str(still)])):
        proc = _render(tmp_path, out, *source)
        assert proc.returncode == 0, proc.stderr
        assert "rejected" not in proc.stderr, proc.stderr
    from_midi, _ = sf.read(tmp_path / "midi.wav", dtype="float32")
    from_score, _ = sf.read(tmp_path / "score.wav", dtype="float32")
    unmoved, _ = sf.read(tmp_path / "still.wav", dtype="float32")
    np.testing.assert_array_equal(from_midi, from_score)
    assert np.abs(from_midi - unmoved).max() > 0.01


@pytest.mark.system
def test_render_midi_refuses_a_bad_file_in_one_line(tmp_path):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x04\x90")
    proc = _render(tmp_path, "bad.wav", "--midi", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "not a readable MIDI file" in proc.stderr, \
        proc.stderr
    assert not (tmp_path / "bad.wav").exists()
