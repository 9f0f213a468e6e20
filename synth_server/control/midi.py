"""MIDI in: a JACK MIDI input port (live) and MIDI files (offline), both as OSC messages.

MIDI never has its own path into the instrument: every MIDI event becomes the (address, args)
message an OSC client would send (:func:`translate`), and those messages go through the same
validation, dispatch and per-sender budget as OSC packets (``OscServer.handle_local`` with the
sender identity :data:`MIDI_SENDER`; ``render --midi`` through the render Controller). The
mapping (documented in docs/midi.md):

=====================================  ==============================================
MIDI (any channel)                     message
=====================================  ==============================================
note on, velocity v > 0                ``/note/on midi_pitch v``
note off, or note on with velocity 0   ``/note/off midi_pitch``
pitch bend (14 bit)                    ``/pitchbend semitones`` (+-``bend_range``, default 2)
CC 64 sustain pedal                    ``/sustain 1`` (value >= 64) or ``/sustain 0``
CC 123 all notes off, CC 120 sound     ``/note/all_off``
CC 121 reset all controllers           ``/pitchbend 0``, ``/sustain 0``
CC 1 (mod wheel) / CC 74 (brightness)  ``/pad x y``: x / y = value / 127, the other kept
CC 20 .. 27                            ``/slider 0..7 value/127``
=====================================  ==============================================

Live input uses python-rtmidi's JACK API: its C++ JACK process callback copies each event into
a bounded queue (``queue_size_limit``) and no Python runs in JACK's real-time thread (a Python
process callback, as JACK-Client's, stalls the whole JACK graph whenever another thread holds
the GIL: benchmarks/midi_gil.py measured 1530 and 4151 jackd xruns against 4 and 0; see
docs/midi.md). A Python thread polls that queue
every ``poll_s``, coalesces continuous controllers (only the newest /pad, /pitchbend and
/slider k of a poll is sent) and delivers the messages. A flood is bounded three times: rtmidi's
queue holds QUEUE_SIZE events (it drops the rest, printing a line each), a poll translates at
most TRANSLATE_PER_POLL events plus the releases (:func:`is_release`: no note is left hanging),
and the OSC server's per-sender token bucket admits at most its rate of messages. Port
connections use JACK-Client without a process callback.

Sources: MIDI 1.0 Detailed Specification (MMA, 1996) for the status bytes, pitch-bend and
controller numbers; python-rtmidi (RtMidi, G. Scavone) and JACK-Client (M. Geier) for JACK;
mido for MIDI files.
"""
from __future__ import annotations

import logging
import math
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

log = logging.getLogger(__name__)

Message = tuple[str, tuple[Any, ...]]
TimedMessage = tuple[float, str, tuple[Any, ...]]

MIDI_SENDER = "midi"  # sender identity of live MIDI in the OSC server (never an IP address)
DEFAULT_CLIENT_NAME = "synth-server"
DEFAULT_PORT_NAME = "midi_in"
QUEUE_SIZE = 4096  # events rtmidi holds between two polls (older ones are dropped by rtmidi)
POLL_S = 0.002  # how often the queue is read (measured: 1.1 % of a core idle)
MAX_EVENTS_PER_POLL = QUEUE_SIZE  # a poll reads at most what the queue can hold
TRANSLATE_PER_POLL = 256  # beyond this many events in one poll only releases are kept
RESCAN_S = 1.0  # how often new MIDI outputs are looked for and connected
MAX_LISTED_SOURCES = 64  # source ports named in the summary (a flapping device is listed once)
MAX_MIDI_FILE_BYTES = 4 * 1024 * 1024  # MIDI files are rarely over 1 MB
MAX_MIDI_FILE_EVENTS = 500_000


class MidiError(ValueError):
    """MIDI input that cannot be used: no JACK server, a MIDI file that cannot be read, a
    time out of range. The message is one line."""


