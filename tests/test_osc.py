"""Address table and OSC receive path: raw packet bytes → control state and replies."""
from __future__ import annotations

import socket
import struct
import time

import numpy as np
import pytest
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder

from synth_server.control.addresses import ADDRESSES, OscArgumentError, lookup, validate
from synth_server.control.controller import Controller
from synth_server.control.osc_server import OscServer, iter_messages
from synth_server.engine.renderer import Renderer

from conftest import free_udp_port


def message(address: str, *args, types: str = "") -> bytes:
    builder = OscMessageBuilder(address=address)
    for i, value in enumerate(args):
        builder.add_arg(value, types[i] if types else None)
    return builder.build().dgram


def bundle(*elements: bytes) -> bytes:
    out = b"#bundle\x00" + struct.pack(">Q", 1)
    for element in elements:
        out += struct.pack(">i", len(element)) + element
    return out


@pytest.fixture
def server(tiny_checkpoint):
    renderer = Renderer(tiny_checkpoint)
    controller = Controller(lambda: renderer.status(7))
    srv = OscServer(controller, port=0, reply_port=free_udp_port())
    srv.start()
    yield srv, controller, renderer
    srv.stop()


def test_pad_accepts_ints_and_floats_and_clamps(server):
    srv, controller, _ = server
    assert srv.handle_packet(message("/pad", 0.25, 0.75, types="ff"), "127.0.0.1") == []
    assert controller.state.pad == (0.25, 0.75)
    srv.handle_packet(message("/pad", 1, 0, types="ii"), "127.0.0.1")  # Max pictslider ints
    assert controller.state.pad == (1.0, 0.0)
    srv.handle_packet(message("/pad", 3.0, -2.0, types="dd"), "127.0.0.1")  # doubles, clamped
    assert controller.state.pad == (1.0, 0.0)
    assert controller.state.latent is None


def test_latent_index_and_vector_forms(server):
    srv, controller, renderer = server
    srv.handle_packet(message("/latent", 2, 1.5, types="if"), "127.0.0.1")
    assert controller.state.latent[2] == 1.5
    assert len(controller.state.latent) == renderer.latent_dim
    srv.handle_packet(message("/latent", 0.1, -0.2, types="ff"), "127.0.0.1")
    assert controller.state.latent[:3] == pytest.approx((0.1, -0.2, 1.5))
    replies = srv.handle_packet(message("/latent", 9, 0.5, types="if"), "127.0.0.1")
    assert replies[0][0] == "/error" and "latent_dim" in replies[0][1][1]
    before = controller.state
    replies = srv.handle_packet(message("/latent", -1, 0.5, types="if"), "127.0.0.1")
    assert replies[-1][0] == "/error" and controller.state == before  # never clamped to 0


@pytest.mark.parametrize("packet,reason", [
    (message("/nope", 1.0, types="f"), "unknown address"),
    (message("/gain", "loud", types="s"), "expected a number"),
    (message("/gain", float("nan"), types="f"), "finite"),
    (message("/pad", 0.5, types="f"), "wrong number"),
    (b"not osc at all", "not an OSC"),
    (b"/pad\x00\x00\x00\x00,ff\x00\x00\x00", "malformed"),
    (bundle(b"\x00" * 3), "bad bundle element size"),
    (b"#bundle\x00" + struct.pack(">Q", 1) + struct.pack(">i", 0), "bad bundle element size"),
])
def test_malformed_input_is_answered_with_error_and_state_is_kept(server, packet, reason):
    srv, controller, _ = server
    before = controller.state
    replies = srv.handle_packet(packet, "127.0.0.1")
    assert replies and replies[-1][0] == "/error"
    assert reason in replies[-1][1][1]
    assert controller.state == before


