"""Command line: the only place flags are read.

    synth-server dataset toy|soundfont|folder --out DIR [--force]
    synth-server train --data DIR --out models/NAME
    synth-server serve --model DIR [--models-dir DIR] [--device NAME|null] [--port 7400]
                       [--reply-port 7401] [--blocksize N] [--synthesis-hop N]
                       [--record FILE.wav [--record-max-mb MB]
                       [--record-min-free-mb MB]] [--duration S] [--midi [PORT]]
    synth-server render --model DIR (--pad-path CSV | --score CSV | --midi FILE.mid) --out FILE.wav
                        [--duration S] [--force]
    synth-server devices
    synth-server send ADDRESS [ARGS...] [--port 7400] [--wait S]
    synth-server monitor [--port 7400] [--rate HZ]
"""
from __future__ import annotations

import argparse
import errno
import json
import logging
import math
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Optional, Sequence

# dataset, train, fit-* and evaluate are implemented in commands_data / commands_model
from synth_server.app.commands_data import _int_list, cmd_dataset
from synth_server.app.commands_model import (cmd_evaluate, cmd_fit_descriptors, cmd_fit_manifolds,
                                             cmd_train)
from synth_server.app.console import _fail, _say
from synth_server.core.config import MAX_RENDER_S
from synth_server.control.addresses import DEFAULT_PORT, DEFAULT_REPLY_PORT
from synth_server.control.web import DEFAULT_WEB_PORT
from synth_server.engine.recorder import DEFAULT_MAX_MB, DEFAULT_MIN_FREE_MB, WAV_MAX_MB

log = logging.getLogger("synth_server")


# -- serve --------------------------------------------------------------------------------

def _load(model: str) -> Any:
    from synth_server.artifacts.checkpoint import CheckpointError, load_checkpoint

    try:
        return load_checkpoint(model)
    except CheckpointError as exc:
        raise SystemExit(_fail(f"cannot load model: {exc}")) from None


def _fresh_path(path: str) -> str:
    """``path``, or ``NAME-1.wav``, ``NAME-2.wav``... when it exists: a recording is a take
    that cannot be played again, so serve never writes over one."""
    candidate, n = Path(path), 0
    while candidate.exists():
        n += 1
        candidate = Path(path).with_name(f"{Path(path).stem}-{n}{Path(path).suffix}")
    return str(candidate)


def _parse_device(text: Optional[str]) -> Any:
    if text is None:
        return None
    if text.lower() in ("null", "none"):
        return "null"
    return int(text) if text.isdigit() else text


