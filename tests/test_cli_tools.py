"""`synth-server send` and `synth-server monitor` against a running server (null device)."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

from conftest import ROOT, free_udp_port, start_null_server, stop_process


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synth_server.app.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, **kwargs)


def test_send_and_monitor_talk_to_a_running_server(tmp_path):
    port, reply_port = free_udp_port(), free_udp_port()
    server = start_null_server(tmp_path / "r.wav", port, reply_port)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pong = cli("send", "/ping", "--port", str(port), "--reply-port", str(reply_port))
            if "/pong" in pong.stdout:
                break
        assert "/pong" in pong.stdout, pong.stderr
        listed = cli("send", "/model/list", "--port", str(port), "--reply-port", str(reply_port))
        words = listed.stdout.split()
        assert words[0] == "/model/list" and {"default", "instruments", "toy-4d"} <= set(words), \
            listed.stdout
        cli("send", "/gain", "0.25", "--port", str(port), "--wait", "0")
        bad = cli("send", "/pad", "x", "--port", str(port), "--reply-port", str(reply_port))
        assert bad.stdout.startswith("/error /pad"), bad.stdout
        monitor = subprocess.Popen(
            [sys.executable, "-m", "synth_server.app.cli", "monitor", "--port", str(port),
             "--reply-port", str(reply_port), "--rate", "4"], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3.0)
        stop_process(monitor, signal.SIGINT)
        out = monitor.stdout.read()
        assert "/state/gain 0.25" in out, out
        assert out.count("/state/model default") >= 3, out
    finally:
        stop_process(server, signal.SIGINT)


def test_send_refuses_a_non_address():
    result = cli("send", "pad", "1")
    assert result.returncode == 2 and "starts with /" in result.stderr


def test_subscribers_are_bounded_and_can_leave():
    import pytest

    from synth_server.control.addresses import OscArgumentError
    from synth_server.control.controller import MAX_SUBSCRIBERS, Controller, EngineStatus

    controller = Controller(lambda: EngineStatus("m", 2, (0.0, 0.0), (0.0, 0.0)))
    for i in range(MAX_SUBSCRIBERS):
        controller.dispatch("/subscribe", [5], sender=f"10.0.0.{i}")
    controller.dispatch("/subscribe", [5], sender="10.0.0.0")  # renews 10.0.0.0's lease
    controller.dispatch("/subscribe", [5], sender="10.0.1.1")  # a new one is never locked out:
    assert len(controller.subscribers) == MAX_SUBSCRIBERS  # ... it replaces the stalest lease
    assert "10.0.1.1" in controller.subscribers and "10.0.0.1" not in controller.subscribers
    assert "10.0.0.0" in controller.subscribers and controller.subscribers_evicted == 1
    controller.dispatch("/subscribe", [100], sender="10.0.0.0")  # clamped to 60 Hz
    assert controller.subscribers["10.0.0.0"] == 60.0
    controller.dispatch("/subscribe", [0], sender="10.0.0.0")
    assert "10.0.0.0" not in controller.subscribers
    with pytest.raises(OscArgumentError):
        controller.dispatch("/subscribe", [1])  # no sender: a score cannot subscribe
    pushed = [address for address, _ in controller.pushed_state()]
    assert "/state/latent" in pushed and "/state/latency_ms" in pushed


def test_binding_beyond_this_machine_needs_an_allow_list():
    result = cli("serve", "--host", "0.0.0.0", "--device", "null")
    assert result.returncode == 2 and "--allow" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    bad = cli("serve", "--host", "0.0.0.0", "--allow", "not-a-net", "--device", "null")
    assert bad.returncode == 2 and "not an IP address" in bad.stderr


def test_allow_list_admits_loopback_and_listed_networks_only():
    from synth_server.control.osc_server import host_allowed, parse_allow

    nets = parse_allow(["192.168.1.0/24", "10.0.0.7"])
    assert host_allowed("127.0.0.1", nets) and host_allowed("192.168.1.42", nets)
    assert host_allowed("10.0.0.7", nets)
    assert not host_allowed("10.0.0.8", nets) and not host_allowed("192.168.2.1", nets)
    assert not host_allowed("nonsense", nets)


def _outside_address() -> str | None:
    """This machine's address on a non-loopback interface, if it has one."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_a_sender_outside_the_allow_list_is_ignored(tmp_path):
    import socket

    import pytest
    from pythonosc.osc_message import OscMessage
    from pythonosc.osc_message_builder import OscMessageBuilder

    outside = _outside_address()
    if outside is None:
        pytest.skip("this machine has no non-loopback IPv4 address to send from")
    port = free_udp_port()
    replies = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    replies.bind(("0.0.0.0", 0))
    replies.settimeout(0.3)
    server = start_null_server(tmp_path / "r.wav", port, replies.getsockname()[1],
                               "--host", "0.0.0.0", "--allow", "203.0.113.0/24")
    ping = OscMessageBuilder("/ping").build().dgram

    def pongs(source: str, tries: int) -> int:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((source, 0))
            count = 0
            for _ in range(tries):
                s.sendto(ping, (source, port))
                try:
                    count += OscMessage(replies.recv(4096)).address == "/pong"
                except socket.timeout:
                    pass
            return count

    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not pongs("127.0.0.1", 1):
            pass
        assert pongs("127.0.0.1", 3) >= 2  # this machine may always play
        assert pongs(outside, 5) == 0  # another address outside --allow gets nothing back
    finally:
        stop_process(server, signal.SIGINT)
        out = server.stdout.read()
        replies.close()
    summary = __import__("json").loads(out.strip().splitlines()[-1])
    assert summary["osc_ignored_hosts"] >= 5


def test_serve_never_records_over_an_existing_take(tmp_path):
    take = tmp_path / "take.wav"
    take.write_bytes(b"a take nobody can play again")
    result = cli("serve", "--device", "null", "--record", str(take), "--duration", "0.5",
                 "--port", str(free_udp_port()))
    assert result.returncode == 0, result.stderr
    assert take.read_bytes() == b"a take nobody can play again"
    assert (tmp_path / "take-1.wav").stat().st_size > 1000
    assert "take-1.wav" in result.stdout
