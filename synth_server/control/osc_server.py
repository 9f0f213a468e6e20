"""OSC over UDP: a hardened receive loop around python-osc's message codec.

python-osc parses and builds single messages. Bundles are unpacked here with bounds checks and a
depth limit (python-osc's bundle parser can loop forever on a zero-length element), and their
timetags are ignored: every message is applied on arrival (no sleeping in the receive path).

Hostile-but-cheap traffic is bounded at the root (numbers in docs/limits.md):

- a token bucket per sender (source address and port) and per host, in messages and bytes per
  second: packets over budget are dropped unanswered and counted;
- the receive thread only parses, validates and applies cheap messages; costly ones (descriptor
  and attribute steering, preset writes: ``handled`` in the address table) go to one worker
  thread through a bounded queue, at most a few per packet, only the newest per sender and
  address for steering, within a per-host budget of worker time;
- every reply (and ``/error``) goes through a byte and packet budget per destination host, which
  a sender's own traffic tops up a little: the server answers a forged source address with at
  most a small multiple of what it was sent. State pushes go only to subscribers within their
  lease (see Controller.on_subscribe).

Every table keyed by an address is capped and forgets its least recently used entry.
"""
from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Iterator, Optional, Sequence

from synth_server.control.addresses import (DEFAULT_PORT, DEFAULT_REPLY_PORT, NEWEST,
                                            OscArgumentError)
from synth_server.control.controller import Controller, Reply

log = logging.getLogger(__name__)

BUNDLE_TAG = b"#bundle\x00"
MAX_BUNDLE_DEPTH = 4
RECEIVE_BUFFER_BYTES = 1 << 20
MAX_PACKET_BYTES = 65536
MAX_MESSAGES_PER_PACKET = 32  # bounds the work one datagram can cause
MAX_REPLIES_PER_PACKET = 32  # ... and its replies (a bundle of /state would multiply them by 9)
ROUTED = "peer#"  # sender ids of peers that are not UDP hosts (the web page's WebSockets)


class OscPacketError(ValueError):
    """A packet that is not valid OSC."""


SUPPORTED_TYPE_TAGS = frozenset(b"ihfdsbrmtTFN[]")  # what python-osc decodes
MAX_ARGUMENTS = 260  # the widest form in the address table takes 256 (/latent v1 ... v256)


# SO_TIMESTAMPNS (Linux, socket(7)): the kernel stamps each datagram with CLOCK_REALTIME when it
# arrives; Python's socket module does not name it
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
_STAMP_SPACE = socket.CMSG_SPACE(16)


