"""Model hot-swap on the server side: resolve a name in the models folder, validate the
checkpoint off the OSC thread, hand it to the audio process, and answer the sender.

Only plain names are accepted (``/model/load strings``, no paths, no ``..``): a client can load
any checkpoint directory inside ``--models-dir`` and nothing else. Loading a checkpoint runs no
code (see :mod:`synth_server.artifacts.checkpoint`); a refused load leaves the current model playing.
"""
from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Optional

from synth_server.core.memory import release_free_heap
from synth_server.core.contract import EngineEvent, LoadFailed, Swapped

log = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
Reply = Callable[[str, str, tuple[Any, ...]], None]


class ModelLibrary:
    """The checkpoint directories under one folder.

    Args:
        models_dir: folder holding one sub-folder per model.
    """

    def __init__(self, models_dir: str | Path):
        self.models_dir = Path(models_dir)

    def names(self) -> list[str]:
        """Sorted names of the sub-folders that hold a config.json."""
        if not self.models_dir.is_dir():
            return []
        return sorted(p.name for p in self.models_dir.iterdir()
                      if p.is_dir() and NAME_PATTERN.match(p.name) and (p / "config.json").is_file())

    def resolve(self, name: str) -> Path:
        """Directory of model ``name``.

        Raises:
            ValueError: not a plain name, no such model, or a symlink out of the folder
                (one line).
        """
        if not NAME_PATTERN.match(name):
            raise ValueError(f"{name[:64]!r} is not a model name (letters, digits, . _ -; "
                             "no paths)")
        path = self.models_dir / name
        if not path.is_dir():
            raise ValueError(f"no model {name!r} in {self.models_dir}")
        root = self.models_dir.resolve()
        if root not in path.resolve().parents:
            raise ValueError(f"{name!r} points outside {self.models_dir} (symlink)")
        return path


MAX_CACHED = 4
PRELOAD_DELAY_S = 10.0


def directory_signature(path: Path) -> tuple:
    """(name, size, mtime_ns) of the files directly in a checkpoint directory, sorted; changes
    when any file is rewritten (the training and fit commands replace files atomically)."""
    entries = []
    with os.scandir(path) as it:
        for entry in it:
            if entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                entries.append((entry.name, st.st_size, st.st_mtime_ns))
    return tuple(sorted(entries))


ACK_TIMEOUT_S = 30.0  # an engine that never answers a handover frees the slot after this
# at most two crossfades a second: each makes the audio process build a renderer beside the
# playing one (measured: 12 swaps a second gave 27 underruns in 4 s on a busy 2-core machine)
MIN_HANDOVER_INTERVAL_S = 0.5


