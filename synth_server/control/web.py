"""The browser controller: serves the page and bridges its WebSocket to the OSC dispatch.

``serve`` starts it at http://127.0.0.1:7480/ by default. The page (``control/web_page/``,
plain HTML, CSS and JavaScript shipped in the package: no build step, nothing fetched from the
internet) talks over one WebSocket with the same messages as OSC, as JSON text frames::

    page -> server   {"address": "/pad", "args": [0.3, 0.7]}      (or a list of up to 32)
    server -> page   {"address": "/state/pad", "args": [0.3, 0.7]} (replies, /error, pushes)

Every message goes through the OSC server's path (:meth:`OscServer.handle_local`): the same
address table validates it, the same per-sender token buckets, reply caps and worker budgets
apply, and replies to the page's sender id come back over its WebSocket. The page renews a
``/subscribe`` lease like the patches do, so the state reaches it through the same pusher.

Safety on a network: bound to 127.0.0.1 unless ``--host`` says otherwise. With a token (the CLI
makes one whenever the bind address is not loopback) every request needs it, as ``?token=`` or
the cookie the page gets with it; without it, 403 and nothing can be sent. ``--allow`` networks
are checked too. Connections are capped in all and per host; frames are capped in size; a page
that does not read its replies loses the oldest, the server never queues without bound.

Library: aiohttp (server, WebSocket); Source: RFC 6455 (WebSocket).
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from synth_server.control.osc_server import (MAX_MESSAGES_PER_PACKET, ROUTED, OscServer,
                                             host_allowed, parse_allow)

log = logging.getLogger(__name__)

DEFAULT_WEB_PORT = 7480
PAGE_DIR = Path(__file__).with_name("web_page")
PAGE_FILES = {"index.html": "text/html", "app.js": "text/javascript", "style.css": "text/css"}
MAX_CONNECTIONS = 32
MAX_CONNECTIONS_PER_HOST = 8
MAX_FRAME_BYTES = 16384  # one WebSocket frame (32 messages of the widest form fit)
MAX_OUTBOX = 512  # messages waiting to go to one page; beyond, the oldest are dropped
MAX_ADDRESS_CHARS = 256
MAX_STRING_CHARS = 256
MAX_HEATMAP_BYTES = 4 << 20
COOKIE = "synth_server_token"


class WebMessageError(ValueError):
    """A WebSocket frame that is not a message or a list of messages."""


def decode_frame(text: str) -> list[tuple[str, list[Any]]]:
    """Parse one JSON text frame into (address, args) pairs.

    Args:
        text: ``{"address": str, "args": [number | string, ...]}`` or a list of those.
    Returns:
        The messages, in order (at most MAX_MESSAGES_PER_PACKET).
    Raises:
        WebMessageError: not JSON, wrong shape, more than MAX_MESSAGES_PER_PACKET messages, a
            non-finite number, a too-long string (one line, safe to send back).
    """
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise WebMessageError(f"not JSON: {str(exc)[:80]}") from None
    items = data if isinstance(data, list) else [data]
    if len(items) > MAX_MESSAGES_PER_PACKET:
        raise WebMessageError(f"at most {MAX_MESSAGES_PER_PACKET} messages in one frame")
    messages: list[tuple[str, list[Any]]] = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("address"), str):
            raise WebMessageError('a message is {"address": "/path", "args": [...]}')
        address = item["address"]
        if not address.startswith("/") or len(address) > MAX_ADDRESS_CHARS:
            raise WebMessageError("an address starts with / and has at most "
                                  f"{MAX_ADDRESS_CHARS} characters")
        args = item.get("args", [])
        if not isinstance(args, list):
            raise WebMessageError(f"{address[:64]}: args must be a list")
        for value in args:
            if isinstance(value, bool):
                raise WebMessageError(f"{address[:64]}: send 0 or 1, not true/false")
            if isinstance(value, str):
                if len(value) > MAX_STRING_CHARS:
                    raise WebMessageError(f"{address[:64]}: a string longer than "
                                          f"{MAX_STRING_CHARS} characters")
            elif isinstance(value, float):
                if not math.isfinite(value):
                    raise WebMessageError(f"{address[:64]}: numbers must be finite")
            elif not isinstance(value, int):
                raise WebMessageError(f"{address[:64]}: args are numbers or strings")
        messages.append((address, args))
    return messages


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def encode_reply(address: str, args: Sequence[Any]) -> str:
    """One reply as a JSON text frame; non-finite floats become null (JSON has no NaN)."""
    values = [None if isinstance(v, float) and not math.isfinite(v) else v for v in args]
    return json.dumps({"address": address, "args": values}, separators=(",", ":"))


class WebBridge:
    """HTTP + WebSocket server for the controller page, in its own thread and event loop.

    Args:
        osc: the OSC server whose dispatch, budgets and replies the page shares.
        heatmap: ``heatmap(descriptor) -> Path`` of the selected manifold's PNG (raises when
            there is none); served at ``/heatmap.png?descriptor=NAME``.
        host: address to bind (127.0.0.1: this machine only).
        port: TCP port (0: any free one; see :attr:`port` after start).
        token: when set, every request must carry it (``?token=`` or the cookie).
        allow: networks (CIDR) allowed besides loopback, as ``serve --allow``.
    Raises:
        OSError: (from :meth:`start`) the port cannot be bound.
    """

    def __init__(self, osc: OscServer, heatmap: Callable[[str], Path], host: str = "127.0.0.1",
                 port: int = DEFAULT_WEB_PORT, token: Optional[str] = None,
                 allow: Optional[Sequence[str]] = None):
        self.osc = osc
        self.host = host
        self.port = port
        self.token = token
        self.allow = parse_allow(allow) if allow else None
        self._heatmap = heatmap
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Any = None
        self._thread: Optional[threading.Thread] = None
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        self._per_host: dict[str, int] = {}
        self._serial = 0
        self.connections = 0
        self.refused = 0  # requests answered 403 (no token, not allowed, too many)
        self.frames_in = 0
        self.dropped_out = 0  # replies dropped: a page's outbox was full

    @property
    def url(self) -> str:
        """The page's address, with the token when one is needed."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        suffix = f"?token={self.token}" if self.token else ""
        return f"http://{host}:{self.port}/{suffix}"

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Bind and serve in a background thread; returns once listening.

        Raises:
            OSError: the port cannot be bound.
        """
        self._thread = threading.Thread(target=self._run, name="web", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=30.0)
        if self._error is not None:
            raise self._error
        if not self._ready.is_set():
            raise OSError("the web server did not start within 30 s")

    def stop(self) -> None:
        """Close every connection and stop serving."""
        loop = self._loop
        if loop is not None and loop.is_running():
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10.0)
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10.0)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc if isinstance(exc, OSError) else OSError(str(exc))
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _serve(self) -> None:
        from aiohttp import web

        app = web.Application(client_max_size=4096)
        app.router.add_get("/", self._page)
        app.router.add_get("/ws", self._websocket)
        app.router.add_get("/heatmap.png", self._heatmap_png)
        for name in PAGE_FILES:
            app.router.add_get(f"/{name}", self._page)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []  # the bound port (port 0)
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- requests ----------------------------------------------------------------------------

    def _refusal(self, request: Any) -> Optional[str]:
        """Why ``request`` may not use the server (403), or None."""
        peer = request.remote or ""
        if self.allow is not None and not host_allowed(peer, self.allow):
            return "not in --allow"
        if self.token is None:
            return None
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return "this server needs the token printed when it started (?token=...)"
        return None

    def _forbidden(self, request: Any) -> Any:
        """A 403 response (counted) when ``request`` may not use the server, else None."""
        from aiohttp import web

        why = self._refusal(request)
        if why is None:
            return None
        self.refused += 1
        return web.Response(status=403, text=f"403: {why}\n")

    async def _page(self, request: Any) -> Any:
        from aiohttp import web

        forbidden = self._forbidden(request)
        if forbidden is not None:
            return forbidden
        name = request.path.lstrip("/") or "index.html"
        body = (PAGE_DIR / name).read_bytes()
        response = web.Response(body=body, content_type=PAGE_FILES[name],
                                headers={"Cache-Control": "no-store",
                                         "X-Content-Type-Options": "nosniff"})
        if self.token is not None:
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        return response

    async def _heatmap_png(self, request: Any) -> Any:
        from aiohttp import web

        forbidden = self._forbidden(request)
        if forbidden is not None:
            return forbidden
        descriptor = request.query.get("descriptor", "")[:64]
        try:
            path = Path(self._heatmap(descriptor))
            if path.stat().st_size > MAX_HEATMAP_BYTES:
                raise ValueError("heatmap too large")
            body = path.read_bytes()
        except Exception as exc:  # noqa: BLE001 - any failure is a 404 with the reason
            return web.Response(status=404, text=f"404: {str(exc)[:200]}\n")
        return web.Response(body=body, content_type="image/png",
                            headers={"Cache-Control": "no-store"})

    async def _websocket(self, request: Any) -> Any:
        from aiohttp import WSMsgType, web

        why = self._refusal(request)
        peer = request.remote or "?"
        if why is None and (self.connections >= MAX_CONNECTIONS
                            or self._per_host.get(peer, 0) >= MAX_CONNECTIONS_PER_HOST):
            why = "too many connections"
        if why is not None:
            self.refused += 1
            return web.Response(status=403, text=f"403: {why}\n")
        ws = web.WebSocketResponse(max_msg_size=MAX_FRAME_BYTES, heartbeat=20.0)
        await ws.prepare(request)
        self._serial += 1
        sender = f"{ROUTED}web-{self._serial}-{peer}"
        outbox: asyncio.Queue[str] = asyncio.Queue(maxsize=MAX_OUTBOX)
        loop = asyncio.get_running_loop()

        def enqueue(text: str) -> None:
            if outbox.full():
                outbox.get_nowait()  # the oldest goes: a page that does not read loses it
                self.dropped_out += 1
            outbox.put_nowait(text)

        def deliver(address: str, args: tuple[Any, ...]) -> None:  # any thread
            text = encode_reply(address, args)
            try:
                loop.call_soon_threadsafe(enqueue, text)
            except RuntimeError:
                pass  # the loop is closing

        async def writer() -> None:
            while True:
                text = await outbox.get()
                await ws.send_str(text)

        self.connections += 1
        self._per_host[peer] = self._per_host.get(peer, 0) + 1
        self.osc.add_route(sender, deliver)
        task = asyncio.create_task(writer())
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    if message.type == WSMsgType.BINARY:
                        deliver("/error", ("?", "send JSON text frames"))
                    continue
                self.frames_in += 1
                size = len(message.data)
                try:
                    messages = decode_frame(message.data)
                except WebMessageError as exc:
                    # charged like a message, so a flood of bad frames meets the same budget
                    if self.osc.admit(sender, 0, size, 1, time.monotonic()):
                        self.osc.send(sender, "/error", ("?", str(exc)))
                    continue
                self.osc.handle_local(messages, sender, size=max(1, size // max(1, len(messages))))
        finally:
            task.cancel()
            self.osc.remove_route(sender)
            self.connections -= 1
            self._per_host[peer] -= 1
            if self._per_host[peer] <= 0:
                del self._per_host[peer]
        return ws


def print_qr(url: str, out: Any) -> None:
    """Draw ``url`` as a QR code in the terminal (for a phone's camera). Library: qrcode."""
    import qrcode

    code = qrcode.QRCode(border=1)
    code.add_data(url)
    code.print_ascii(out=out, invert=True)
