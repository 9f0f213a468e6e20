"""The live instrument in one object: audio process, OSC control and model hot-swap.

``synth-server serve`` builds one from its flags; benchmarks and tests build one directly (so a
benchmark can run CPU-bound threads *inside* the server process, as a busy host would).
"""
from __future__ import annotations

import dataclasses
import logging
from collections import deque
import sys
import threading
import time
from pathlib import Path
from typing import Any, Optional

from synth_server.app.wiring import Steering, build_controller
from synth_server.control.controller import ControlState
from synth_server.control.models import ModelLibrary, ModelLoader
from synth_server.core.contract import EngineEvent, LoadFailed, RecordEnded, Swapped
from synth_server.core.memory import release_free_heap
from synth_server.control.midi import MIDI_SENDER, MidiError, MidiInput
from synth_server.control.osc_server import OscServer
from synth_server.control.web import WebBridge
from synth_server.engine.realtime import CallbackEngine, check_synthesis_hop
from synth_server.engine.recorder import RecordSpec

log = logging.getLogger(__name__)
SWITCH_INTERVAL_S = 0.0005
MIN_PUSH_WAIT_S = 0.002  # the /subscribe pusher's shortest sleep
MAX_EVENTS = 256
MAX_PUSHES_PER_S = 120.0  # state pushes per second, all subscribers together


def playable(checkpoint: Any) -> Any:
    """What the audio process needs of a checkpoint: the weights and the maps, not the descriptor
    surrogate or the heatmaps (smaller to pickle)."""
    return dataclasses.replace(checkpoint, descriptors=None, heatmaps={})