def cmd_serve(args: argparse.Namespace) -> int:
    from synth_server.engine.stream import AudioDeviceError, output_devices
    from synth_server.app.server import Server
    from synth_server.control.midi import MidiError

    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)  # first: a signal during start-up still stops cleanly
    from synth_server.control.osc_server import is_loopback_host, parse_allow

    if not is_loopback_host(args.host) and not args.allow:
        return _fail(f"--host {args.host} opens the server to the network: say who may play "
                     "it with --allow (e.g. --allow 192.168.1.0/24)")
    try:
        parse_allow(args.allow or [])
    except ValueError as exc:
        return _fail(str(exc))
    checkpoint = _load(args.model)  # refuse a bad model here, in one line, before any audio
    from synth_server.engine.realtime import check_synthesis_hop, default_synthesis_hop

    stft = checkpoint.stft
    synthesis_hop = args.synthesis_hop
    if synthesis_hop is None:
        synthesis_hop = default_synthesis_hop(int(stft.hop_length), args.blocksize,
                                              int(stft.n_fft))
    problem = check_synthesis_hop(synthesis_hop, int(stft.hop_length), int(stft.n_fft))
    if problem is not None:
        divisors = [h for h in range(1, int(stft.hop_length) + 1)
                    if check_synthesis_hop(h, int(stft.hop_length), int(stft.n_fft)) is None]
        return _fail(f"--synthesis-hop: {checkpoint.name}: {problem} (it takes "
                     f"{', '.join(str(h) for h in divisors[-4:])})")
    device = _parse_device(args.device)
    from synth_server.engine.recorder import MB, RecordError, RecordSpec, check_free_space, \
        duration_text

    record = _fresh_path(args.record) if args.record else None
    if record is not None and record != args.record:
        _say(f"{args.record} exists: recording to {record} instead")
    spec = None
    if record is not None:
        spec = RecordSpec(record, int(args.record_max_mb * MB), int(args.record_min_free_mb * MB))
        try:
            check_free_space(record, spec.min_free_bytes)
        except RecordError as exc:
            return _fail(str(exc))
        cap_s = spec.cap_seconds(checkpoint.stft.sample_rate, 2)
        record_text = (f"recording to {record} (at most {args.record_max_mb:g} MB, "
                       f"{duration_text(cap_s)})")
    reason = None
    if device == "null":
        device, reason = None, "--device null"
    elif device is None:
        try:
            device = _default_output_device() if output_devices() else None
            if device is None:
                reason = "no audio output device found"
        except AudioDeviceError as exc:
            reason = str(exc)

    token = None
    if not args.no_web and not is_loopback_host(args.host):
        import secrets

        token = secrets.token_urlsafe(16)  # the page on a network needs it (403 without)

    def make(dev: Any, rec: Optional[RecordSpec]) -> Server:
        server = Server(args.model, checkpoint.name, dev, args.blocksize, rec,
                        args.host, args.port, args.reply_port,
                        args.models_dir or Path(args.model).resolve().parent,
                        args.allow, presets=args.presets, midi=args.midi,
                        web_port=None if args.no_web else args.web_port, web_token=token,
                        synthesis_hop=synthesis_hop)
        server.start()
        return server

    try:
        try:
            server = make(device, spec)
        except AudioDeviceError as exc:
            reason = str(exc)
            server = make(None, spec)
    except (RuntimeError, AudioDeviceError) as exc:
        return _fail(str(exc))
    except MidiError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot listen for OSC on {args.host}:{args.port}: {exc}")

    if reason is not None:
        _say(f"no audio output ({reason}); playing on an internal real-time clock, "
             + (record_text if record else "not recording (add --record FILE.wav to keep the "
                "sound)"))
    else:
        _say(f"playing {checkpoint.name} on device {device!r} "
             f"({checkpoint.stft.sample_rate} Hz, block {args.blocksize}, synthesis hop "
             f"{synthesis_hop} in the audio callback; measured latency: /state/latency_ms)"
             + (f", {record_text}" if record else ""))
    _say(f"OSC on {args.host}:{server.osc.port} (replies to port {args.reply_port}); "
         f"try: oscsend localhost {server.osc.port} /pad ff 0.2 0.8")
    if server.web_error is not None:
        _say(f"{server.web_error} (choose another with --web-port); playing without the page")
    if server.web is not None:
        url = server.web.url
        if token is not None and args.host in ("0.0.0.0", "::"):
            url = url.replace("127.0.0.1", _lan_address(), 1)
        _say(f"play in a browser: {url}")
        if token is not None:
            from synth_server.control.web import print_qr

            print_qr(url, sys.stdout)  # for a phone's camera
    if server.midi is not None:
        sources = ", ".join(server.midi.connected) or "none yet"
        _say(f"MIDI in on JACK port {server.midi.port} (connected: {sources}; "
             "see docs/midi.md for the mapping)")

    started = time.monotonic()
    while not stop.is_set() and server.alive:
        # --duration counts the audio played, not the wall time since this loop began: the
        # engine (and a recording) started before the messages above, seconds earlier on a
        # busy machine
        remaining = None if args.duration is None else args.duration - server.played_s
        if remaining is not None and remaining <= 0:
            break
        stop.wait(0.25 if remaining is None else min(0.25, remaining))
    crashed = not server.alive and not stop.is_set()
    summary = {"event": "stopped", "seconds": round(time.monotonic() - started, 3),
               **server.stop()}
    print(json.dumps(summary), flush=True)
    if crashed:
        return _fail("the audio process stopped unexpectedly")
    return 0