def test_bundles_apply_every_message_and_nesting_is_bounded(server):
    srv, controller, _ = server
    srv.handle_packet(bundle(message("/gain", 0.2, types="f"), bundle(message("/pad", 0.1, 0.9,
                                                                             types="ff"))),
                      "127.0.0.1")
    assert controller.state.gain == pytest.approx(0.2)
    assert controller.state.pad == pytest.approx((0.1, 0.9))
    deep = message("/gain", 0.3, types="f")
    for _ in range(10):
        deep = bundle(deep)
    started = time.perf_counter()
    replies = srv.handle_packet(deep, "127.0.0.1")
    assert time.perf_counter() - started < 0.5
    assert replies[-1][0] == "/error" and "nested" in replies[-1][1][1]


def test_ping_and_state_replies_over_real_udp(tiny_checkpoint):
    renderer = Renderer(tiny_checkpoint)
    controller = Controller(lambda: renderer.status(3))
    reply_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    reply_sock.bind(("127.0.0.1", 0))
    reply_sock.settimeout(2.0)
    srv = OscServer(controller, port=0, reply_port=reply_sock.getsockname()[1])
    srv.start()
    try:
        send = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        send.sendto(message("/ping"), ("127.0.0.1", srv.port))
        assert OscMessage(reply_sock.recv(4096)).address == "/pong"
        send.sendto(message("/state"), ("127.0.0.1", srv.port))
        replies = {}
        for _ in range(9):
            msg = OscMessage(reply_sock.recv(4096))
            replies[msg.address] = msg
        assert replies["/state/model"].params == ["tiny"]
        assert replies["/state/latent_dim"].params == [4]
        assert replies["/state/underruns"].params == [3]
        latent = replies["/state/latent"]
        assert len(latent.params) == 4
        # 32-bit floats only: Max's udpreceive shows doubles as 0
        assert set(latent.dgram[len(b"/state/latent") + 3:].split(b"\x00")[0][1:]) == {ord("f")}
        assert b"d" not in replies["/state/gain"].dgram.split(b",")[1][:2]
    finally:
        srv.stop()
        reply_sock.close()


def test_every_table_entry_validates_representative_values():
    samples = {"float": 0.5, "int": 1, "string": "abc"}
    for address in ADDRESSES:
        assert lookup(address.path) is address
        for form in address.forms:
            values = [samples[a.kind] for a in form.args]
            chosen, converted = validate(address, values)
            assert len(converted) == len(values)
    with pytest.raises(OscArgumentError):
        validate(lookup("/gain"), [np.inf])


def test_iter_messages_reads_plain_messages():
    assert list(iter_messages(message("/gain", 0.5, types="f"))) == [("/gain", [0.5])]


def test_docs_osc_md_is_generated_from_the_table():
    from conftest import ROOT
    from synth_server.app.docs import osc_markdown

    assert (ROOT / "docs" / "osc.md").read_text(encoding="utf-8") == osc_markdown(), \
        "docs/osc.md is stale: run `make docs`"


def test_one_packet_cannot_cause_unbounded_work(server):
    from synth_server.control.osc_server import MAX_REPLIES_PER_PACKET

    srv, _, _ = server
    per_state = len(srv.handle_packet(message("/state"), "127.0.0.1"))
    assert per_state == 13  # /state/synthesis_hop (issue 12) made it 13
    replies = srv.handle_packet(bundle(*[message("/state")] * 500), "127.0.0.1")
    assert len(replies) <= MAX_REPLIES_PER_PACKET + 1
    assert replies[-1][0] == "/error" and "dropped" in replies[-1][1][1]


def test_every_form_of_the_table_has_exactly_one_handler_and_dispatch_calls_it():
    """Handlers are the Controller's own methods, declared with @handles beside them; the table
    and the handlers agree one to one (checked at import too), and a broken pairing is caught."""
    from synth_server.control import controller
    from synth_server.control.addresses import ADDRESSES, Address, Form

    assert controller.check_handlers(ADDRESSES) == []
    assert all(h.__qualname__.startswith("Controller.") for h in controller.HANDLERS.values())
    extra = Address("/not/handled", (Form(()),), "test")
    assert controller.check_handlers(ADDRESSES + (extra,)) == ["/not/handled form 0 has no handler"]
    pad = next(a for a in ADDRESSES if a.path == "/pad")
    assert controller.handler_of(pad, pad.forms[0]) is controller.Controller.on_pad