class ModelLoader:
    """Loads requested models on a background thread, one at a time, and hands them to the
    engine one at a time.

    Loaded checkpoints are kept (the last MAX_CACHED, by directory) and reused while the
    directory's files are unchanged (same names, sizes and modification times): going back to a
    model skips the load, which costs 13 ms on an idle machine but 140-230 ms beside two busy
    Python threads (measured; the GIL). Validation happened when it was first loaded. With
    ``preload`` the loader also loads the library's other models (up to MAX_CACHED) while it is
    idle after start, so even a first /model/load of them is a cache hit.

    Exactly one load is in flight, and handovers are at least MIN_HANDOVER_INTERVAL_S apart:
    from the moment a request is taken until the engine
    acknowledges the handover (:class:`~synth_server.core.contract.Swapped` or
    :class:`~synth_server.core.contract.LoadFailed` through
    :meth:`on_event`, or ACK_TIMEOUT_S), the next request waits in a single pending slot. A
    newer request replaces the pending one, whose sender is answered
    ``/error /model/load "NAME: superseded by a newer /model/load"``. So a client flooding
    /model/load costs one validation and one crossfade at a time and no memory per request.
    Every exception while loading one model (a bad folder, a JSON the bounded reader refuses,
    a bug) is caught, reported in one line, and the loader keeps serving.

    Args:
        library: where names are resolved.
        submit: called with (checkpoint, requested_s) for a valid checkpoint (hands it to the
            audio process).
        reply: send(host, address, args) back to the requester.
        compatible: returns why a loaded checkpoint cannot replace the playing one (e.g. another
            sample rate), or None when it can.
    """

    def __init__(self, library: ModelLibrary, submit: Callable[[Any, float], None],
                 reply: Reply, compatible: Optional[Callable[[Any], Optional[str]]] = None,
                 initial: Optional[tuple[Path, Any]] = None, preload: bool = False):
        self.library = library
        self._cache: "OrderedDict[Path, tuple[tuple, Any]]" = OrderedDict()
        self._to_preload: list[str] = []
        # not while the audio engine starts: its first seconds are the most fragile
        self._preload_at = time.monotonic() + PRELOAD_DELAY_S
        if preload:
            try:
                self._to_preload = library.names()[:MAX_CACHED]
            except OSError:
                self._to_preload = []
        if initial is not None:
            self._remember(Path(initial[0]).resolve(), initial[1])
        self._compatible = compatible
        self._submit = submit
        self._reply = reply
        self._pending: Optional[tuple[str, float, str]] = None
        # (name, sender, handed over at) of the load the engine has not acknowledged yet
        self._in_flight: Optional[tuple[str, str, float]] = None
        self._handed_s = -MIN_HANDOVER_INTERVAL_S  # when the last one was handed over
        self._wake = threading.Condition()
        self._closed = False
        self.loaded = 0
        self.refused = 0
        self.superseded = 0
        self.unanswered = 0  # handovers the engine never acknowledged (ACK_TIMEOUT_S)
        from synth_server.control.osc_server import RateLimitedLog

        self._refusals = RateLimitedLog(logger=log, what="model refusals")
        self._thread = threading.Thread(target=self._run, name="model-loader", daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        """True while a handover waits for the engine's acknowledgement."""
        return self._in_flight is not None

    def request(self, name: str, requested_s: float, sender: str) -> None:
        """Ask for a load of ``name`` by ``sender`` at ``requested_s`` (monotonic); replaces a
        request that has not started yet (cheap: the receive thread calls it)."""
        with self._wake:
            dropped, self._pending = self._pending, (name, requested_s, sender)
            if dropped is not None:
                self.superseded += 1
            self._wake.notify()
        if dropped is not None and dropped[2]:
            self._reply(dropped[2], "/error", ("/model/load", f"{dropped[0][:64]}: superseded "
                                                              f"by a newer /model/load"))

    def _remember(self, path: Path, checkpoint: Any) -> None:
        self._cache[path] = (directory_signature(path), checkpoint)
        self._cache.move_to_end(path)
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)

    def _load(self, name: str) -> Any:
        """The checkpoint of ``name``, from the cache when its files are unchanged."""
        from synth_server.artifacts.checkpoint import load_checkpoint

        path = self.library.resolve(name).resolve()
        cached = self._cache.get(path)
        if cached is not None and cached[0] == directory_signature(path):
            self._cache.move_to_end(path)
            return cached[1]
        checkpoint = load_checkpoint(path)
        self._remember(path, checkpoint)
        return checkpoint

    def _preload(self, name: str) -> None:
        """Load ``name`` into the cache while idle; a bad model is only logged here (a later
        /model/load of it is refused with the reason)."""
        if len(self._cache) >= MAX_CACHED:
            return
        try:
            self._load(name)
        except Exception as exc:  # noqa: BLE001 - one bad folder must not stop the loader
            log.info("preload of %r skipped: %s", name[:80], one_line(exc))

    def _next(self) -> Optional[tuple[str, Any]]:
        """Wait for work: ("load", request), ("preload", name) or None when closed."""
        with self._wake:
            while not self._closed:
                now = time.monotonic()
                if self._in_flight is not None:
                    left = self._in_flight[2] + ACK_TIMEOUT_S - now
                    if left <= 0.0:
                        name, sender, _ = self._in_flight
                        self._in_flight = None
                        self.unanswered += 1
                        self._refusals.warning("model %r: the audio engine did not answer "
                                               "the handover in %.0f s", name[:80],
                                               ACK_TIMEOUT_S)
                        if sender:
                            self._reply(sender, "/error", ("/model/load", f"{name[:64]}: the "
                                                           "audio engine did not answer"))
                        continue
                    self._wake.wait(timeout=left)
                    continue
                if self._pending is not None:
                    wait_s = self._handed_s + MIN_HANDOVER_INTERVAL_S - now
                    if wait_s > 0.0:
                        self._wake.wait(timeout=wait_s)
                        continue
                    item, self._pending = self._pending, None
                    return "load", item
                wait_s = self._preload_at - now
                if self._to_preload and wait_s <= 0.0:
                    return "preload", self._to_preload.pop(0)
                self._wake.wait(timeout=wait_s if self._to_preload else None)
        return None

    def _run(self) -> None:
        while True:
            work = self._next()
            if work is None:
                return
            try:
                if work[0] == "preload":
                    self._preload(work[1])
                else:
                    self._handle(*work[1])
            except Exception:  # noqa: BLE001 - never let the loader thread die
                log.exception("model loader: unexpected error (the loader keeps serving)")
                with self._wake:
                    self._in_flight = None
            release_free_heap()  # reading a checkpoint frees most of what it allocated

    def _handle(self, name: str, requested_s: float, sender: str) -> None:
        """Validate ``name`` and hand it over; every failure is one reply and one log line."""
        try:
            checkpoint = self._load(name)
            why = self._compatible(checkpoint) if self._compatible else None
            if why:
                raise ValueError(f"{name}: {why}")
        except Exception as exc:  # noqa: BLE001 - any bad folder: refuse it, keep serving
            self.refused += 1
            reason = one_line(exc)
            self._refusals.warning("model %r refused: %s", name[:80], reason)
            if sender:
                self._reply(sender, "/error", ("/model/load", reason))
            return
        with self._wake:
            self._handed_s = time.monotonic()
            self._in_flight = (checkpoint.name, sender, self._handed_s)
        try:
            self._submit(checkpoint, requested_s)
        except Exception as exc:  # noqa: BLE001 - the audio process is gone or busy
            self.refused += 1
            with self._wake:
                self._in_flight = None
            if sender:
                self._reply(sender, "/error", ("/model/load", f"cannot hand over: "
                                                              f"{one_line(exc)}"))

    def on_event(self, event: EngineEvent) -> None:
        """Engine events: :class:`~synth_server.core.contract.Swapped` or
        :class:`~synth_server.core.contract.LoadFailed` acknowledges the load in flight and lets
        the next one go; others are ignored."""
        if not isinstance(event, (Swapped, LoadFailed)):
            return
        with self._wake:
            waiting, self._in_flight = self._in_flight, None
            self._wake.notify()
        name, sender = (waiting[0], waiting[1]) if waiting else ("", "")
        match event:
            case Swapped(model_name=name, latent_dim=latent_dim, hotswap_ms=hotswap_ms):
                self.loaded += 1
                log.info("now playing %s (latent_dim %d; heard %.0f ms after the request)",
                         name, latent_dim, hotswap_ms)
                if sender:
                    self._reply(sender, "/model/loaded",
                                (name, int(latent_dim), float(hotswap_ms)))
            case LoadFailed(reason=reason):
                self.refused += 1
                self._refusals.warning("model %r refused by the audio engine: %s", name[:80],
                                       reason[:200])
                if sender:
                    self._reply(sender, "/error", ("/model/load", reason[:200]))

    def close(self) -> None:
        """Stop the loader thread (a pending request is dropped)."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join(timeout=5)


def one_line(exc: BaseException) -> str:
    """An exception as one line of at most 200 characters (its type when it has no text)."""
    text = str(exc).splitlines()[0] if str(exc).strip() else ""
    return (text or type(exc).__name__)[:200]