def _lan_address() -> str:
    """This machine's address on its default route (no packet is sent), for the page's URL
    when serve listens on every interface; 127.0.0.1 when there is no network."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: routing only
            return sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def _default_output_device() -> Any:
    """The PortAudio default output device index (None when PortAudio has none)."""
    from synth_server.engine.stream import import_sounddevice

    sd = import_sounddevice()
    index = sd.default.device[1]
    return None if index is None or index < 0 else index


# -- render -------------------------------------------------------------------------------

def _temp_beside(path: Path) -> Path:
    """A new, empty file next to ``path`` (same folder, so os.replace is one rename) whose name
    ends like ``path`` (so the audio format is still chosen by the extension)."""
    import secrets

    while True:
        candidate = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.part{path.suffix}")
        try:  # created with the mode a new file normally gets (0666 less the umask)
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return candidate
        except FileExistsError:
            continue


def _publish(temp: Path, out: Path, replace: bool) -> None:
    """Move the finished ``temp`` to ``out`` in one rename. Without ``replace`` an ``out`` that
    appeared meanwhile is kept (FileExistsError) where the filesystem has hard links."""
    if replace:
        os.replace(temp, out)
        return
    try:
        os.link(temp, out)  # FileExistsError if out exists: never replaces it
    except FileExistsError:
        raise
    except OSError:  # no hard links here (e.g. some network or FAT filesystems)
        if out.exists():
            raise FileExistsError(errno.EEXIST, "file exists", str(out)) from None
        os.replace(temp, out)
    else:
        temp.unlink()


def cmd_render(args: argparse.Namespace) -> int:
    """``synth-server render``: stream a pad path and/or a score to an audio file.

    The audio is written block by block to a temporary file beside ``--out`` and renamed at
    the end; an existing ``--out`` is refused unless ``--force``. Returns the exit status (2 on
    refused input, in one line).
    """
    import soundfile as sf

    from synth_server.app.render import (DEFAULT_TAIL_S, OfflineRender, RenderError,
                                          ScoreError, events_end_s, merge_events,
                                             read_midi, read_pad_path, read_score)

    out = Path(args.out)
    if out.exists() and not args.force:
        return _fail(f"{out} exists: not overwriting it (use --force to replace it)")
    if out.is_dir():
        return _fail(f"{out} is a folder")
    audio_format = out.suffix[1:].upper()
    if audio_format not in sf.available_formats() or not sf.check_format(audio_format, "FLOAT"):
        kind = f"a {out.suffix!r} file" if out.suffix else "a file without an extension"
        return _fail(f"{out}: cannot write 32-bit float audio to {kind} (use .wav)")
    try:
        sources: list[Any] = []
        if args.pad_path:
            sources.append(read_pad_path(args.pad_path, max_time_s=MAX_RENDER_S))
        if args.score:
            sources.append(read_score(args.score, max_time_s=MAX_RENDER_S))
        if args.midi:
            sources.append(read_midi(args.midi, max_time_s=MAX_RENDER_S))
    except ScoreError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot read {exc.filename or ''}: {exc.strerror or exc}")
    checkpoint = _load(args.model)
    duration = args.duration
    if duration is None:
        end = events_end_s(*sources)
        duration = min((end if end is not None else 0.0) + DEFAULT_TAIL_S, MAX_RENDER_S)
    try:
        render = OfflineRender(checkpoint, merge_events(*sources), duration, phase=args.phase,
                               max_duration_s=MAX_RENDER_S)
    except RenderError as exc:
        return _fail(str(exc))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        temp = _temp_beside(out)
    except OSError as exc:
        return _fail(f"cannot write beside {out}: {exc.strerror or exc}")

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # like Ctrl-C: the temporary file is removed
    started = time.perf_counter()
    written = 0
    try:
        try:
            with sf.SoundFile(temp, "w", samplerate=render.sample_rate, channels=render.channels,
                              subtype="FLOAT") as fh:
                for block in render.blocks():
                    fh.write(block)
                    written += len(block)
        except (TypeError, ValueError, RuntimeError, OSError) as exc:  # libsndfile, disk full
            return _fail(f"cannot write {out}: {(str(exc).splitlines() or [type(exc).__name__])[0]}")
        except KeyboardInterrupt:
            _fail(f"interrupted: {out} not written")
            return 130
        seconds = time.perf_counter() - started
        try:
            _publish(temp, out, replace=args.force)
        except FileExistsError:
            return _fail(f"{out} appeared while rendering: not overwriting it (use --force)")
        except OSError as exc:
            return _fail(f"cannot write {out}: {exc.strerror or exc}")
    finally:
        temp.unlink(missing_ok=True)
    for line in render.errors:
        print(f"synth-server: rejected {line}", file=sys.stderr)
    duration = written / render.sample_rate
    _say(f"wrote {out} ({duration:.2f} s, rendered {duration / max(seconds, 1e-9):.1f}x "
         "real time)")
    return 0


# -- devices ------------------------------------------------------------------------------

def cmd_devices(_args: argparse.Namespace) -> int:
    from synth_server.engine.stream import AudioDeviceError, output_devices

    try:
        devices = output_devices()
    except AudioDeviceError as exc:
        return _fail(str(exc))
    if not devices:
        _say("no audio output devices (serve will play on its internal clock; --record FILE.wav "
             "keeps the sound)")
    for d in devices:
        print(f"{d['index']:3d}  {d['name']}  ({d['hostapi']}, {d['channels']} ch, "
              f"{d['default_samplerate']:.0f} Hz)")
    return 0


# -- send / monitor -----------------------------------------------------------------------

def _print_message(data: bytes) -> None:
    from synth_server.control.osc_server import OscPacketError, iter_messages

    try:
        for address, values in iter_messages(data):
            print(" ".join([address, *[f"{v:.6g}" if isinstance(v, float) else str(v)
                                       for v in values]]), flush=True)
    except OscPacketError as exc:
        print(f"(unreadable packet: {exc})", flush=True)


def _reply_socket(port: int) -> Any:
    import socket

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", port))
    return sock


def cmd_send(args: argparse.Namespace) -> int:
    import socket

    from synth_server.control.osc_server import build_message
    from synth_server.app.render import parse_value

    if not args.address.startswith("/"):
        return _fail(f"{args.address!r}: an OSC address starts with /")
    try:
        replies = _reply_socket(args.reply_port) if args.wait > 0 else None
    except OSError as exc:
        return _fail(f"cannot listen for replies on port {args.reply_port}: {exc} "
                     "(use --wait 0 to only send)")
    packet = build_message(args.address, tuple(parse_value(v) for v in args.args))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(packet, (args.host, args.port))
    if replies is None:
        return 0
    deadline = time.monotonic() + args.wait
    with replies:
        while (left := deadline - time.monotonic()) > 0:
            replies.settimeout(left)
            try:
                data, _ = replies.recvfrom(65536)
            except (socket.timeout, TimeoutError):
                break
            _print_message(data)
    return 0


def cmd_monitor(args: argparse.Namespace) -> int:
    import socket

    from synth_server.control.osc_server import build_message

    try:
        replies = _reply_socket(args.reply_port)
    except OSError as exc:
        return _fail(f"cannot listen on port {args.reply_port}: {exc}")
    ask = build_message("/subscribe", (float(args.rate),))  # a 10 s lease: renewed every 4 s
    period = 4.0 if args.rate > 0 else None
    next_ask = time.monotonic()
    try:
        with replies, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            while True:
                if period is not None and time.monotonic() >= next_ask:
                    # (a restarted server forgets subscribers: asking again re-subscribes)
                    sock.sendto(ask, (args.host, args.port))
                    next_ask += period
                replies.settimeout(0.05)
                try:
                    data, _ = replies.recvfrom(65536)
                except (socket.timeout, TimeoutError):
                    continue
                _print_message(data)
    except KeyboardInterrupt:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(build_message("/subscribe", (0.0,)), (args.host, args.port))
        return 0


# -- parser -------------------------------------------------------------------------------

def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a UDP port (0-65535)")
    return value


def _seconds(maximum: float, positive: bool = False, unit: str = "s") -> Any:
    """The argparse ``type`` of every duration or time flag: a finite number, >= 0 (> 0 with
    ``positive``) and <= ``maximum``, in ``unit`` ("s" or "ms"); anything else, nan and inf
    included, is refused in one error line."""
    words = {"s": "seconds", "ms": "milliseconds"}[unit]
    expected = f"(expected {words} {'> 0' if positive else '>= 0'} and <= {maximum:g})"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number {expected}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number {expected}")
        if value < 0 or (positive and value == 0):
            raise argparse.ArgumentTypeError(f"{text!r} is out of range {expected}")
        if value > maximum:
            raise argparse.ArgumentTypeError(f"{text!r} is over the limit {expected}")
        return value

    parse.__name__ = words  # argparse may name the type in a message
    return parse


def _megabytes(maximum: float, positive: bool = False) -> Any:
    """The argparse ``type`` of a size in MB (10^6 bytes): finite, >= 0 (> 0 with
    ``positive``), <= ``maximum``."""
    parse = _seconds(maximum, positive)

    def megabytes(text: str) -> float:
        try:
            return parse(text)
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentTypeError(str(exc).replace("seconds", "MB")) from None

    return megabytes


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input in one line (``synth-server: error: ...``, exit 2),
    like every other refusal of the CLI, instead of the usage block."""

    def error(self, message: str) -> Any:
        command = self.prog.partition(" ")[2]
        self.exit(2, f"synth-server: error: {command + ': ' if command else ''}{message} "
                     f"(see {self.prog} --help)\n")