@dataclass(frozen=True)
class MidiMap:
    """Which MIDI controllers move what (see the module docstring and docs/midi.md).

    Attributes:
        bend_range: pitch bend at full deflection, semitones (General MIDI default: 2).
        pad_x_cc: controller number moving the pad's x (1: modulation wheel).
        pad_y_cc: controller number moving the pad's y (74: brightness / filter cutoff,
            the MPE timbre controller).
        slider_ccs: controller numbers of sliders 0, 1, ... (20 .. 27: undefined in MIDI 1.0,
            free for this use).
    """

    bend_range: float = 2.0
    pad_x_cc: int = 1
    pad_y_cc: int = 74
    slider_ccs: tuple[int, ...] = tuple(range(20, 28))


DEFAULT_MAP = MidiMap()
SUSTAIN_CC, SOUND_OFF_CC, RESET_CC, ALL_NOTES_OFF_CC = 64, 120, 121, 123


def translate(data: Sequence[int], pad: tuple[float, float],
              mapping: MidiMap = DEFAULT_MAP) -> list[Message]:
    """The OSC messages of one MIDI channel message.

    Args:
        data: the message bytes (status, data1[, data2]), e.g. ``[0x90, 60, 100]``; running
            status is not accepted (rtmidi and mido give complete messages).
        pad: the pad's (x, y) now, in [0, 1]: a controller moving one axis keeps the other.
        mapping: controller assignments and pitch-bend range.
    Returns:
        (address, args) messages, possibly none (system, aftertouch, program change and
        unmapped controllers are ignored; so are malformed messages). Numbers are Python ints
        (pitch, velocity, slider index, sustain) and floats (pad, slider value, semitones).
    Source: MIDI 1.0 Detailed Specification, channel voice and mode messages.
    """
    if len(data) < 2:
        return []
    status = int(data[0])
    kind = status & 0xF0
    if status < 0x80 or status >= 0xF0 or any(not 0 <= int(b) <= 127 for b in data[1:3]):
        return []
    if kind in (0x80, 0x90, 0xB0, 0xE0) and len(data) < 3:
        return []
    if kind == 0x90 and int(data[2]) > 0:
        return [("/note/on", (int(data[1]), int(data[2])))]
    if kind in (0x80, 0x90):
        return [("/note/off", (int(data[1]),))]
    if kind == 0xE0:
        value = int(data[1]) | (int(data[2]) << 7)  # 0 .. 16383, centre 8192
        offset = value - 8192
        semitones = mapping.bend_range * offset / (8191.0 if offset > 0 else 8192.0)
        return [("/pitchbend", (float(semitones),))]
    if kind != 0xB0:
        return []
    number, value = int(data[1]), int(data[2])
    if number == SUSTAIN_CC:
        return [("/sustain", (1 if value >= 64 else 0,))]
    if number in (ALL_NOTES_OFF_CC, SOUND_OFF_CC):
        return [("/note/all_off", ())]
    if number == RESET_CC:
        return [("/pitchbend", (0.0,)), ("/sustain", (0,))]
    if number == mapping.pad_x_cc:
        return [("/pad", (value / 127.0, float(pad[1])))]
    if number == mapping.pad_y_cc:
        return [("/pad", (float(pad[0]), value / 127.0))]
    if number in mapping.slider_ccs:
        return [("/slider", (mapping.slider_ccs.index(number), value / 127.0))]
    return []


def is_release(data: Sequence[int]) -> bool:
    """True for a message that ends sound or must not be lost in a flood: note off (or note
    on with velocity 0), the sustain pedal (CC 64), all sound / notes off (CC 120, 123)."""
    if len(data) < 3:
        return False
    kind = int(data[0]) & 0xF0
    return kind == 0x80 or (kind == 0x90 and int(data[2]) == 0) or (
        kind == 0xB0 and int(data[1]) in (SUSTAIN_CC, SOUND_OFF_CC, ALL_NOTES_OFF_CC))


def _continuous_key(message: Message) -> Optional[tuple[Any, ...]]:
    """What a newer message of the same kind replaces, or None for messages that all count
    (notes, sustain)."""
    address, args = message
    if address in ("/pad", "/pitchbend"):
        return (address,)
    if address == "/slider":
        return (address, args[0])
    return None