class Server:
    """Plays one model and takes OSC control.

    Args:
        model_dir: checkpoint directory (already validated by the caller).
        model_name: its name.
        device: PortAudio output device, or None for the internal clock.
        blocksize: audio block in frames.
        record: WAV path (default limits) or RecordSpec to record to, or None.
        host, port, reply_port: OSC listening address and the port replies go to.
        models_dir: folder /model/load resolves names in.
        allow: addresses / CIDR networks that may control the server besides this machine
            (None: anyone who can reach ``host``).
        presets: JSON file of presets, read at start and saved on every /preset/store (None:
            presets last for the session).
        web_port: TCP port of the browser controller page on ``host`` (None: no page; 0: any
            free port, see ``self.web.port``).
        web_token: token every page request must carry (None: none; the CLI makes one whenever
            ``host`` is not loopback).
        midi: None: no MIDI; "": a JACK MIDI input connected to every MIDI output; else a JACK
            port-name regular expression of the outputs to connect (see
            :class:`~synth_server.control.midi.MidiInput`).
        synthesis_hop: samples the engine renders per decoder run (None: the model's
            hop_length); must divide the hop of this model and of every model loaded later.
    Raises:
        ValueError: ``synthesis_hop`` does not divide the model's hop (one line).
    """

    def __init__(self, model_dir: str | Path, model_name: str, device: Any, blocksize: int,
                 record: Optional[str | RecordSpec], host: str, port: int, reply_port: int,
                 models_dir: str | Path, allow: Optional[list[str]] = None,
                 presets: Optional[str] = None, midi: Optional[str] = None,
                 web_port: Optional[int] = None, web_token: Optional[str] = None,
                 synthesis_hop: Optional[int] = None):
        self.initial = ControlState()
        self.blocksize = blocksize
        self.record = record
        # the recorder's summary once it stopped by itself (a failed write, the cap, the disk)
        self.record_ended: Optional[dict[str, Any]] = None
        self.events: deque[EngineEvent] = deque(maxlen=MAX_EVENTS)  # the newest audio events
        from synth_server.artifacts.checkpoint import load_checkpoint

        checkpoint = load_checkpoint(model_dir)
        self.audio = CallbackEngine(playable(checkpoint), model_name, device, blocksize, record,
                                    on_event=self._on_audio_event, synthesis_hop=synthesis_hop)
        self.library = ModelLibrary(models_dir)
        self.steering = Steering.of(checkpoint)  # the playing model's; replaced at each swap
        self.controller = build_controller(self.audio.status, self.initial,
                                           lambda: self.steering, on_change=self.audio.publish,
                                           notes=self.audio, model_loader=self._request_model,
                                           latency=self._latency,
                                           model_names=self.library.names,
                                           presets_path=presets, recording=self._recording)
        self.osc = OscServer(self.controller, host=host, port=port, reply_port=reply_port,
                             allow=allow)
        self.web: Optional[WebBridge] = None
        self.web_error: Optional[str] = None  # why the page is not served (port taken)
        if web_port is not None:
            self.web = WebBridge(self.osc, self._heatmap_path, host=host, port=web_port,
                                 token=web_token, allow=allow)
        self.midi = None if midi is None else MidiInput(
            lambda messages, received_s: self.osc.handle_local(messages, MIDI_SENDER, received_s),
            pad=lambda: self.controller.state.pad, connect=midi)
        self._stop_push = threading.Event()
        self._pusher = threading.Thread(target=self._push_loop, name="subscribe", daemon=True)
        self.stft = checkpoint.stft
        # name -> Steering of the swap in flight (the loader hands over one model at a time, so
        # this holds at most one)
        self._pending: dict[str, Steering] = {}
        self.loader = ModelLoader(self.library, self._submit, self.osc.send,
                                  compatible=self._compatible,
                                  initial=(Path(model_dir), checkpoint), preload=True)

    def _submit(self, checkpoint: Any, requested_s: float) -> None:
        self._pending = {checkpoint.name: Steering.of(checkpoint)}
        self.audio.load(playable(checkpoint), requested_s)

    def _compatible(self, checkpoint: Any) -> Optional[str]:
        """Why ``checkpoint`` cannot replace the playing model, or None."""
        stft = checkpoint.stft
        if stft.sample_rate != self.stft.sample_rate:
            return (f"sample_rate {stft.sample_rate} Hz, the stream runs at "
                    f"{self.stft.sample_rate} Hz")
        return check_synthesis_hop(self.audio.hop_length, int(stft.hop_length), int(stft.n_fft))

    def _request_model(self, name: str, received_s: float, sender: str) -> None:
        self.loader.request(name, received_s, sender)

    def _heatmap_path(self, descriptor: str) -> Path:
        """The PNG of ``descriptor`` over the selected manifold (the web page's pad background).

        Raises:
            OscArgumentError: no such heatmap.
        """
        return Path(self.controller.on_heatmap(descriptor)[0][1][2])

    def _latency(self) -> tuple[float, float]:
        stats = self.audio.latency()
        return stats.median_ms, stats.p99_ms

    def _recording(self) -> Optional[tuple[str, str]]:
        """/state/record: ("recording", ""), ("failed", why), ("stopped", why); None: off."""
        if self.record is None:
            return None
        ended = self.record_ended
        if ended is None:
            return ("recording", "")
        return ("failed" if ended.get("failed") else "stopped", str(ended.get("error") or ""))

    def _record_summary(self, final: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
        """The summary's "record": what the audio process reported when it closed the file, or
        (it died first) the path, marked incomplete."""
        if self.record is None:
            return None
        if final is not None:
            return final
        path = self.record.path if isinstance(self.record, RecordSpec) else str(self.record)
        return {"path": path, "complete": False,
                "error": "the audio process ended without closing the recording"}

    def _on_audio_event(self, event: EngineEvent) -> None:
        """The engine's events (its watcher thread): record the recording's end, switch the
        controller to a swapped-in model's steering, forget a refused one; then hand swaps and
        refusals to the loader, which pairs them with the requests in flight."""
        match event:
            case RecordEnded(summary=summary):  # not the loader's
                self.record_ended = summary
                self.events.append(event)
                return
            case Swapped(model_name=name):
                self.steering = self._pending.pop(name, self.steering)
                self.controller.model_changed()
            case LoadFailed():
                self._pending = {}
        self.events.append(event)
        self.loader.on_event(event)

    def _push_loop(self) -> None:
        """Send the state to every /subscribe host within its lease at its rate; all pushes
        together at most MAX_PUSHES_PER_S (each host's rate shrinks to share them). Sleeps until
        the next push is due, and while nobody subscribes until a /subscribe (or stop) wakes it:
        no periodic wake-ups while playing."""
        due: dict[str, float] = {}
        wake = self.controller.subscribed
        while not self._stop_push.is_set():
            wake.clear()  # before reading the subscribers: a /subscribe after this wakes us
            now = time.monotonic()
            subscribers = self.controller.subscriber_rates()
            for host in list(due):
                if host not in subscribers:
                    del due[host]
            replies = None
            share_hz = MAX_PUSHES_PER_S / max(1, len(subscribers))
            for host, rate_hz in subscribers.items():
                if now >= due.get(host, 0.0):
                    due[host] = now + 1.0 / min(rate_hz, share_hz)
                    replies = replies if replies is not None else self.controller.pushed_state()
                    for reply in replies:
                        self.osc.push(host, *reply)
            wake.wait(max(min(due.values()) - time.monotonic(), MIN_PUSH_WAIT_S)
                      if due else None)

    def start(self) -> None:
        """Start the audio process, then the OSC listener, then the MIDI input (if any).

        Raises:
            AudioDeviceError: the device cannot be opened (nothing left running).
            RuntimeError: the audio engine could not start.
            OSError: the OSC port cannot be bound (the audio process is stopped again).
            MidiError: ``midi`` was asked for and no JACK MIDI port can be opened (everything
                is stopped again).
        """
        # Python threads of this process (ours and a host's) share one GIL; a 0.5 ms switch
        # interval lets the OSC thread in ten times sooner than the default 5 ms when others
        # compute (measured: 500 msg/s with two busy threads dropped 10-40 % at 5 ms).
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        # descriptor steering multiplies small matrices in this process: one BLAS thread
        # (OpenBLAS's default thread pool measured 10-100x slower for them on 2 busy cores)
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
        self.audio.start(self.initial)
        if self.web is not None:  # before OSC: once /ping answers, the page is served too
            try:
                self.web.start()
            except OSError as exc:  # the sound matters more than the page: play without it
                self.web_error = f"web page: cannot listen on {self.web.host}:{self.web.port}: {exc}"
                log.warning("%s", self.web_error)
                self.web = None
        try:
            self.osc.start()
            if self.midi is not None:
                self.midi.start()
        except (OSError, MidiError):
            self.osc.stop()
            if self.web is not None:
                self.web.stop()
            self.audio.stop()
            self.loader.close()
            raise
        self._pusher.start()
        release_free_heap()  # what compiling, loading and warming up the kernel freed

    @property
    def alive(self) -> bool:
        """True while the audio process runs."""
        return self.audio.alive

    @property
    def played_s(self) -> float:
        """Seconds of audio played (and recorded) since the engine started."""
        return self.audio.played_s

    def stop(self) -> dict[str, Any]:
        """Stop everything; returns the session summary (underruns, latency, swaps, ...). A
        recording ends here, not once every thread has stopped."""
        self.audio.end_recording_now()
        self._stop_push.set()
        self.controller.subscribed.set()  # wakes the pusher
        if self._pusher.is_alive():
            self._pusher.join(timeout=2)
        if self.web is not None:
            self.web.stop()
        midi = self.midi.stop() if self.midi is not None else {}
        self.osc.stop()
        self.loader.close()
        result = self.audio.stop()
        record = self._record_summary(result.details.pop("record", None))
        return {
            "model": self.audio.model_name,
            "underruns": result.underruns, "nan_frames": result.nan_frames,
            "osc_packets": self.osc.packets, "osc_ignored_hosts": self.osc.refused_hosts,
            "osc_received": self.osc.received, "osc_rejected": self.osc.rejected,
            "record": record, "blocksize": self.blocksize,
            "models_loaded": self.loader.loaded, "models_refused": self.loader.refused,
            "models_superseded": self.loader.superseded,
            "subscribers_evicted": self.controller.subscribers_evicted, **self.osc.counts(),
            **({} if self.web is None else {"web_refused": self.web.refused,
                                            "web_frames": self.web.frames_in,
                                            "web_dropped_out": self.web.dropped_out}),
            **midi,
            **{k: (None if isinstance(v, float) and v != v else v)
               for k, v in result.details.items()},
        }