SERVE_MAX_S = 1e6  # serve --duration limit (s, ~11.6 days; without it, serve runs until stopped)
PHASE_CHOICES = ("peak", "rtpghi")
PHASE_HELP = ("phase reconstruction: peak (peak-locked propagation, 10 us a frame) or rtpghi "
              "(phase-gradient heap integration: smoother glides and attacks, ~150 us a frame)")


FORCE_HELP = ("--out may be a folder that is not empty: it is kept, whole, beside the new "
              "dataset as OUT.old-YYYYmmdd-HHMMSS (without --force such a folder is refused)")


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of every subcommand."""
    parser = _Parser(prog="synth-server", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("dataset", help="render a dataset")
    dsub = p.add_subparsers(dest="kind", required=True)
    toy = dsub.add_parser("toy", help="procedural toy dataset rendered offline with pyo")
    toy.add_argument("--out", required=True)
    toy.add_argument("--preset", default="default",
                     help="default (f0 x slope x noise, 160 files) | mono (every mono-factor set, "
                          "43) | mono:FACTOR | factorial (all 8 factors at 2 levels, 256) | "
                          "factorial:A,B,... (3 levels each); factors: f0_hz, spectral_slope, "
                          "noise_ratio, attack_s, release_s, even_gain, inharmonicity, vibrato_cents")
    toy.add_argument("--sample-rate", type=int, default=48000)
    toy.add_argument("--duration", type=_seconds(MAX_RENDER_S, positive=True), default=1.0,
                     help="seconds per sound")
    toy.add_argument("--seed", type=int, default=0)
    toy.add_argument("--no-plots", action="store_true",
                     help="dataset card without descriptors.csv and PNG plots")
    toy.add_argument("--quiet", action="store_true", help="no progress bar")
    toy.add_argument("--force", action="store_true", help=FORCE_HELP)
    sfp = dsub.add_parser("soundfont", help="NSynth-like notes rendered from a SoundFont "
                                            "(fluidsynth CLI, no audio driver)")
    sfp.add_argument("--out", required=True)
    sfp.add_argument("--sf2", default=None,
                     help="SoundFont (default: /usr/share/sounds/sf2/FluidR3_GM.sf2, Debian's "
                          "fluid-soundfont-gm)")
    sfp.add_argument("--programs", type=_int_list, default=None,
                     help="General MIDI programs 0-127, e.g. 0,24,40-42 (default: 16 programs, "
                          "one or two per melodic GM family)")
    sfp.add_argument("--pitches", type=_int_list, default=None,
                     help="MIDI notes (default: 48,55,60,67,72)")
    sfp.add_argument("--velocities", type=_int_list, default=None,
                     help="MIDI velocities 1-127 (default: 64,100,127)")
    sfp.add_argument("--heldout-programs", type=_int_list, default=None,
                     help="programs written to heldout/ for evaluation, or 'none' (default: "
                          "4,42,68: electric piano, cello, oboe)")
    sfp.add_argument("--sample-rate", type=int, default=48000)
    sfp.add_argument("--duration", type=_seconds(MAX_RENDER_S, positive=True), default=1.0,
                     help="seconds per note including the release, before trimming")
    sfp.add_argument("--hold", type=_seconds(MAX_RENDER_S), default=0.75,
                     help="seconds from note-on to note-off")
    sfp.add_argument("--gain", type=float, default=1.0, help="fluidsynth master gain")
    sfp.add_argument("--quiet", action="store_true", help="no progress bar")
    sfp.add_argument("--force", action="store_true", help=FORCE_HELP)
    fold = dsub.add_parser("folder", help="your own audio: any format, rate and channel count -> "
                                          "48 kHz mono WAVs, silence trimmed")
    fold.add_argument("path", help="folder of sound files (read recursively)")
    fold.add_argument("--out", required=True)
    fold.add_argument("--sample-rate", type=int, default=48000)
    fold.add_argument("--top-db", type=float, default=60.0,
                      help="trim edges quieter than this many dB under the loudest frame")
    fold.add_argument("--min-duration", type=_seconds(MAX_RENDER_S), default=0.05,
                      help="skip files shorter than this after trimming, seconds")
    fold.add_argument("--quiet", action="store_true", help="no progress bar")
    fold.add_argument("--force", action="store_true", help=FORCE_HELP)

    p = sub.add_parser("train", help="train a frame VAE on a folder of audio")
    p.add_argument("--data", required=True, help="folder of audio files")
    p.add_argument("--out", required=True, help="checkpoint directory to write")
    p.add_argument("--latent-dim", type=int, default=8)
    p.add_argument("--hidden", default="512,256", help="encoder hidden widths, comma-separated")
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--beta", type=float, default=None,
                   help="final weight of the regulariser (default: kl 1, mmd 100, swd 100)")
    p.add_argument("--regulariser", choices=("kl", "mmd", "swd"), default="kl",
                   help="kl (VAE), mmd (InfoVAE, IMQ kernel) or swd (sliced Wasserstein, SWAE)")
    p.add_argument("--beta-schedule", choices=("constant", "linear", "cyclical"),
                   default="linear", help="beta warm-up: linear (Sonderby 2016) or cyclical "
                                          "(Fu 2019)")
    p.add_argument("--warmup-epochs", type=int, default=10, help="linear warm-up length")
    p.add_argument("--cycles", type=int, default=4, help="cycles of the cyclical schedule")
    p.add_argument("--cycle-ratio", type=float, default=0.5,
                   help="fraction of each cycle during which beta rises")
    p.add_argument("--representation", choices=("stft", "mel", "logfreq", "hpn"),
                   default="stft",
                   help="what the model learns: log-magnitude STFT frames, mel bands, "
                        "log-frequency (constant-Q-like) bands, or hpn: harmonic-plus-noise "
                        "frames of labelled notes (pitch and loudness are inputs: a playable "
                        "model; needs a SoundFont set's train/ with labels.csv)")
    p.add_argument("--n-mels", type=int, default=128, help="mel bands (--representation mel)")
    p.add_argument("--bands-per-octave", type=int, default=24,
                   help="bands per octave (--representation logfreq)")
    p.add_argument("--n-fft", type=int, default=2048)
    p.add_argument("--hop-length", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--accelerator", default="auto", help="Lightning accelerator: auto, cpu, gpu")
    p.add_argument("--devices", default="1",
                   help="Lightning devices: a count (N > 1 GPUs train with DDP) or 'auto'")
    p.add_argument("--resume", action="store_true",
                   help="continue from OUT/train/last.ckpt (written every epoch); an OUT that "
                        "holds more than training writes (descriptors, heatmaps, report) is "
                        "kept beside as OUT.old-TIME")
    p.add_argument("--force", action="store_true",
                   help="OUT may hold a model: it is kept beside as OUT.old-YYYYmmdd-HHMMSS "
                        "when the new one is published (without --force or --resume a "
                        "non-empty OUT is refused)")
    p.add_argument("--manifolds", default="pca,lle,laplacian,isomap,umap",
                   help="navigation manifolds fitted after training (comma-separated; "
                        "'pca' alone is quickest; refit later with fit-manifolds)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("serve", help="play a model live, controlled over OSC")
    p.add_argument("--model", default="models/default")
    p.add_argument("--device", default=None,
                   help="output device name or index; 'null' for none (default: system default)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: this machine only); another address "
                        "needs --allow")
    p.add_argument("--allow", action="append", default=None, metavar="NET",
                   help="address or CIDR network allowed to play (repeatable; this machine "
                        "always is); other senders are ignored without a reply")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT)
    p.add_argument("--reply-port", type=_port, default=DEFAULT_REPLY_PORT)
    p.add_argument("--blocksize", type=int, default=256, choices=[0, 32, 64, 128, 256, 512, 1024,
                                                               2048], help="audio block in frames")
    p.add_argument("--synthesis-hop", type=int, default=None, metavar="N",
                   help="samples rendered per decoder run; must divide the model's hop_length "
                        "(256: 128 or 64). Default: the model's hop, or the --blocksize when "
                        "shorter (at least 64): a control change is then heard at the next "
                        "callback instead of the next model hop (docs/latency.md)"),
    p.add_argument("--models-dir", default=None,
                   help="folder /model/load NAME looks in (default: the folder of --model)")
    p.add_argument("--record", default=None,
                   help="also record the output to this WAV (48 kHz stereo float32: 1382 MB an "
                        "hour); a take that exists is never overwritten (NAME-1.wav ...)")
    p.add_argument("--record-max-mb", type=_megabytes(WAV_MAX_MB, positive=True),
                   default=DEFAULT_MAX_MB,
                   help=f"stop recording when the file reaches this size (default "
                        f"{DEFAULT_MAX_MB:g} MB, about 1 h 29 min at 48 kHz; at most "
                        f"{WAV_MAX_MB:g}: a WAV cannot exceed 4 GiB); the sound goes on")
    p.add_argument("--record-min-free-mb", type=_megabytes(1e9), default=DEFAULT_MIN_FREE_MB,
                   help="free space the recording leaves on its disk: it does not start "
                        f"below it and stops there (default {DEFAULT_MIN_FREE_MB:g} MB)")
    p.add_argument("--midi", nargs="?", const="", default=None, metavar="PORT",
                   help="open a JACK MIDI input (synth-server:midi_in) and connect it to every "
                        "JACK MIDI output, or to those matching the port-name pattern PORT "
                        "(a regular expression, as jack_lsp); mapping in docs/midi.md")
    p.add_argument("--presets", default=None, metavar="FILE",
                   help="JSON file of /preset/store presets: read at start (bad entries are "
                        "skipped, reported and kept in the file), saved atomically on every "
                        "store; a symlink stays a symlink (default: presets last for this "
                        "session only)")
    p.add_argument("--duration", type=_seconds(SERVE_MAX_S, positive=True), default=None,
                   help=f"stop after S seconds (at most {SERVE_MAX_S:g})")
    p.add_argument("--web-port", type=_port, default=DEFAULT_WEB_PORT,
                   help=f"TCP port of the browser controller page on --host (default "
                        f"{DEFAULT_WEB_PORT}); with a non-loopback --host the page needs the "
                        "token printed in its URL (and shown as a QR code)")
    p.add_argument("--no-web", action="store_true", help="do not serve the controller page")

    p = sub.add_parser("render", help="render offline from a pad path, a score or a MIDI file")
    p.add_argument("--model", default="models/default")
    p.add_argument("--pad-path", help="CSV with columns time_s,x,y")
    p.add_argument("--score", help="CSV rows time_s,address,arg1,...")
    p.add_argument("--midi", metavar="FILE.mid",
                   help="Standard MIDI File: notes, pitch bend, pedal and controllers as the "
                        "messages serve --midi makes of them (docs/midi.md)")
    p.add_argument("--out", required=True,
                   help="audio file to write (format from the extension, e.g. .wav); written "
                        "to a temporary file beside it and renamed when complete")
    p.add_argument("--force", action="store_true",
                   help="replace an existing --out (default: refuse it)")
    p.add_argument("--duration", type=_seconds(MAX_RENDER_S, positive=True), default=None,
                   help=f"seconds to render (default: last event + 1 s); at most "
                        f"{MAX_RENDER_S:g} s ({MAX_RENDER_S / 3600:g} h), the latest time a "
                        "score or pad path may use too")
    p.add_argument("--phase", choices=PHASE_CHOICES, default="peak", help=PHASE_HELP)

    p = sub.add_parser("fit-manifolds",
                       help="fit the pad/slider manifolds (pca, lle, laplacian, isomap, umap) "
                            "of a model on its encoder means")
    p.add_argument("--model", default="models/default", help="checkpoint directory (updated)")
    p.add_argument("--data", default=None,
                   help="folder of audio to encode (default: refit on the stored anchors); "
                        "for an hpn model, notes of known pitch (labels.csv or _nPPP_ names)")
    p.add_argument("--methods", default="pca,lle,laplacian,isomap,umap")
    p.add_argument("--n-sliders", type=int, default=None,
                   help="dimension of the slider maps (default min(4, latent_dim))")
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("evaluate", help="held-out MR-STFT, pitch, KL, MIG and manifold report "
                                        "of a model against a PCA autoencoder (report.md + PNGs)")
    p.add_argument("--model", default="models/default", help="checkpoint directory")
    p.add_argument("--data", default=None, help="training folder (default: config.json dataset)")
    p.add_argument("--heldout", default=None,
                   help="folder of held-out audio (default: the files training held out)")
    p.add_argument("--out", default=None, help="report folder (default MODEL/report)")
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("fit-descriptors",
                       help="fit the descriptor surrogate (latent <-> centroid, f0, loudness...) "
                            "of a model and draw its pad heatmaps")
    p.add_argument("--model", default="models/default", help="checkpoint directory (updated)")
    p.add_argument("--n-samples", type=int, default=16000,
                   help="latent points decoded and described (half prior, half near the data)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--grid", type=int, default=48, help="heatmap points per pad axis")
    p.add_argument("--no-heatmaps", action="store_true", help="skip the heatmap PNGs")

    sub.add_parser("devices", help="list audio output devices")

    p = sub.add_parser("send", help="send one OSC message to a server and print its replies")
    p.add_argument("address", help="e.g. /pad")
    p.add_argument("args", nargs="*", help="arguments: ints, floats or strings")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT)
    p.add_argument("--reply-port", type=_port, default=DEFAULT_REPLY_PORT)
    p.add_argument("--wait", type=_seconds(MAX_RENDER_S), default=0.5,
                   help="seconds to print replies (0: none)")

    p = sub.add_parser("monitor", help="print the state the server pushes (/subscribe)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT)
    p.add_argument("--reply-port", type=_port, default=DEFAULT_REPLY_PORT)
    p.add_argument("--rate", type=float, default=2.0,
                   help="state updates per second asked with /subscribe (0: only listen)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``synth-server`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="synth-server: %(levelname)s %(name)s: %(message)s")
    if args.command == "dataset":
        return cmd_dataset(args)
    if args.command == "train":
        return cmd_train(args, argv)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "render":
        if not args.pad_path and not args.score and not args.midi:
            parser.error("render needs --pad-path, --score or --midi")
        return cmd_render(args)
    if args.command == "fit-manifolds":
        return cmd_fit_manifolds(args, argv)
    if args.command == "evaluate":
        return cmd_evaluate(args, argv)
    if args.command == "fit-descriptors":
        return cmd_fit_descriptors(args, argv)
    if args.command == "devices":
        return cmd_devices(args)
    if args.command == "send":
        return cmd_send(args)
    if args.command == "monitor":
        return cmd_monitor(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
