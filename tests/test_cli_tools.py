"""`synth-server send` and `synth-server monitor` against a running server (null device)."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

from conftest import DEFAULT_MODEL, ROOT, free_udp_port, stop_process


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synth_server.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, **kwargs)


def test_send_and_monitor_talk_to_a_running_server(tmp_path):
    port, reply_port = free_udp_port(), free_udp_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "synth_server.cli", "serve", "--model", str(DEFAULT_MODEL),
         "--device", "null", "--record", str(tmp_path / "r.wav"), "--port", str(port),
         "--reply-port", str(reply_port)], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pong = cli("send", "/ping", "--port", str(port), "--reply-port", str(reply_port))
            if "/pong" in pong.stdout:
                break
        assert "/pong" in pong.stdout, pong.stderr
        listed = cli("send", "/model/list", "--port", str(port), "--reply-port", str(reply_port))
        assert listed.stdout.split()[:3] == ["/model/list", "default", "toy-4d"], listed.stdout
        cli("send", "/gain", "0.25", "--port", str(port), "--wait", "0")
        bad = cli("send", "/pad", "x", "--port", str(port), "--reply-port", str(reply_port))
        assert bad.stdout.startswith("/error /pad"), bad.stdout
        monitor = subprocess.Popen(
            [sys.executable, "-m", "synth_server.cli", "monitor", "--port", str(port),
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
    with pytest.raises(OscArgumentError, match="subscribers"):
        controller.dispatch("/subscribe", [5], sender="10.0.1.1")
    controller.dispatch("/subscribe", [100], sender="10.0.0.0")  # clamped to 60 Hz
    assert controller.subscribers["10.0.0.0"] == 60.0
    controller.dispatch("/subscribe", [0], sender="10.0.0.0")
    assert "10.0.0.0" not in controller.subscribers
    with pytest.raises(OscArgumentError):
        controller.dispatch("/subscribe", [1])  # no sender: a score cannot subscribe
    pushed = [address for address, _ in controller.pushed_state()]
    assert "/state/latent" in pushed and "/state/latency_ms" in pushed
