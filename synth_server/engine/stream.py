"""Audio device helpers of the live engine: PortAudio import and device list, one-line device
errors, real-time thread priority (the recorder is engine/recorder.py).

The engine itself renders inside PortAudio's callback: :mod:`synth_server.engine.realtime` and
:mod:`synth_server.engine.kernel`.
"""
from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from typing import Any, Iterator


log = logging.getLogger(__name__)


class AudioDeviceError(RuntimeError):
    """No usable audio output; ``str()`` is a one-line explanation."""


@contextlib.contextmanager
def quiet_stderr() -> Iterator[list[str]]:
    """Silence C-level stderr (ALSA/JACK chatter from PortAudio) inside the block.

    Yields a list that receives the captured lines after the block, for debug logging.
    """
    captured: list[str] = []
    try:
        saved = os.dup(2)
    except OSError:
        yield captured
        return
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield captured
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            captured.extend(tmp.read().decode("utf-8", "replace").splitlines())


def import_sounddevice() -> Any:
    """Import sounddevice quietly (PortAudio probes every host API at import).

    Raises:
        AudioDeviceError: PortAudio is missing.
    """
    os.environ.setdefault("JACK_NO_START_SERVER", "1")
    try:
        with quiet_stderr() as lines:
            import sounddevice
    except OSError as exc:
        raise AudioDeviceError(f"PortAudio is not installed ({exc}); "
                               "on Debian: apt-get install libportaudio2") from None
    for line in lines:
        log.debug("portaudio: %s", line)
    return sounddevice


def output_devices() -> list[dict[str, Any]]:
    """Output devices PortAudio sees: [{"index", "name", "hostapi", "channels",
    "default_samplerate"}]. Raises AudioDeviceError without PortAudio."""
    sd = import_sounddevice()
    with quiet_stderr():
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
    return [
        {"index": i, "name": d["name"], "hostapi": hostapis[d["hostapi"]]["name"],
         "channels": d["max_output_channels"], "default_samplerate": d["default_samplerate"]}
        for i, d in enumerate(devices) if d["max_output_channels"] > 0
    ]


RT_PRIORITY = 40


def realtime_priority(priority: int = RT_PRIORITY) -> bool:
    """Ask Linux to schedule the calling thread SCHED_FIFO at ``priority`` (below JACK's usual
    70-95, above every normal thread), so it wakes on time when the CPUs are busy.

    Every thread of the audio process that takes the GIL asks for it (lower than the
    renderer): a normal-priority thread preempted while holding the GIL would stall the renderer.
    Needs root or an rtprio limit (the Debian ``audio`` group has one with jackd2's
    /etc/security/limits.d/audio.conf). Without it the thread stays a normal thread; returns
    whether it worked. The renderer sleeps between hops, so it cannot starve the machine
    (and Linux caps real-time threads at 95 % of a CPU).
    """
    if not hasattr(os, "sched_setscheduler"):
        return False
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(priority))
        return True
    except (OSError, ValueError):
        log.debug("no real-time priority for the renderer (no rtprio rights); using normal "
                  "scheduling")
        return False
