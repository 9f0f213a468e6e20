"""OSC over UDP: a hardened receive loop around python-osc's message codec.

python-osc parses and builds single messages. Bundles are unpacked here with bounds checks and a
depth limit (python-osc's bundle parser can loop forever on a zero-length element), and their
timetags are ignored: every message is applied on arrival (no sleeping in the receive path).
Every rejected packet is answered ``/error address reason`` at the sender's host and reply port,
and logged at most a few times per second.
"""
from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import time
from typing import Any, Callable, Iterator, Optional, Sequence

from synth_server.control.addresses import DEFAULT_PORT, DEFAULT_REPLY_PORT, OscArgumentError
from synth_server.control.controller import Controller, Reply

log = logging.getLogger(__name__)

BUNDLE_TAG = b"#bundle\x00"
MAX_BUNDLE_DEPTH = 4
RECEIVE_BUFFER_BYTES = 1 << 20
MAX_PACKET_BYTES = 65536
MAX_MESSAGES_PER_PACKET = 32  # bounds the work one datagram can cause
MAX_REPLIES_PER_PACKET = 32  # ... and its replies (a bundle of /state would multiply them by 9)


class OscPacketError(ValueError):
    """A packet that is not valid OSC."""


SUPPORTED_TYPE_TAGS = frozenset(b"ihfdsbrmtTFN[]")  # what python-osc decodes
MAX_ARGUMENTS = 260  # the widest form in the address table takes 256 (/latent v1 ... v256)