def enable_arrival_stamps(sock: socket.socket) -> bool:
    """Ask the kernel to stamp each datagram's arrival (SO_TIMESTAMPNS); False where it cannot."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    except (OSError, AttributeError):
        return False
    return True


def receive_stamped(sock: socket.socket, size: int) -> tuple[bytes, Any, float]:
    """One datagram: (bytes, sender address, arrival time on ``time.monotonic()``'s clock).

    The arrival is the kernel's SO_TIMESTAMPNS stamp (CLOCK_REALTIME, mapped onto the monotonic
    clock by reading both now), so the time this thread took to wake up, or waited for the GIL,
    counts in the latency the engine reports; without a stamp (another OS, the option refused,
    a clock step of more than a second) it is the moment ``recvmsg`` returned.

    Raises:
        OSError, socket.timeout: as ``socket.recvmsg``.
    """
    packet, ancillary, _flags, address = sock.recvmsg(size, _STAMP_SPACE)
    now_s = time.monotonic()
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            seconds, nanoseconds = struct.unpack("qq", data[:16])
            waited_s = time.time() - (seconds + nanoseconds * 1e-9)
            if 0.0 <= waited_s < 1.0:
                return packet, address, now_s - waited_s
    return packet, address, now_s


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


# -- limits (documented in docs/limits.md) -------------------------------------------------
SENDER_MESSAGES_PER_S = 1000.0  # per source address and port
SENDER_MESSAGE_BURST = 250.0
SENDER_BYTES_PER_S = 256.0 * 1024
SENDER_BYTE_BURST = 64.0 * 1024
HOST_FACTOR = 4.0  # a host (all its ports together) gets this many senders' worth
REPLY_BYTES_PER_S = 2048.0  # replies and /error per destination host, beyond what it earns
REPLY_BYTE_BURST = 8192.0
REPLY_CREDIT_PER_BYTE = 2.0  # each byte a host sends (within its budget) earns this many
REPLY_PACKETS_PER_S = 100.0
REPLY_PACKET_BURST = 64.0
MAX_TRACKED = 512  # senders / hosts remembered per table (least recently seen forgotten)
MAX_DEFERRED_PER_PACKET = 4  # costly messages (after keeping the newest per address) per packet
MAX_DEFERRED = 64  # costly messages waiting for the worker, all senders
MAX_DEFERRED_PER_HOST = 8
WORKER_SHARE = 0.25  # seconds of worker time per second one host may use (burst below)
WORKER_BURST_S = 0.1
STALE_S = 1.0  # a steering request older than this when the worker gets to it is dropped


class TokenBucket:
    """``rate`` tokens per second up to ``burst``; :meth:`take` spends them when there are
    enough (Turner's token bucket)."""

    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: float, now: float):
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, now

    def _refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def take(self, amount: float, now: float) -> bool:
        """Spend ``amount`` if available; False (nothing spent) otherwise."""
        self._refill(now)
        if self.tokens >= amount:
            self.tokens -= amount
            return True
        return False

    def charge(self, amount: float, now: float) -> None:
        """Spend ``amount`` even into debt (a cost known only afterwards)."""
        self._refill(now)
        self.tokens -= amount

    def credit(self, amount: float, now: float) -> None:
        """Add ``amount`` (never above the burst)."""
        self._refill(now)
        self.tokens = min(self.burst, self.tokens + amount)

    def available(self, now: float) -> float:
        """Tokens now."""
        self._refill(now)
        return self.tokens


class LruTable:
    """At most ``capacity`` entries by key, made by ``factory(now)`` on first use; the least
    recently used entry is forgotten first (so no table keyed by a sender's address grows
    without bound)."""

    def __init__(self, capacity: int, factory: Callable[[float], Any]):
        self.capacity = capacity
        self._factory = factory
        self._items: "OrderedDict[Any, Any]" = OrderedDict()
        self.forgotten = 0

    def get(self, key: Any, now: float) -> Any:
        """The entry of ``key`` (made when missing), marked as most recently used."""
        item = self._items.get(key)
        if item is None:
            item = self._items[key] = self._factory(now)
            if len(self._items) > self.capacity:
                self._items.popitem(last=False)
                self.forgotten += 1
        else:
            self._items.move_to_end(key)
        return item

    def __len__(self) -> int:
        return len(self._items)


def _sender_buckets(now: float) -> tuple[TokenBucket, TokenBucket]:
    return (TokenBucket(SENDER_MESSAGES_PER_S, SENDER_MESSAGE_BURST, now),
            TokenBucket(SENDER_BYTES_PER_S, SENDER_BYTE_BURST, now))


def _host_buckets(now: float) -> tuple[TokenBucket, TokenBucket]:
    return (TokenBucket(HOST_FACTOR * SENDER_MESSAGES_PER_S, HOST_FACTOR * SENDER_MESSAGE_BURST,
                        now),
            TokenBucket(HOST_FACTOR * SENDER_BYTES_PER_S, HOST_FACTOR * SENDER_BYTE_BURST, now))


def _reply_buckets(now: float) -> tuple[TokenBucket, TokenBucket]:
    return (TokenBucket(REPLY_PACKETS_PER_S, REPLY_PACKET_BURST, now),
            TokenBucket(REPLY_BYTES_PER_S, REPLY_BYTE_BURST, now))