def coalesce(messages: Sequence[Message]) -> list[Message]:
    """Keep every note and pedal message, but only the newest /pad, /pitchbend and /slider k
    (each at the place of its newest occurrence): a controller sweep read in one poll is one
    message, so a controller flood cannot crowd out the notes."""
    seen: set[tuple[Any, ...]] = set()
    kept: list[Message] = []
    for message in reversed(messages):
        key = _continuous_key(message)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        kept.append(message)
    kept.reverse()
    return kept


class Translator:
    """Stateful wrapper of :func:`translate` that remembers the pad the MIDI moved.

    Args:
        pad: returns the pad (x, y) now (the live controller's, so a /pad from OSC is kept
            when a controller moves one axis), read by :meth:`refresh`; None: start at
            (0.5, 0.5) and follow only MIDI.
        mapping: controller assignments.
    """

    def __init__(self, pad: Optional[Callable[[], tuple[float, float]]] = None,
                 mapping: MidiMap = DEFAULT_MAP):
        self._pad_now = pad
        self._pad = (0.5, 0.5)
        self.mapping = mapping
        self.refresh()

    def refresh(self) -> None:
        """Take the pad from ``pad()`` (before a batch of events: within it, the pad the
        batch's own controllers moved wins, as they are not applied yet)."""
        if self._pad_now is not None:
            x, y = self._pad_now()
            self._pad = (float(x), float(y))

    def __call__(self, data: Sequence[int]) -> list[Message]:
        """Messages of one MIDI message (see :func:`translate`)."""
        messages = translate(data, self._pad, self.mapping)
        for address, args in messages:
            if address == "/pad":
                self._pad = (float(args[0]), float(args[1]))
        return messages


# -- MIDI files -----------------------------------------------------------------------------