def _check_type_tags(packet: bytes) -> None:
    """Refuse a message whose type-tag string is missing or holds a tag python-osc cannot
    decode (it would log a warning per tag on the root logger: a log flood)."""
    end = packet.find(b"\0")
    if end < 0:
        raise OscPacketError("unterminated address")
    start = (end // 4 + 1) * 4
    if start >= len(packet):
        return  # no arguments and no type tags: accepted as an argument-less message
    if packet[start:start + 1] != b",":
        raise OscPacketError("no type-tag string")
    stop = packet.find(b"\0", start)
    if stop < 0:
        raise OscPacketError("unterminated type-tag string")
    tags = packet[start + 1:stop]
    if len(tags) > MAX_ARGUMENTS:  # refuse before python-osc spends ms decoding them
        raise OscPacketError(f"more than {MAX_ARGUMENTS} arguments")
    if not SUPPORTED_TYPE_TAGS.issuperset(tags):
        raise OscPacketError("unsupported OSC type tag")
    if tags.count(b"[") != tags.count(b"]"):
        raise OscPacketError("unbalanced OSC array")


def iter_messages(packet: bytes, depth: int = 0) -> Iterator[tuple[str, list[Any]]]:
    """Decode a packet into (address, arguments) pairs, unpacking bundles.

    Raises:
        OscPacketError: malformed packet or bundle (messages before the fault are yielded).
    Source: OSC 1.0 specification; message decoding by pythonosc.osc_message.OscMessage.
    """
    from pythonosc.osc_message import OscMessage

    if packet.startswith(BUNDLE_TAG):
        if depth >= MAX_BUNDLE_DEPTH:
            raise OscPacketError("bundles nested too deeply")
        if len(packet) < 16:
            raise OscPacketError("truncated bundle header")
        index = 16  # tag (8) + timetag (8); the timetag is ignored: applied on arrival
        while index < len(packet):
            if index + 4 > len(packet):
                raise OscPacketError("truncated bundle element size")
            (size,) = struct.unpack(">i", packet[index:index + 4])
            index += 4
            if size <= 0 or size % 4 or index + size > len(packet):
                raise OscPacketError(f"bad bundle element size {size}")
            yield from iter_messages(packet[index:index + size], depth + 1)
            index += size
        return
    if not packet.startswith(b"/"):
        raise OscPacketError("not an OSC message or bundle")
    _check_type_tags(packet)
    try:
        message = OscMessage(packet)
        yield message.address, list(message.params)
    except Exception as exc:  # noqa: BLE001 - python-osc raises several types on bad input
        raise OscPacketError(f"malformed message ({type(exc).__name__})") from None


def build_message(address: str, args: tuple[Any, ...]) -> bytes:
    """Encode a reply: floats as 32-bit 'f', ints as 'i', strings as 's'."""
    from pythonosc.osc_message_builder import OscMessageBuilder

    builder = OscMessageBuilder(address=address)
    for value in args:
        if isinstance(value, bool):
            builder.add_arg(int(value), "i")
        elif isinstance(value, int):
            builder.add_arg(value if -2**31 <= value < 2**31 else float(value),
                            "i" if -2**31 <= value < 2**31 else "f")
        elif isinstance(value, float):
            builder.add_arg(value, "f")
        else:
            builder.add_arg(str(value), "s")
    return builder.build().dgram


def parse_allow(networks: Sequence[str]) -> list[Any]:
    """``--allow`` values (addresses or CIDR networks, IPv4) as ip_network objects.

    Raises:
        ValueError: a value that is not an address or network (one line).
    """
    import ipaddress

    parsed = []
    for text in networks:
        try:
            parsed.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise ValueError(f"--allow {text!r}: not an IP address or network") from None
    return parsed


def host_allowed(host: str, networks: Sequence[Any]) -> bool:
    """True when ``host`` is loopback or inside one of ``networks``."""
    import ipaddress

    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or any(address in net for net in networks)


def is_loopback_host(host: str) -> bool:
    """True for 127.x.y.z and "localhost" (binding there reaches only this machine)."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RateLimitedLog:
    """At most ``per_second`` log lines per second; the rest are counted and summarised."""

    def __init__(self, per_second: int = 5, logger: Optional[logging.Logger] = None,
                 what: str = "OSC errors"):
        self.per_second = per_second
        self._log = logger or log
        self._what = what
        self._window = 0.0
        self._count = 0
        self.suppressed = 0

    def warning(self, message: str, *args: Any) -> None:
        """Log ``message % args`` unless this second's quota is used (then count it)."""
        now = time.monotonic()
        if now - self._window >= 1.0:
            if self.suppressed:
                self._log.warning("(%d similar %s not shown)", self.suppressed, self._what)
            self._window, self._count, self.suppressed = now, 0, 0
        if self._count < self.per_second:
            self._count += 1
            self._log.warning(message, *args)
        else:
            self.suppressed += 1


class OscServer:
    """UDP OSC server on its own thread.

    Args:
        controller: dispatcher of validated messages.
        host: address to bind (127.0.0.1 by default: only this machine can play).
        port: UDP port to listen on.
        reply_port: replies and errors go to the sender's host at this port.
    Raises:
        OSError: (from :meth:`start`) the port cannot be bound.
    """

    def __init__(self, controller: Controller, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 reply_port: int = DEFAULT_REPLY_PORT,
                 on_message: Optional[Callable[[str], None]] = None,
                 allow: Optional[Sequence[str]] = None):
        self.controller = controller
        self.allow = parse_allow(allow) if allow else None
        self.refused_hosts = 0  # datagrams dropped because the sender is not allowed
        self.host = host
        self.port = port
        self.reply_port = reply_port
        self.received = 0
        self.packets = 0  # datagrams handled
        self.rejected = 0
        self._errors = RateLimitedLog()
        self._on_message = on_message
        self._sock: Optional[socket.socket] = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> None:
        """Bind and start receiving."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with contextlib.suppress(OSError):  # room for ~1 s of a 1000 msg/s burst (capped by the OS)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        sock.bind((self.host, self.port))
        sock.settimeout(0.2)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(target=self._run, name="osc", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop receiving and close the socket."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        if self._sock is not None:
            self._sock.close()

    def send(self, host: str, address: str, args: tuple[Any, ...]) -> None:
        """Send one message to ``host`` at the reply port (any thread; errors are logged)."""
        self._send(host, address, args)

    def _send(self, host: str, address: str, args: tuple[Any, ...]) -> None:
        assert self._sock is not None
        try:
            self._sock.sendto(build_message(address, args), (host, self.reply_port))
        except Exception as exc:  # noqa: BLE001 - a reply that cannot be sent must not stop control
            self._errors.warning("cannot reply to %s:%d: %s", host, self.reply_port, exc)

    def handle_packet(self, packet: bytes, host: str, received_s: float = 0.0) -> list[Reply]:
        """Decode, dispatch and answer one packet; never raises.

        Args:
            packet: the datagram.
            host: sender's address (replies go there, to ``reply_port``).
            received_s: time.monotonic() when the packet arrived (0: now); it travels with the
                control state so the engine can measure latency.
        Returns:
            The replies sent (including /error replies).
        """
        sent: list[Reply] = []
        address = ""
        received_s = received_s or time.monotonic()
        self.packets += 1
        try:
            if len(packet) > MAX_PACKET_BYTES:
                raise OscPacketError("packet too large")
            for count, (address, values) in enumerate(iter_messages(packet)):
                if count >= MAX_MESSAGES_PER_PACKET:
                    raise OscPacketError(f"more than {MAX_MESSAGES_PER_PACKET} messages in one "
                                         "packet; the rest were dropped")
                self.received += 1
                try:
                    replies = self.controller.dispatch(address, values, received_s, host)
                except OscArgumentError as exc:
                    self._reject(host, address, str(exc), sent)
                    continue
                if self._on_message is not None:
                    self._on_message(address)
                if len(sent) + len(replies) > MAX_REPLIES_PER_PACKET:
                    raise OscPacketError(f"more than {MAX_REPLIES_PER_PACKET} replies asked for "
                                         "in one packet; the rest were dropped")
                for reply in replies:
                    self._send(host, *reply)
                    sent.append(reply)
        except OscPacketError as exc:
            self._reject(host, address or "?", str(exc), sent)
        except Exception as exc:  # noqa: BLE001 - the sound must go on whatever a packet holds
            self._reject(host, address or "?", f"internal error: {type(exc).__name__}", sent)
            log.exception("unexpected error handling an OSC packet")
        return sent

    def _reject(self, host: str, address: str, reason: str, sent: list[Reply]) -> None:
        self.rejected += 1
        safe_address = address.encode("utf-8", "replace")[:200].decode("utf-8", "replace")
        self._errors.warning("OSC %s from %s rejected: %s", safe_address, host, reason)
        reply = ("/error", (safe_address, reason))
        self._send(host, *reply)
        sent.append(reply)

    def _run(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                packet, (host, _port) = self._sock.recvfrom(MAX_PACKET_BYTES + 1)
                received_s = time.monotonic()
            except socket.timeout:
                continue
            except OSError:
                if self._stop.is_set():
                    break
                continue
            if self.allow is not None and not host_allowed(host, self.allow):
                self.refused_hosts += 1  # no reply: an unknown host learns nothing
                self._errors.warning("OSC from %s ignored: not in --allow", host)
                continue
            try:
                self.handle_packet(packet, host, received_s)
            except Exception:  # noqa: BLE001 - keep receiving whatever happened
                log.exception("unexpected error in the OSC receive loop")