class Deferred:
    """Costly messages waiting for the worker thread: bounded, at most the newest per (host,
    address) for steering, a budget of worker time per host.

    Args:
        run: called on the worker thread with (address, values, received_s, host).
    """

    def __init__(self, run: Callable[[str, list[Any], float, str], None]):
        self._run = run
        self._items: "OrderedDict[Any, tuple[str, list[Any], float, str, bool]]" = OrderedDict()
        self._per_host: dict[str, int] = {}
        self._budgets = LruTable(MAX_TRACKED,
                                 lambda now: TokenBucket(WORKER_SHARE, WORKER_BURST_S, now))
        self._wake = threading.Condition()
        self._closed = False
        self._serial = 0
        self.superseded = 0  # replaced by a newer request of the same sender and address
        self.stale = 0  # dropped: older than STALE_S when the worker got to it
        self.refused = 0  # queue full or the host over its worker budget
        self.done = 0
        self._thread = threading.Thread(target=self._loop, name="osc-worker", daemon=True)

    def start(self) -> None:
        """Start the worker thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker (pending work is dropped)."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def offer(self, path: str, values: list[Any], received_s: float, host: str,
              newest_only: bool) -> Optional[str]:
        """Queue one message; returns why it was refused, or None."""
        now = time.monotonic()
        with self._wake:
            if self._budgets.get(host, now).available(now) <= 0.0:
                self.refused += 1
                return (f"busy: this host used its share of the worker "
                        f"({WORKER_SHARE * 1000:.0f} ms per second)")
            key: Any
            if newest_only:
                key = (host, path)
                if key in self._items:
                    del self._items[key]  # the newer request replaces it, at the back
                    self.superseded += 1
                    self._per_host[host] -= 1
            else:
                self._serial += 1
                key = (host, path, self._serial)
            if len(self._items) >= MAX_DEFERRED or self._per_host.get(host, 0) >= \
                    MAX_DEFERRED_PER_HOST:
                self.refused += 1
                return "busy: too many costly messages waiting"
            self._items[key] = (path, values, received_s, host, newest_only)
            self._per_host[host] = self._per_host.get(host, 0) + 1
            self._wake.notify()
        return None

    def __len__(self) -> int:
        return len(self._items)

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._items and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                _, item = self._items.popitem(last=False)
                path, values, received_s, host, newest_only = item
                left = self._per_host.get(host, 1) - 1
                if left > 0:
                    self._per_host[host] = left
                else:
                    self._per_host.pop(host, None)
            start = time.monotonic()
            if newest_only and start - received_s > STALE_S:
                self.stale += 1
                continue
            try:
                self._run(path, values, received_s, host)
            except Exception:  # noqa: BLE001 - the worker must outlive any message
                log.exception("unexpected error in the OSC worker")
            end = time.monotonic()
            with self._wake:
                self._budgets.get(host, end).charge(end - start, end)
                self.done += 1


class OscServer:
    """UDP OSC server: a receive thread (parse, validate, apply cheap messages) and a worker
    thread (costly messages), both bounded per sender (see the module docstring).

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
        self.rate_limited = 0  # datagrams dropped: the sender or its host over its budget
        self.replies_capped = 0  # replies not sent: the destination over its reply budget
        self.deferred_dropped = 0  # costly messages beyond MAX_DEFERRED_PER_PACKET
        self.bytes_in = 0
        self.bytes_replied = 0
        self.bytes_pushed = 0
        self._errors = RateLimitedLog()
        self._on_message = on_message
        self._sock: Optional[socket.socket] = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._senders = LruTable(MAX_TRACKED, _sender_buckets)
        self._hosts = LruTable(MAX_TRACKED, _host_buckets)
        self._replies = LruTable(MAX_TRACKED, _reply_buckets)
        self._reply_lock = threading.Lock()
        # peers that are not UDP hosts (the web page's WebSockets): their sender id -> a
        # function that delivers (address, args); replies and pushes to them go there
        self._routes: dict[str, Callable[[str, tuple[Any, ...]], None]] = {}
        # in-process senders (handle_local): sender -> the list their replies are appended to
        self._local_replies: dict[str, list[Reply]] = {}
        self.deferred = Deferred(self._run_deferred)

    def start(self) -> None:
        """Bind and start receiving."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with contextlib.suppress(OSError):  # room for ~1 s of a 1000 msg/s burst (capped by the OS)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        sock.bind((self.host, self.port))
        enable_arrival_stamps(sock)
        # blocking: the receive thread sleeps until a datagram comes (stop() wakes it), no
        # periodic wake-ups while nobody plays
        self._sock = sock
        self.port = sock.getsockname()[1]
        self.deferred.start()
        self._thread = threading.Thread(target=self._run, name="osc", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop receiving and close the socket."""
        self._stop.set()
        if self._sock is not None:
            # wakes the blocked recvfrom (Linux: it returns an empty datagram; the socket is
            # not connected, so shutdown also raises ENOTCONN, which is expected)
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RD)
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self.deferred.stop()
        if self._sock is not None:
            self._sock.close()

    def counts(self) -> dict[str, int]:
        """The traffic counters (for the session summary)."""
        return {"osc_rate_limited": self.rate_limited, "osc_replies_capped": self.replies_capped,
                "osc_deferred_dropped": self.deferred_dropped + self.deferred.refused,
                "osc_deferred_superseded": self.deferred.superseded,
                "osc_deferred_stale": self.deferred.stale, "osc_bytes_in": self.bytes_in,
                "osc_bytes_replied": self.bytes_replied, "osc_bytes_pushed": self.bytes_pushed}

    def add_route(self, sender: str, deliver: Callable[[str, tuple[Any, ...]], None]) -> None:
        """Make ``sender`` (an id starting with :data:`ROUTED`, e.g. ``"peer#web-3"``) a peer whose
        replies and pushes go to ``deliver(address, args)`` instead of UDP (any thread)."""
        self._routes[sender] = deliver

    def remove_route(self, sender: str) -> None:
        """Forget a peer added with :meth:`add_route` (its later replies are dropped)."""
        self._routes.pop(sender, None)
        with self._reply_lock:
            self._local_replies.pop(sender, None)

    def send(self, host: str, address: str, args: tuple[Any, ...]) -> None:
        """Reply to ``host`` at the reply port within its reply budget (any thread)."""
        self._send(host, address, args)

    def push(self, host: str, address: str, args: tuple[Any, ...]) -> None:
        """Send a state push to a subscriber within its lease (not charged to its reply
        budget: the lease and the push rate cap bound it)."""
        route = self._routes.get(host)
        if route is not None:
            route(address, args)
            return
        if host.startswith(ROUTED):
            return  # a routed peer that has gone
        assert self._sock is not None
        data = build_message(address, args)
        try:
            self._sock.sendto(data, (host, self.reply_port))
            self.bytes_pushed += len(data)
        except Exception as exc:  # noqa: BLE001 - a push that cannot be sent must not stop control
            self._errors.warning("cannot push to %s:%d: %s", host, self.reply_port, exc)

    def _send(self, host: str, address: str, args: tuple[Any, ...]) -> bool:
        local = self._local_replies.get(host)
        if local is not None:  # an in-process sender (MIDI): its replies never go on the wire
            local.append((address, args))
            return True
        data = build_message(address, args)
        now = time.monotonic()
        with self._reply_lock:
            packets, size = self._replies.get(host, now)
            if size.available(now) < len(data) or not packets.take(1.0, now):
                self.replies_capped += 1
                return False
            size.take(len(data), now)
        route = self._routes.get(host)
        if route is not None:
            route(address, args)
            self.bytes_replied += len(data)
            return True
        if host.startswith(ROUTED):
            return False  # a routed peer that has gone
        assert self._sock is not None
        try:
            self._sock.sendto(data, (host, self.reply_port))
            self.bytes_replied += len(data)
        except Exception as exc:  # noqa: BLE001 - a reply that cannot be sent must not stop control
            self._errors.warning("cannot reply to %s:%d: %s", host, self.reply_port, exc)
        return True

    def handle_local(self, messages: Sequence[tuple[str, Sequence[Any]]], sender: str,
                     received_s: float = 0.0, size: int = 3) -> list[Reply]:
        """Messages from an in-process source (the MIDI input, the web page's WebSockets),
        through the same path as a packet's: the sender's token bucket (charged one message and ``size`` bytes each; the
        messages past the budget are dropped, counted in ``rate_limited`` and answered nothing),
        validation, dispatch, the worker for costly ones. Replies, ``/error`` included, are
        returned instead of sent (a deferred message's replies are not returned).

        Args:
            messages: (address, args) in order.
            sender: identity of the source, not an IP address (e.g. "midi"): its token
                buckets are its own, apart from every network host's.
            received_s: time.monotonic() when they were read (0: now).
            size: bytes charged to the byte budget per message (a MIDI message is 3).
        Returns:
            The replies, in order (none for a routed peer: :meth:`add_route` delivers them).
            Never raises.
        """
        received_s = received_s or time.monotonic()
        replies: list[Reply] = []
        if not sender.startswith(ROUTED):  # a routed peer's replies go through its route
            with self._reply_lock:
                self._local_replies[sender] = replies
        now = time.monotonic()
        s_count, s_bytes = self._senders.get((sender, 0), now)
        h_count, h_bytes = self._hosts.get(sender, now)
        room = int(min(s_count.available(now), h_count.available(now),
                       s_bytes.available(now) / size, h_bytes.available(now) / size))
        n = max(0, min(len(messages), room))  # the first n fit the budget: one charge for all
        if n:
            self.admit(sender, 0, size * n, n, now)
        self.rate_limited += len(messages) - n
        admitted = [(address, list(args)) for address, args in messages[:n]]
        for start in range(0, len(admitted), MAX_MESSAGES_PER_PACKET):
            try:
                self._dispatch_all(admitted[start:start + MAX_MESSAGES_PER_PACKET], sender,
                                   received_s, [])
            except OscPacketError as exc:
                self._reject(sender, admitted[start][0], str(exc), [])
            except Exception as exc:  # noqa: BLE001 - the sound must go on whatever arrives
                self._reject(sender, admitted[start][0], f"internal error: {type(exc).__name__}",
                             [])
                log.exception("unexpected error handling local messages")
        return list(replies)

    def admit(self, host: str, port: int, size: int, messages: int, now: float) -> bool:
        """Charge one datagram of ``size`` bytes and ``messages`` messages to its sender and
        host; False (nothing charged) when either is over budget."""
        s_count, s_bytes = self._senders.get((host, port), now)
        h_count, h_bytes = self._hosts.get(host, now)
        if not (s_bytes.available(now) >= size and h_bytes.available(now) >= size
                and s_count.available(now) >= messages and h_count.available(now) >= messages):
            return False
        s_bytes.take(size, now)
        h_bytes.take(size, now)
        s_count.take(messages, now)
        h_count.take(messages, now)
        with self._reply_lock:  # what a host sends earns it a little reply budget
            self._replies.get(host, now)[1].credit(REPLY_CREDIT_PER_BYTE * size, now)
        return True

    def handle_packet(self, packet: bytes, host: str, received_s: float = 0.0,
                      port: int = 0) -> list[Reply]:
        """Decode, check the sender's budget, dispatch and answer one packet; never raises.

        Args:
            packet: the datagram.
            host: sender's address (replies go there, to ``reply_port``).
            received_s: time.monotonic() when the packet arrived (0: now); it travels with the
                control state so the engine can measure latency.
            port: sender's source port (the token bucket is per host and port).
        Returns:
            The replies sent (including /error replies); none when the packet was dropped.
        """
        sent: list[Reply] = []
        address = ""
        received_s = received_s or time.monotonic()
        self.packets += 1
        self.bytes_in += len(packet)
        messages: list[tuple[str, list[Any]]] = []
        fault: Optional[str] = None
        try:
            if len(packet) > MAX_PACKET_BYTES:
                raise OscPacketError("packet too large")
            for address, values in iter_messages(packet):
                if len(messages) >= MAX_MESSAGES_PER_PACKET:
                    raise OscPacketError(f"more than {MAX_MESSAGES_PER_PACKET} messages in one "
                                         "packet; the rest were dropped")
                messages.append((address, values))
        except OscPacketError as exc:
            fault = str(exc)
        except Exception as exc:  # noqa: BLE001 - the sound must go on whatever a packet holds
            fault = f"internal error: {type(exc).__name__}"
            log.exception("unexpected error decoding an OSC packet")
        if not self.admit(host, port, len(packet), max(1, len(messages)), time.monotonic()):
            self.rate_limited += 1  # dropped unanswered: answering would spend more
            return sent
        try:
            self._dispatch_all(messages, host, received_s, sent)
        except OscPacketError as exc:
            fault = fault or str(exc)
        except Exception as exc:  # noqa: BLE001 - the sound must go on whatever a packet holds
            fault = fault or f"internal error: {type(exc).__name__}"
            log.exception("unexpected error handling an OSC packet")
        if fault is not None:
            last = messages[-1][0] if messages else "?"
            self._reject(host, last, fault, sent)
        return sent

    def _dispatch_all(self, messages: list[tuple[str, list[Any]]], host: str,
                      received_s: float, sent: list[Reply]) -> None:
        """Apply cheap messages now; hand costly ones (the newest per address) to the worker."""
        costly: "OrderedDict[str, tuple[list[Any], bool]]" = OrderedDict()
        for address, values in messages:
            self.received += 1
            try:
                entry = self.controller.check(address, values)
            except OscArgumentError as exc:
                self._reject(host, address, str(exc), sent)
                continue
            if self._on_message is not None:
                self._on_message(address)
            if entry.deferred:
                newest = entry.handled == NEWEST
                key = address if newest else f"{address}#{len(costly)}"
                if costly.pop(key, None) is not None:
                    self.deferred.superseded += 1  # an older one in the same packet
                costly[key] = (values, newest)
                continue
            try:
                replies = self.controller.dispatch(address, values, received_s, host)
            except OscArgumentError as exc:
                self._reject(host, address, str(exc), sent)
                continue
            if len(sent) + len(replies) > MAX_REPLIES_PER_PACKET:
                raise OscPacketError(f"more than {MAX_REPLIES_PER_PACKET} replies asked for "
                                     "in one packet; the rest were dropped")
            for reply in replies:
                if self._send(host, *reply):
                    sent.append(reply)
        for count, (key, (values, newest)) in enumerate(costly.items()):
            address = key.split("#", 1)[0]
            if count >= MAX_DEFERRED_PER_PACKET:
                self.deferred_dropped += len(costly) - count
                self._reject(host, address, f"more than {MAX_DEFERRED_PER_PACKET} costly "
                             "messages (steering, preset writes) in one packet; the rest "
                             "were dropped", sent)
                break
            why = self.deferred.offer(address, values, received_s, host, newest)
            if why is not None:
                self._reject(host, address, why, sent)

    def _run_deferred(self, address: str, values: list[Any], received_s: float,
                      host: str) -> None:
        """Worker thread: dispatch one costly message and answer its sender."""
        try:
            replies = self.controller.dispatch(address, values, received_s, host)
        except OscArgumentError as exc:
            self._reject(host, address, str(exc), [])
            return
        for reply in replies[:MAX_REPLIES_PER_PACKET]:
            self._send(host, *reply)

    def _reject(self, host: str, address: str, reason: str, sent: list[Reply]) -> None:
        self.rejected += 1
        safe_address = address.encode("utf-8", "replace")[:200].decode("utf-8", "replace")
        self._errors.warning("OSC %s from %s rejected: %s", safe_address, host, reason)
        reply = ("/error", (safe_address, reason))
        if self._send(host, *reply):
            sent.append(reply)

    def _run(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                packet, source, received_s = receive_stamped(self._sock,
                                                             MAX_PACKET_BYTES + 1)
            except OSError:
                if self._stop.is_set():
                    break
                continue
            if source is None:  # an empty read: stop() shut the receive side down
                continue
            host, port = source[0], source[1]
            if self.allow is not None and not host_allowed(host, self.allow):
                self.refused_hosts += 1  # no reply: an unknown host learns nothing
                self._errors.warning("OSC from %s ignored: not in --allow", host)
                continue
            try:
                self.handle_packet(packet, host, received_s, port)
            except Exception:  # noqa: BLE001 - keep receiving whatever happened
                log.exception("unexpected error in the OSC receive loop")