def midi_file_events(path: str | Path, max_time_s: float, mapping: MidiMap = DEFAULT_MAP,
                     max_events: int = MAX_MIDI_FILE_EVENTS) -> list[TimedMessage]:
    """The timed messages of a Standard MIDI File, as ``render --score`` plays them.

    Args:
        path: .mid file (type 0, 1 or 2; tracks are merged, tempo changes followed, by mido).
        max_time_s: latest accepted event time (s).
        mapping: controller assignments.
        max_events: most messages accepted.
    Returns:
        (time_s, address, args) in time order (see :func:`translate`).
    Raises:
        MidiError: not a MIDI file, corrupt, larger than MAX_MIDI_FILE_BYTES, more than
            ``max_events`` messages, or an event later than ``max_time_s`` (one line).
    Source: mido.MidiFile (Standard MIDI File 1.0).
    """
    import mido

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MidiError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > MAX_MIDI_FILE_BYTES:
        raise MidiError(f"{path}: {size} bytes; MIDI files over {MAX_MIDI_FILE_BYTES} bytes "
                        "are refused")
    try:
        midi = mido.MidiFile(path, clip=False)
        if not midi.tracks:
            raise MidiError(f"{path}: not a readable MIDI file (no tracks)")
        if midi.ticks_per_beat <= 0:
            raise MidiError(f"{path}: SMPTE time division is not supported (ticks per beat "
                            "only)")
        translator = Translator(mapping=mapping)
        events: list[TimedMessage] = []
        time_s = 0.0
        for message in midi:  # merged tracks, delta times in seconds (tempo map applied)
            time_s += float(message.time)
            if not math.isfinite(time_s) or time_s > max_time_s:
                raise MidiError(f"{path}: an event at {time_s:g} s is past the "
                                f"{max_time_s:g} s limit")
            if message.is_meta or message.type == "sysex":
                continue
            for address, args in translator(message.bytes()):
                events.append((time_s, address, args))
                if len(events) > max_events:
                    raise MidiError(f"{path}: more than {max_events} messages")
    except MidiError:
        raise
    except OSError as exc:
        if exc.errno is not None:  # the file itself (mido's format errors have no errno)
            raise MidiError(f"cannot read {path}: {exc.strerror or exc}") from None
        raise MidiError(f"{path}: not a readable MIDI file ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - mido raises many types on a corrupt file
        reason = (str(exc).splitlines() or [""])[0][:200] or type(exc).__name__
        raise MidiError(f"{path}: not a readable MIDI file ({reason})") from None
    return events


# -- live JACK MIDI input -------------------------------------------------------------------

class MidiInput:
    """A JACK MIDI input port whose events are delivered as OSC messages.

    Args:
        deliver: called on the MIDI thread with (messages, received_s): the coalesced messages
            of one poll and time.monotonic() when they were read; returns the replies
            (``/error`` ones are counted in ``rejected``; the OSC server logs them).
        pad: returns the pad (x, y) now (see :class:`Translator`).
        connect: None: connect to no one (``jack_connect`` by hand); "": every MIDI output of
            other clients; else a JACK port-name regular expression (JACK's own matching, as
            ``jack_lsp``) of the outputs to connect. Outputs that appear later are connected
            within RESCAN_S.
        client_name, port_name: the JACK names (the port is ``client_name:port_name``).
        mapping: controller assignments.
        poll_s: seconds between reads of rtmidi's queue.
        queue_size: events rtmidi's queue holds (bounded: more are dropped by rtmidi).
    The JACK server is the one JACK clients find (``JACK_DEFAULT_SERVER``); none is started.

    Attributes:
        events: MIDI events read; messages: messages delivered; coalesced: controller
            messages replaced by a newer one of the same poll; ignored: events that map to
            nothing; dropped: events past TRANSLATE_PER_POLL in one poll that were not
            releases; rejected: messages answered /error (unknown address, bad value);
            connected: source ports connected so far (each once, at most MAX_LISTED_SOURCES).
    """

    def __init__(self, deliver: Callable[[list[Message], float], list[Message]],
                 pad: Optional[Callable[[], tuple[float, float]]] = None,
                 connect: Optional[str] = "", client_name: str = DEFAULT_CLIENT_NAME,
                 port_name: str = DEFAULT_PORT_NAME, mapping: MidiMap = DEFAULT_MAP,
                 poll_s: float = POLL_S, queue_size: int = QUEUE_SIZE):
        self._deliver = deliver
        self._translate = Translator(pad, mapping)
        self.connect_pattern = connect
        self.client_name = client_name
        self.port_name = port_name
        self.poll_s = poll_s
        self.queue_size = queue_size
        self.events = 0
        self.messages = 0
        self.coalesced = 0
        self.ignored = 0
        self.rejected = 0
        self.dropped = 0
        self.connected: list[str] = []
        self.port = ""  # full JACK name of our input port, once open
        self._midi_in: Any = None
        self._jack: Any = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        from synth_server.control.osc_server import RateLimitedLog

        self._errors = RateLimitedLog(logger=log, what="MIDI errors")

    def start(self) -> None:
        """Open the port, connect the sources and start the MIDI thread.

        Raises:
            MidiError: no JACK server (or python-rtmidi without JACK), one line.
        """
        try:
            import rtmidi
        except ImportError as exc:
            raise MidiError(f"--midi needs python-rtmidi (pip install python-rtmidi): "
                            f"{(str(exc).splitlines() or [''])[0]}") from None
        if rtmidi.API_UNIX_JACK not in rtmidi.get_compiled_api():
            raise MidiError("this python-rtmidi was built without JACK support")
        server = os.environ.get("JACK_DEFAULT_SERVER", "default")
        try:
            import jack

            self._jack = jack.Client(f"{self.client_name}-midi-connect", no_start_server=True)
        except Exception as exc:  # noqa: BLE001 - jack.JackOpenError, OSError (no libjack)
            raise MidiError(f"--midi: no JACK server {server!r} running "
                            f"({type(exc).__name__}); start jackd first") from None
        try:
            midi_in = rtmidi.MidiIn(rtmidi.API_UNIX_JACK, name=self.client_name,
                                    queue_size_limit=self.queue_size)
            midi_in.ignore_types(sysex=True, timing=True, active_sense=True)
            midi_in.open_virtual_port(self.port_name)
        except Exception as exc:  # noqa: BLE001 - rtmidi raises its own error types
            self._jack.close()
            raise MidiError(f"--midi: cannot open a JACK MIDI port on {server!r}: "
                            f"{(str(exc).splitlines() or [type(exc).__name__])[0]}") from None
        self._midi_in = midi_in
        self.port = self._own_port()
        self._connect_sources()
        self._thread = threading.Thread(target=self._run, name="midi", daemon=True)
        self._thread.start()

    def _own_port(self) -> str:
        """Our port's full name (JACK may have renamed the client if the name was taken)."""
        ports = self._jack.get_ports(f":{self.port_name}$", is_midi=True, is_input=True)
        mine = [p.name for p in ports if p.name.startswith(self.client_name)]
        return mine[-1] if mine else f"{self.client_name}:{self.port_name}"

    def _connect_sources(self) -> None:
        """Connect the MIDI outputs matching the pattern that are not connected yet."""
        if self.connect_pattern is None or self._jack is None:
            return
        try:
            sources = self._jack.get_ports(self.connect_pattern, is_midi=True, is_output=True)
            done = {p.name for p in self._jack.get_all_connections(self.port)}
        except Exception as exc:  # noqa: BLE001 - the JACK server may be going away
            self._errors.warning("MIDI: cannot list JACK ports: %s", exc)
            return
        own_client = self.port.split(":", 1)[0]
        for source in sources:
            if source.name in done or source.name.split(":", 1)[0] == own_client:
                continue
            try:
                self._jack.connect(source.name, self.port)
            except Exception as exc:  # noqa: BLE001 - a port that vanished meanwhile
                self._errors.warning("MIDI: cannot connect %s: %s", source.name, exc)
                continue
            if source.name not in self.connected and len(self.connected) < MAX_LISTED_SOURCES:
                self.connected.append(source.name)
            log.info("MIDI: %s -> %s", source.name, self.port)

    def _run(self) -> None:
        next_scan = time.monotonic() + RESCAN_S
        while not self._stop.wait(self.poll_s):
            while self._poll() >= MAX_EVENTS_PER_POLL and not self._stop.is_set():
                pass  # the queue was full: read on at once
            now = time.monotonic()
            if now >= next_scan:
                next_scan = now + RESCAN_S
                self._connect_sources()

    def _poll(self) -> int:
        """Read rtmidi's queue (at most MAX_EVENTS_PER_POLL events), translate, coalesce and
        deliver; returns the number of events read. Past TRANSLATE_PER_POLL events only the
        releases (note off, sustain pedal, all notes off) are kept, so a flood costs a bounded
        share of a core and leaves no note hanging."""
        get_message = self._midi_in.get_message
        raw: list[Sequence[int]] = []
        for _ in range(MAX_EVENTS_PER_POLL):
            event = get_message()
            if event is None:
                break
            raw.append(event[0])
        if not raw:
            return 0
        now = time.monotonic()
        n_read = len(raw)
        self.events += n_read
        if n_read > TRANSLATE_PER_POLL:
            kept = raw[:TRANSLATE_PER_POLL] + [e for e in raw[TRANSLATE_PER_POLL:]
                                                if is_release(e)]
            self.dropped += len(raw) - len(kept)
            raw = kept
        self._translate.refresh()
        batch: list[Message] = []
        for data in raw:
            translated = self._translate(data)
            if not translated:
                self.ignored += 1
            batch.extend(translated)
        if batch:
            kept_messages = coalesce(batch)
            self.coalesced += len(batch) - len(kept_messages)
            self.messages += len(kept_messages)
            try:
                replies = self._deliver(kept_messages, now)
            except Exception:  # noqa: BLE001 - the MIDI thread must outlive any message
                log.exception("unexpected error delivering MIDI")
                replies = []
            # the OSC server logs each rejection (rate-limited, "from midi"); count them
            self.rejected += sum(1 for address, _ in replies if address == "/error")
        return n_read

    def stop(self) -> dict[str, Any]:
        """Stop the thread and close the port; returns the counters for the session summary."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._midi_in is not None:
            self._midi_in.close_port()
            self._midi_in.delete()
            self._midi_in = None
        if self._jack is not None:
            self._jack.close()
            self._jack = None
        return {"midi_port": self.port, "midi_connected": list(self.connected),
                "midi_events": self.events, "midi_messages": self.messages,
                "midi_coalesced": self.coalesced, "midi_ignored": self.ignored,
                "midi_dropped": self.dropped, "midi_rejected": self.rejected}

