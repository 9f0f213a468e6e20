"""The live engine: synthesis inside PortAudio's audio callback (see :mod:`.kernel`).

:class:`CallbackEngine` owns every buffer the compiled kernel reads, opens the output stream
with the kernel's C callback (no Python runs on the audio thread, so no Python thread of this
process can starve it), and talks to the kernel through memory only:

- :meth:`CallbackEngine.publish` maps a control state to one latent target per loaded model
  (the manifold's matrix product, in the calling thread) and writes it into the seqlock control
  block with the packet's arrival time on the stream's clock;
- :meth:`CallbackEngine.load` builds the new model's arrays in the slot that is not playing and
  raises the hand-over counter; the kernel crossfades (equal power) and acknowledges. One
  hand-over is in flight at a time; a newer request waiting behind it replaces an older one;
- a watcher thread reports acknowledged swaps and copies the recording ring to the WAV writer.

With no device, a clock thread (real-time priority) calls the same kernel once per period.
"""
from __future__ import annotations

import ctypes
import logging
import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from synth_server.core.config import model_family
from synth_server.core.contract import (ControlState, EngineEvent, EngineStatus, LoadFailed,
                                        RecordEnded, Swapped)
from synth_server.dsp.streaming import StreamingInverse
from synth_server.engine import kernel
from synth_server.engine.renderer import CEILING_DB, DC_CUTOFF_HZ, GAIN_SNAP, RELEASE_MS
from synth_server.engine.recorder import RecordSpec, WavRecorder, open_recorder
from synth_server.engine.stream import (RT_PRIORITY, AudioDeviceError, import_sounddevice,
                                        quiet_stderr, realtime_priority)
from synth_server.nav.maps import latent_target

log = logging.getLogger(__name__)

DEFAULT_ENVELOPE = (0.005, 0.2, 0.7, 0.3)  # attack_s, decay_s, sustain (0..1), release_s
ENVELOPE_LIMITS_S = (10.0, 10.0, 20.0)  # longest attack_s, decay_s, release_s
PITCHBEND_LIMIT = 24.0  # semitones either way


def hpn_noise_gain(n_fft: int, hop_length: int) -> float:
    """Factor on an hpn model's noise bin magnitudes: ``sqrt(n_fft / hop_length)``, as
    :func:`synth_server.dsp.hpn.noise_ola_gain` (random-phase frames overlap-add in power, the
    window's normalisation assumes amplitude: without it the noise is 9.03 dB low at 2048 /
    256; the engine does not import dsp.hpn, a test checks the two agree). ``hop_length`` is
    the hop the frames are overlap-added at: the engine's synthesis hop."""
    return math.sqrt(n_fft / hop_length)


def spectral_noise_gain(model_hop: int, synthesis_hop: int) -> float:
    """Factor on a spectral model's random-phase bins (those no spectral peak owns, see
    :func:`~synth_server.dsp.streaming.peak_locked_phase_into`) at a synthesis hop shorter than
    the model's: ``sqrt(model_hop / synthesis_hop)`` (1 at the model's hop). Peak-locked bins
    keep their phase from frame to frame and overlap-add in amplitude, which the synthesis
    window's gain assumes at any hop; random-phase frames add in power, so without it the
    noise between partials drops 3 dB each time the hop halves (measured on models/default:
    -3.0 dB at 128, -6.0 dB at 64, in the third-octave bands between its partials)."""
    return math.sqrt(model_hop / synthesis_hop)


def smoothing_lead(model_hop: int, synthesis_hop: int, sample_rate: float,
                   smoothing_ms: float) -> float:
    """How far ahead of the smoothed latent the decoder looks at a synthesis hop shorter than
    the model's: it decodes ``latent + lead * (target - latent)`` with ``lead = 1 -
    exp(-(model_hop - synthesis_hop) / sample_rate / smoothing_s)`` (0 at the model's hop).

    The one-pole smoothing steps once per hop and a frame is decoded from the latent at the end
    of its hop, so at the model's hop each frame is a model hop "ahead" of its start; a frame
    of a shorter hop only a synthesis hop. Without the lead the timbre of a change is heard
    half-way 2.6 ms later at 128 and 4.0 ms later at 64 (``half_way_delay_ms``: 27.6 ms at
    256, 30.2 and 31.5 ms); with it 27.9 and 28.0 ms. For a step of the target the decoded
    latent is then the model hop's progress at every model-hop boundary.
    """
    ahead_s = (model_hop - synthesis_hop) / float(sample_rate)
    return 1.0 - math.exp(-ahead_s / max(smoothing_ms / 1000.0, 1e-6))


def check_synthesis_hop(synthesis_hop: int, model_hop: int, n_fft: int) -> Optional[str]:
    """Why ``synthesis_hop`` cannot play a model of hop ``model_hop`` and FFT size ``n_fft``
    (one line), or None.

    The synthesis hop must divide the model's hop (the model's frames are per-frame
    quantities, decoded once per synthesis hop; a divisor keeps the model's time grid a whole
    number of synthesis hops) and leave at least 4x overlap (``n_fft / synthesis_hop >= 4``,
    as :class:`~synth_server.dsp.streaming.StreamingInverse`).
    """
    if synthesis_hop < 1 or model_hop % synthesis_hop:
        return (f"the synthesis hop {synthesis_hop} does not divide the model's hop_length "
                f"{model_hop}")
    if n_fft % synthesis_hop or n_fft // synthesis_hop < 4:
        return f"the synthesis hop {synthesis_hop} leaves less than 4x overlap of n_fft {n_fft}"
    return None

MIN_DEFAULT_SYNTHESIS_HOP = 64  # the default never goes below this (CPU: one decoder run per hop)


def default_synthesis_hop(model_hop: int, blocksize: int, n_fft: int) -> int:
    """The synthesis hop ``serve`` uses when none is asked: the model's hop when the audio
    period (``blocksize`` frames; 0: PortAudio chooses) is at least that long, else the
    largest hop that divides the model's, is no longer than the period and is at least
    MIN_DEFAULT_SYNTHESIS_HOP (a change then waits for the next callback, not for a later
    one; measured in docs/latency.md).

    Args:
        model_hop, blocksize, n_fft: samples.
    Returns:
        int, samples; always passes :func:`check_synthesis_hop`.
    """
    if blocksize <= 0 or blocksize >= model_hop:
        return model_hop
    for hop in range(min(blocksize, model_hop), 0, -1):
        if hop < MIN_DEFAULT_SYNTHESIS_HOP:
            break
        if check_synthesis_hop(hop, model_hop, n_fft) is None:
            return hop
    for hop in range(MIN_DEFAULT_SYNTHESIS_HOP, model_hop + 1):
        if check_synthesis_hop(hop, model_hop, n_fft) is None:
            return hop
    return model_hop


RECORD_RING_S = 4.0  # audio the recording ring holds while the writer thread is busy
WATCH_S = 0.02  # while a hand-over is in flight, the kernel's answer is looked for this often
WATCH_IDLE_S = 0.25  # otherwise the recording ring (4 s deep) is drained this often


@dataclass
class LatencyStats:
    """Control latency measured by the kernel (OSC arrival → the first sample rendered from it
    reaching the device), ms."""

    median_ms: float = float("nan")
    p99_ms: float = float("nan")
    count: int = 0


@dataclass
class AudioResult:
    """Final numbers of an engine."""

    underruns: int
    nan_frames: int
    details: dict[str, Any] = field(default_factory=dict)


def _touch(array: np.ndarray) -> np.ndarray:
    """Write every page of ``array`` now (np.zeros maps pages lazily: a first write inside the
    callback would fault)."""
    array.reshape(-1).view(np.uint8)[:] = 0
    return array


class ModelSlot:
    """One model's arrays for the kernel (see :data:`kernel.SLOT_ARRAYS`).

    Args:
        checkpoint: the loaded model.
        hop_length: the engine's synthesis hop, samples (divides the model's hop_length: the
            decoder runs once per synthesis hop; smoothing, phase advance, overlap-add and noise
            gains are set for it, see :func:`check_synthesis_hop`).
        smoothing_ms: latent smoothing time constant.
        seed: seed of the phase generator.
    Raises:
        ValueError: the model does not fit the kernel (too many layers, latent too large, a
            synthesis hop that does not divide the model's hop).
    """

    def __init__(self, checkpoint: Any, hop_length: int, smoothing_ms: float, seed: int = 0):
        stft = checkpoint.stft
        problem = check_synthesis_hop(hop_length, int(stft.hop_length), int(stft.n_fft))
        if problem is not None:
            raise ValueError(f"{checkpoint.name}: {problem}")
        decoder = checkpoint.decoder()
        layers = decoder.layers()
        self.family = model_family(stft)
        hpn = self.family == "hpn"
        latent_dim = int(checkpoint.vae.latent_dim)
        n_conditioning = int(getattr(checkpoint.vae, "n_conditioning", 0)) if hpn else 0
        if len(layers) > kernel.MAX_LAYERS:
            raise ValueError(f"{len(layers)} decoder layers; the live engine takes at most "
                             f"{kernel.MAX_LAYERS}")
        if latent_dim > kernel.MAX_LATENT:
            raise ValueError(f"latent_dim {latent_dim} > {kernel.MAX_LATENT}")
        if hpn:
            _check_hpn(stft, n_conditioning, latent_dim, layers, decoder.synthesis)
        self.checkpoint = checkpoint
        self.name = checkpoint.name
        self.latent_dim = latent_dim
        n_fft = stft.n_fft
        n_bins = stft.n_bins if hpn else decoder.n_bins
        inverse = StreamingInverse(n_fft, hop_length, seed)
        phase_state = inverse.kernel_state()
        chunks: list[np.ndarray] = []
        offset = 0
        slot = np.zeros(1, dtype=kernel.SLOT_DTYPE)
        record = slot[0]
        record["n_layers"] = len(layers)
        record["latent_dim"] = self.latent_dim
        record["n_bins"] = n_bins
        record["n_fft"] = n_fft
        record["family"] = kernel.FAMILY_HPN if hpn else kernel.FAMILY_SPECTRAL
        if hpn:
            record["n_features"] = stft.n_harmonics + stft.n_noise_bands
            record["n_harmonics"] = stft.n_harmonics
            record["n_noise_bands"] = stft.n_noise_bands
            record["n_conditioning"] = n_conditioning
            record["noise_gain"] = hpn_noise_gain(stft.n_fft, hop_length)
        else:
            record["n_features"] = decoder.n_features
            record["noise_gain"] = spectral_noise_gain(int(stft.hop_length), hop_length)
        sizes = [self.latent_dim + n_conditioning] + [weight.shape[1] for weight, _ in layers]
        record["sizes"][:len(sizes)] = sizes
        for i, (weight, bias) in enumerate(layers):
            record["weight_at"][i] = offset
            chunks.append(np.ascontiguousarray(weight, dtype=np.float32).reshape(-1))
            offset += weight.size
            record["bias_at"][i] = offset
            chunks.append(np.asarray(bias, dtype=np.float32))
            offset += bias.size
        record["synthesis_at"] = offset
        if hpn:  # the noise bands' synthesis matrix [n_noise_bands, n_bins] (mel bands,
            # n_mels = n_noise_bands: filterbank.band_synthesis, given by the decoder)
            chunks.append(np.ascontiguousarray(decoder.synthesis, dtype=np.float32)
                          .reshape(-1))
        elif decoder.synthesis is not None:
            record["has_synthesis"] = 1
            chunks.append(np.ascontiguousarray(decoder.synthesis, dtype=np.float32).reshape(-1))
        if not hpn:
            record["floor"] = decoder.floor
        hop_s = hop_length / stft.sample_rate
        record["alpha"] = 1.0 - math.exp(-hop_s / max(smoothing_ms / 1000.0, 1e-6))
        record["lead"] = smoothing_lead(int(stft.hop_length), hop_length, stft.sample_rate,
                                        smoothing_ms)
        record["advance"] = phase_state["advance"]
        record["log_threshold"] = phase_state["log_threshold"]
        width = max(sizes)
        rows = kernel.MAX_VOICES if hpn else 1  # an hpn slot decodes every voice at once
        start = checkpoint.manifold.to_latent(np.array([0.5, 0.5]))
        self.arrays: dict[str, np.ndarray] = {
            "slot": slot,
            "params": np.concatenate(chunks).astype(np.float32),
            "latent": np.array(start, dtype=np.float64),
            "running": phase_state["running"], "running_freq": phase_state["running_freq"],
            "rng": phase_state["rng"], "tail": phase_state["tail"],
            "window": phase_state["window"],
            "h_a": _touch(np.zeros(rows * width, np.float32)),
            "h_b": _touch(np.zeros(rows * width, np.float32)),
            "mag": _touch(np.zeros(n_bins, np.float32)),
            "log_mag": _touch(np.zeros((1, n_bins), np.float32)),
            "phase": _touch(np.zeros((1, n_bins), np.float32)),
            "spectrum": _touch(np.zeros(n_bins, np.complex64)),
            "frame": _touch(np.zeros(n_fft, np.float32)),
            "hop_out": _touch(np.zeros(hop_length, np.float32)),
            "peak_bin": _touch(np.zeros(n_bins, np.int64)),
            "peak_freq": _touch(np.zeros(n_bins, np.float64)),
            "peak_phase": _touch(np.zeros(n_bins, np.float64)),
            "owner": _touch(np.zeros(n_bins, np.int64)),
        }
        for name in kernel.SLOT_ARRAYS:
            array = self.arrays[name]
            if not (array.flags.c_contiguous and array.flags.writeable):
                self.arrays[name] = np.ascontiguousarray(array).copy()

    def addresses(self) -> list[int]:
        """The arrays' addresses in :data:`kernel.SLOT_ARRAYS` order."""
        return [self.arrays[name].ctypes.data for name in kernel.SLOT_ARRAYS]

    def target(self, state: ControlState) -> np.ndarray:
        """This model's latent target [latent_dim] float64 for ``state``."""
        return np.asarray(latent_target(state, self.checkpoint.manifolds, self.latent_dim),
                          dtype=np.float64)


def _check_hpn(stft: Any, n_conditioning: int, latent_dim: int, layers: list,
               synthesis: Any) -> None:
    """Raise ValueError when an hpn model does not fit the kernel's voices."""
    if not 1 <= stft.n_harmonics <= kernel.MAX_HARMONICS:
        raise ValueError(f"n_harmonics {stft.n_harmonics} not in 1..{kernel.MAX_HARMONICS}")
    if not 1 <= stft.n_noise_bands <= kernel.MAX_NOISE_BANDS:
        raise ValueError(f"n_noise_bands {stft.n_noise_bands} not in "
                         f"1..{kernel.MAX_NOISE_BANDS}")
    if not 0 <= n_conditioning <= kernel.MAX_CONDITIONING:
        raise ValueError(f"n_conditioning {n_conditioning} not in 0..{kernel.MAX_CONDITIONING}")
    if layers[0][0].shape[0] != latent_dim + n_conditioning:
        raise ValueError(f"decoder input {layers[0][0].shape[0]} != latent_dim {latent_dim} + "
                         f"n_conditioning {n_conditioning}")
    if layers[-1][0].shape[1] != stft.n_harmonics + stft.n_noise_bands:
        raise ValueError(f"decoder output {layers[-1][0].shape[1]} != n_harmonics + "
                         f"n_noise_bands ({stft.n_harmonics + stft.n_noise_bands})")
    if synthesis is None or tuple(np.shape(synthesis)) != (stft.n_noise_bands, stft.n_bins):
        raise ValueError(f"an hpn decoder needs its noise synthesis matrix [n_noise_bands, "
                         f"n_bins] = [{stft.n_noise_bands}, {stft.n_bins}]")


def half_way_delay_ms(hop_length: int, n_fft: int, alpha: float, sample_rate: int,
                      lead: float = 0.0) -> float:
    """Time from the first sample rendered after a control change to the output being half-way
    to the new timbre, ms (a property of the synthesis, not a measurement).

    The latent moves by one-pole smoothing (``alpha`` per hop: frame j after the change has
    moved ``1 - (1 - alpha)^(j+1) (1 - lead)`` of the way, ``lead`` from
    :func:`smoothing_lead`, 0 at the model's hop); every output sample is an overlap-add of the
    frames whose window covers it, weighted by the squared Hann window (synthesis window times
    the frame's own envelope). Half-way is the first sample whose weighted progress reaches 0.5.
    At 48 kHz, hop 256, n_fft 2048 and 15 ms smoothing: 27.6 ms (18.7 ms of it from the window
    alone, with no smoothing). Weighted overlap-add after Allen & Rabiner (1977).

    Args:
        hop_length, n_fft: samples (the synthesis hop); alpha: smoothing coefficient per
        hop, in (0, 1]; sample_rate: Hz; lead: in [0, 1).
    Returns:
        float, ms.
    """
    weight = np.hanning(n_fft + 1)[:-1] ** 2
    old = n_fft // hop_length
    index = np.arange(-old, 64)
    starts = index * hop_length
    progress = np.zeros(len(index))
    after = index >= 0
    progress[after] = 1.0 - (1.0 - alpha) ** (index[after] + 1.0) * (1.0 - lead)
    t = np.arange(0, 64 * hop_length)
    k = t[:, None] - starts[None, :]
    inside = (k >= 0) & (k < n_fft)
    w = np.where(inside, weight[np.clip(k, 0, n_fft - 1)], 0.0)
    share = (w * progress[None, :]).sum(axis=1) / np.maximum(w.sum(axis=1), 1e-12)
    reached = np.nonzero(share >= 0.5)[0]
    return 1000.0 * float(reached[0] if len(reached) else len(t)) / sample_rate


def _check_range(name: str, value: float, low: float, high: float) -> None:
    """Raise ValueError unless ``low <= value <= high`` (and finite)."""
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} {value!r} not in [{low:g}, {high:g}]")


def _cycles_per_second() -> float:
    """Rate of the kernel's cycle counter, measured against time.perf_counter over 50 ms."""
    kernel.cycle_counter()
    t0, c0 = time.perf_counter(), kernel.cycle_counter()
    time.sleep(0.05)
    t1, c1 = time.perf_counter(), kernel.cycle_counter()
    rate = (c1 - c0) / max(t1 - t0, 1e-9)
    return rate if rate > 1e6 else 1e9  # no usable counter: assume 1 GHz (cost figures only)


def _lock_memory(arrays: list[np.ndarray]) -> bool:
    """mlock the buffers the callback touches, so none is paged out (best effort; needs root or
    a memlock limit). Only these: mlockall would fault in and pin every mapped library, +300 MB
    of resident memory measured."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return all(libc.mlock(ctypes.c_void_p(a.ctypes.data), ctypes.c_size_t(a.nbytes)) == 0
                   for a in arrays if a.nbytes)
    except (OSError, AttributeError):
        return False


class CallbackEngine:
    """Plays a model through the in-callback kernel, with hot-swap and recording.

    Args:
        checkpoint: the loaded model to play first.
        model_name: its name (reported in /state).
        device: PortAudio output device name/index, or None for the internal clock.
        blocksize: audio period in frames (0: PortAudio chooses).
        record_path: WAV file (default limits) or RecordSpec (cap, free-space reserve), or None.
        on_event: called with each :data:`~synth_server.core.contract.EngineEvent`:
            :class:`~synth_server.core.contract.Swapped` (from the watcher thread, once the
            crossfade ended), :class:`~synth_server.core.contract.LoadFailed` (from the thread
            that called :meth:`load`, or the watcher's when a waiting load starts) and
            :class:`~synth_server.core.contract.RecordEnded` when the recording stopped by
            itself (a failed write, the size cap, the disk nearly full).
        smoothing_ms: latent and gain smoothing time constant.
        crossfade_ms: hot-swap crossfade length.
        channels: output channels.
        seed: phase generator seed.
        synthesis_hop: samples per synthesis hop (None: the model's hop_length). A divisor of
            the model's hop (e.g. 128 or 64 for 256) renders a control change at the next
            synthesis-hop boundary instead of the next model-hop one; every hop-derived
            constant (smoothing per hop, ADSR steps, steal fade, crossfade, gain ramp, phase
            advance, overlap-add and noise gains) is set for it. Models loaded later must have
            a hop it divides.
    Raises:
        ValueError: the model does not fit the kernel, or ``synthesis_hop`` does not divide
            its hop.
    """

    def __init__(self, checkpoint: Any, model_name: str, device: Any, blocksize: int = 256,
                 record_path: Optional[str | Path | RecordSpec] = None,
                 on_event: Optional[Callable[[EngineEvent], None]] = None,
                 smoothing_ms: float = 15.0, crossfade_ms: float = 30.0, channels: int = 2,
                 seed: int = 0, synthesis_hop: Optional[int] = None):
        self.model_name = model_name
        self.device = device
        self.blocksize = blocksize
        stft = checkpoint.stft
        self.sample_rate = int(stft.sample_rate)
        self.model_hop_length = int(stft.hop_length)
        self.hop_length = int(synthesis_hop) if synthesis_hop is not None \
            else self.model_hop_length  # the synthesis hop: what the kernel renders at a time
        problem = check_synthesis_hop(self.hop_length, self.model_hop_length, int(stft.n_fft))
        if problem is not None:
            raise ValueError(f"{model_name}: {problem}")
        self.channels = channels
        self.smoothing_ms = smoothing_ms
        self._seed = seed
        self._on_event = on_event
        self._record_path = record_path
        self._rec_end: Optional[int] = None  # frames the recording ends at (stopping)
        self.recorder: Optional[WavRecorder] = None
        hop, sr = self.hop_length, self.sample_rate
        hop_s = hop / sr
        fade_len = max(hop, int(math.ceil(crossfade_ms / 1000.0 * sr / hop)) * hop)
        rec_frames = int(RECORD_RING_S * sr) if record_path else 0
        self.params = np.zeros(1, kernel.PARAMS_DTYPE)
        p = self.params[0]
        p["sample_rate"], p["hop_length"], p["channels"] = sr, hop, channels
        p["gain_alpha"] = 1.0 - math.exp(-hop_s / max(smoothing_ms / 1000.0, 1e-6))
        p["gain_snap"] = GAIN_SNAP
        p["dc_pole"] = math.exp(-2.0 * math.pi * DC_CUTOFF_HZ / sr)
        p["ceiling"] = 10.0 ** (CEILING_DB / 20.0)
        p["release"] = 1.0 - math.exp(-hop_s / (RELEASE_MS / 1000.0))
        p["fade_len"] = fade_len
        p["rec_frames"] = rec_frames
        p["cycles_per_s"] = 1e9
        p["steal_hops"] = max(1, kernel.STEAL_SAMPLES // hop)
        self.crossfade_ms = 1000.0 * fade_len / sr
        self.half_way_ms = half_way_delay_ms(
            hop, int(stft.n_fft), float(p["gain_alpha"]), sr,
            smoothing_lead(self.model_hop_length, hop, sr, smoothing_ms))
        ramp = np.sin(0.5 * np.pi * (np.arange(fade_len) + 1) / fade_len)
        self.control = _touch(np.zeros(1, kernel.CONTROL_DTYPE))
        self.state = _touch(np.zeros(1, kernel.STATE_DTYPE))
        self.arrays: dict[str, np.ndarray] = {
            "params": self.params, "control": self.control, "state": self.state,
            "fifo": _touch(np.zeros((hop, channels), np.float32)),
            "mono": _touch(np.zeros(hop, np.float32)),
            "hop_gains": _touch(np.zeros(2, np.float64)),
            "scratch": _touch(np.zeros(hop, np.float64)),
            "fade_in": ramp.astype(np.float32),
            "fade_out": np.sqrt(np.maximum(1.0 - ramp ** 2, 0.0)).astype(np.float32),
            "rec_ring": _touch(np.zeros((max(rec_frames, 1), channels), np.float32)),
            "axes": np.zeros(1, np.int64),
            "dc_state": _touch(np.zeros(2, np.float64)),
            "limiter": np.ones(1, np.float64),
            "timespec": _touch(np.zeros(2, np.int64)),
            "rusage": _touch(np.zeros(2 * kernel.RUSAGE_WORDS, np.int64)),
            "snapshot": _touch(np.zeros(1, kernel.CONTROL_DTYPE)),
            "voices": _touch(np.zeros(kernel.MAX_VOICES, kernel.VOICE_DTYPE)),
            "events": _touch(np.zeros(kernel.EVENT_RING, kernel.EVENT_DTYPE)),
            "event_write": _touch(np.zeros(1, np.int64)),
            "amp_prev": _touch(np.zeros((kernel.N_SLOTS, kernel.MAX_VOICES,
                                         kernel.MAX_HARMONICS), np.float64)),
            "osc": _touch(np.zeros((5, kernel.MAX_HARMONICS), np.float64)),
            "band_power": _touch(np.zeros(kernel.MAX_NOISE_BANDS, np.float64)),
            "voice_list": _touch(np.zeros(kernel.MAX_VOICES, np.int64)),
        }
        self.envelope = DEFAULT_ENVELOPE
        self.pitchbend = 0.0
        c = self.control[0]
        c["attack_s"], c["decay_s"], c["sustain_level"], c["release_s"] = self.envelope
        self.table = kernel.engine_table()
        for i, name in enumerate(kernel.ENGINE_ARRAYS):
            self.table[i] = self.arrays[name].ctypes.data
        self.slots: list[Optional[ModelSlot]] = [None] * kernel.N_SLOTS
        self._install(0, ModelSlot(checkpoint, hop, smoothing_ms, seed))
        s = self.state[0]
        s["active"], s["fading_to"], s["fifo_pos"], s["seen_seq"] = 0, -1, hop, -1
        self._lock = threading.Lock()  # publish / load (Python side only; never the kernel)
        self._state = ControlState()
        self._version = 0
        self._pending: Optional[tuple[Any, float]] = None  # newest load waiting for an ack
        self._requests: dict[int, tuple[str, int, float]] = {}  # handoff -> name,
        # latent_dim, asked (CLOCK_MONOTONIC s)
        self._reported = 0
        self._stream: Any = None
        self._stop = threading.Event()
        self._watch_wake = threading.Event()  # a hand-over started (or stop): look now
        self._threads: list[threading.Thread] = []
        self._rec_read = 0
        self._record_told = False
        self.dropped_frames = 0
        self.swaps: list[dict[str, Any]] = []  # the last 100 completed swaps
        self.swap_count = 0
        self.realtime = False
        self.memory_locked = False
        self.failed = False

    # -- slots and control ---------------------------------------------------------------

    def _install(self, index: int, slot: ModelSlot) -> None:
        # the slot is not playing: the kernel does not read its amplitudes now
        self.arrays["amp_prev"][index] = 0.0
        for i, address in enumerate(slot.addresses()):
            self.table[kernel.SLOT_BASE + index * kernel.N_SLOT_ARRAYS + i] = address
        self.slots[index] = slot

    def _write_control(self, state: ControlState, handoff: Optional[tuple[int, int]] = None
                       ) -> None:
        """Seqlock write of ``state`` (and a new hand-over). Caller holds ``self._lock``."""
        control = self.control
        targets = [slot.target(state) if slot is not None else None for slot in self.slots]
        # a non-finite target would poison the smoothed latent for good (silence until the
        # next model): keep the previous target of that slot instead
        targets = [t if t is not None and np.isfinite(t).all() else None for t in targets]
        stamp = state.received_s if state.received_s > 0.0 else 0.0  # the kernel's clock
        unread = self.state["seen_seq"][0] < control["seq"][0] and control["stamp_s"][0] > 0.0
        control["seq"] += 1  # odd: writing
        control["gain"] = state.gain
        control["pitchbend"] = self.pitchbend
        (control["attack_s"], control["decay_s"], control["sustain_level"],
         control["release_s"]) = self.envelope
        if not unread or stamp <= 0.0:  # a change not yet rendered keeps its own arrival time
            control["stamp_s"] = stamp
        for index, target in enumerate(targets):
            if target is not None:
                control["targets"][0, index, :len(target)] = target
        if handoff is not None:
            control["handoff_slot"] = handoff[1]
            control["handoff"] = handoff[0]
        control["seq"] += 1  # even: stable

    def publish(self, state: ControlState) -> None:
        """Send a new control state (the Controller calls this on every change)."""
        with self._lock:
            self._state = state
            self._write_control(state)

    def load(self, checkpoint: Any, requested_s: float) -> None:
        """Crossfade to ``checkpoint`` (validated by the caller); answered through on_event.

        One hand-over is in flight at a time; while one is, the newest request waits (an older
        waiting one is dropped, answered with ``LoadFailed("superseded by ...")``).
        """
        with self._lock:
            if self._handoff_busy():
                dropped = self._pending
                self._pending = (checkpoint, requested_s)
                if dropped is not None:
                    self._emit(LoadFailed(f"superseded by {checkpoint.name}"))
                return
            self._start_handoff(checkpoint, requested_s)

    # -- notes (hpn models) ----------------------------------------------------------------

    @property
    def family(self) -> str:
        """The playing model's family: "hpn" (plays notes) or "spectral"."""
        slot = self.slots[int(self.state["active"][0])]
        return slot.family if slot is not None else "spectral"

    def _event(self, kind: int, midi_pitch: float = 0.0, velocity: float = 0.0,
               received_s: float = 0.0) -> None:
        """Publish one note event into the kernel's ring (single producer: under the lock).

        Raises:
            RuntimeError: the ring is full (EVENT_RING events not yet applied: the kernel is
                not running or the sender floods); the event is refused, none is lost silently.
        """
        with self._lock:
            write = int(self.arrays["event_write"][0])
            if write - int(self.state["ev_read"][0]) >= kernel.EVENT_RING:
                raise RuntimeError(f"{kernel.EVENT_RING} note events wait for the audio "
                                   "callback: refused")
            event = self.arrays["events"][write % kernel.EVENT_RING]
            event["kind"] = kind
            event["midi_pitch"] = midi_pitch
            event["velocity"] = velocity
            event["stamp_s"] = received_s if received_s > 0.0 else 0.0
            self.arrays["event_write"][0] = write + 1  # publish (stores are ordered: x86-64
            # TSO; the kernel fences between reading the counter and the events)

    def note_on(self, midi_pitch: float, velocity: float, received_s: float = 0.0) -> None:
        """Start a note at the next hop: midi_pitch in 0..127 (fractional allowed), velocity
        0..127 (0: note off, as MIDI). The oldest note is stolen (faded out in 10.7 ms) when
        kernel.POLYPHONY notes sound. ``received_s``: time.monotonic() of the packet (for the
        note-on latency), 0 when unmeasured.

        Raises:
            ValueError: pitch or velocity out of range or not finite.
            RuntimeError: the event ring is full.
        """
        _check_range("midi_pitch", midi_pitch, 0.0, 127.0)
        _check_range("velocity", velocity, 0.0, 127.0)
        self._event(kernel.EV_NOTE_ON, midi_pitch, velocity, received_s)

    def note_off(self, midi_pitch: float, received_s: float = 0.0) -> None:
        """Release the note(s) at ``midi_pitch`` (held on while the sustain pedal is down).
        A note released before it sounded one hop still sounds that hop, then releases.

        Raises:
            ValueError: pitch out of range; RuntimeError: the event ring is full.
        """
        _check_range("midi_pitch", midi_pitch, 0.0, 127.0)
        self._event(kernel.EV_NOTE_OFF, midi_pitch, 0.0, received_s)

    def all_notes_off(self) -> None:
        """Release every note (and lift the sustain pedal)."""
        self._event(kernel.EV_ALL_OFF)

    def set_sustain(self, on: bool) -> None:
        """Sustain pedal: while down, released keys keep sounding; lifting it releases them."""
        self._event(kernel.EV_SUSTAIN_ON if on else kernel.EV_SUSTAIN_OFF)

    def set_pitchbend(self, semitones: float) -> None:
        """Pitch bend of every voice, semitones in [-24, 24] (applied at the next hop).

        Raises:
            ValueError: out of range or not finite.
        """
        _check_range("semitones", semitones, -PITCHBEND_LIMIT, PITCHBEND_LIMIT)
        with self._lock:
            self.pitchbend = float(semitones)
            self._write_fields()

    def set_envelope(self, attack_s: float, decay_s: float, sustain: float,
                     release_s: float) -> None:
        """ADSR of every voice (linear segments; sounding voices follow at the next hop):
        attack_s 0..10 s, decay_s 0..10 s (from 1 to ``sustain``), sustain level 0..1 of the
        velocity's amplitude (0: the note ends after its decay), release_s 0..20 s.

        Raises:
            ValueError: a value out of range or not finite.
        """
        _check_range("attack_s", attack_s, 0.0, ENVELOPE_LIMITS_S[0])
        _check_range("decay_s", decay_s, 0.0, ENVELOPE_LIMITS_S[1])
        _check_range("sustain", sustain, 0.0, 1.0)
        _check_range("release_s", release_s, 0.0, ENVELOPE_LIMITS_S[2])
        with self._lock:
            self.envelope = (float(attack_s), float(decay_s), float(sustain), float(release_s))
            self._write_fields()

    def _write_fields(self) -> None:
        """Seqlock write of the note fields only (caller holds the lock)."""
        control = self.control
        control["seq"] += 1
        control["pitchbend"] = self.pitchbend
        (control["attack_s"], control["decay_s"], control["sustain_level"],
         control["release_s"]) = self.envelope
        control["seq"] += 1

    @property
    def voices_sounding(self) -> int:
        """Notes sounding now (held, sustained or releasing; not stolen ones fading out)."""
        return int(self.state["voices"][0])

    def note_latency(self) -> LatencyStats:
        """Note-on latency of the last (up to 1024) notes: arrival -> the first sample of the
        note reaching the device (ms)."""
        return self._ring_stats("note_latencies_ms", "note_lat_count")

    def render_offline(self, frames: int) -> np.ndarray:
        """Run the kernel now, in this thread, for ``frames`` frames (offline rendering and
        tests: the engine must not be started). Returns [frames, channels] float32 (new)."""
        out = np.zeros((frames, self.channels), np.float32)
        kernel.process(np.uint64(self.table.ctypes.data), np.uint64(out.ctypes.data), frames,
                       0.0, 0.0)
        return out

    def _handoff_busy(self) -> bool:
        return int(self.control["handoff"][0]) > int(self.state["ack"][0])

    def _start_handoff(self, checkpoint: Any, requested_s: float) -> None:
        """Build the slot that is not playing and ask the kernel to crossfade to it."""
        stft = checkpoint.stft
        if int(stft.sample_rate) != self.sample_rate:
            self._emit(LoadFailed(f"{checkpoint.name}: {stft.sample_rate} Hz; the engine runs "
                                  f"{self.sample_rate} Hz"))
            return
        problem = check_synthesis_hop(self.hop_length, int(stft.hop_length), int(stft.n_fft))
        if problem is not None:
            self._emit(LoadFailed(f"{checkpoint.name}: {problem}"))
            return
        index = 1 - int(self.state["active"][0])
        try:
            slot = ModelSlot(checkpoint, self.hop_length, self.smoothing_ms, self._seed)
        except Exception as exc:  # noqa: BLE001 - the playing model keeps playing
            self._emit(LoadFailed(f"{type(exc).__name__}: {exc}".splitlines()[0]))
            return
        _lock_memory(list(slot.arrays.values()))
        self._install(index, slot)
        handoff = int(self.control["handoff"][0]) + 1
        self._requests = {handoff: (checkpoint.name, slot.latent_dim, requested_s)}
        self._write_control(self._state, (handoff, index))
        self._watch_wake.set()  # after the write: the watcher sees the hand-over in flight

    def _emit(self, event: EngineEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:  # noqa: BLE001 - a reporting error must not stop the engine
            log.exception("engine event handler failed")

    # -- status --------------------------------------------------------------------------

    def status(self) -> EngineStatus:
        """Snapshot for /state (read without locking; numbers may be one hop apart)."""
        s = self.state[0]
        active = int(s["active"])
        slot = self.slots[active]
        d = slot.latent_dim if slot is not None else 0
        latent = tuple(float(v) for v in slot.arrays["latent"][:d]) if slot else ()
        target = tuple(float(v) for v in s["targets"][active, :d])
        return EngineStatus(model_name=self.model_name, latent_dim=d, latent=latent,
                            target_latent=target, underruns=int(s["late_callbacks"]),
                            nan_frames=int(s["nan_frames"]), voices=int(s["voices"]),
                            family=slot.family if slot is not None else "spectral",
                            level_db=float(20.0 * np.log10(max(float(s["peak"]), 1e-6))),
                            synthesis_hop=self.hop_length)

    def _ring_stats(self, ring: str, counter: str) -> LatencyStats:
        """Median and p99 of the kernel's latency ring ``ring`` (ms, the last up to
        LATENCY_RING entries) and the count of all it measured (state field ``counter``)."""
        s = self.state[0]
        count = int(s[counter])
        n = min(count, kernel.LATENCY_RING)
        if n == 0:
            return LatencyStats()
        values = np.array(s[ring][:n], dtype=np.float64)
        return LatencyStats(float(np.median(values)), float(np.percentile(values, 99)), count)

    def latency(self) -> LatencyStats:
        """Control latency of the last (up to 1024) changes."""
        return self._ring_stats("latencies_ms", "lat_count")

    @property
    def latency_ms(self) -> float:
        """Nominal output latency: one period plus the device's reported output latency."""
        device_s = float(self._stream.latency) if self._stream is not None else 0.0
        period = self.blocksize or self.hop_length
        return 1000.0 * (period / self.sample_rate + device_s)

    def callback_cost(self) -> dict[str, float]:
        """Kernel cost per callback: last, mean and max wall time (ms, the cycle counter) and the
        max in thread CPU time (max_cpu_ms)."""
        s = self.state[0]
        rate = float(self.params["cycles_per_s"][0])
        calls = max(int(s["callbacks"]), 1)
        return {"last_ms": 1000.0 * int(s["cost_cycles"]) / rate,
                "mean_ms": 1000.0 * int(s["sum_cost_cycles"]) / calls / rate,
                "max_ms": 1000.0 * int(s["max_cost_cycles"]) / rate,
                "max_cpu_ms": int(s["max_cpu_ns"]) / 1e6}

    @property
    def played_s(self) -> float:
        """Seconds of audio the kernel has rendered since the stream (or the clock) started:
        frames / sample_rate, so it does not count a start-up that a busy machine slowed."""
        return int(self.state["frames"][0]) / self.sample_rate

    @property
    def alive(self) -> bool:
        """True while the stream (or the clock) runs."""
        if self.failed:
            return False
        if self._stream is not None:
            return bool(self._stream.active)
        return any(t.is_alive() for t in self._threads if t.name == "clock")

    # -- lifecycle -----------------------------------------------------------------------

    def _warm_up(self) -> None:
        """Run every kernel path once (hop, crossfade, recording ring) on throwaway copies of
        the buffers, so the callback's first call plans no FFT and faults no page."""
        saved_table = self.table.copy()
        saved = {name: array.copy() for name, array in self.arrays.items()}
        slot_saved = {name: array.copy() for name, array in self.slots[0].arrays.items()}
        out = np.zeros((max(self.blocksize, self.hop_length), self.channels), np.float32)
        self._install(1, self.slots[0])
        self.control["handoff"] = 1
        self.control["handoff_slot"] = 1
        self.control["seq"] += 2
        if self.slots[0].family == "hpn":  # voices: more notes than POLYPHONY (stealing),
            # releases, the pedal, during the crossfade
            self._event(kernel.EV_SUSTAIN_ON)
            for i in range(kernel.POLYPHONY + 2):
                self._event(kernel.EV_NOTE_ON, 40.0 + i, 100.0)
            self._event(kernel.EV_NOTE_OFF, 40.0)
            self._event(kernel.EV_SUSTAIN_OFF)
            self._event(kernel.EV_ALL_OFF)
        for _ in range(int(self.params["fade_len"][0]) // self.hop_length + 2):
            kernel.process(np.uint64(self.table.ctypes.data), np.uint64(out.ctypes.data),
                           len(out), 0.0, 0.0)
        for name, array in saved.items():
            self.arrays[name][...] = array
        for name, array in slot_saved.items():
            self.slots[0].arrays[name][...] = array
        self.table[:] = saved_table
        self.slots[1] = None

    def start(self, initial: ControlState) -> None:
        """Warm up, then open the output (or start the clock) and the watcher.

        Raises:
            AudioDeviceError: the device cannot be opened (nothing is left running).
        """
        self.params["cycles_per_s"] = _cycles_per_second()
        self._warm_up()
        with self._lock:
            self._state = initial
            self._write_control(initial)
        if self._record_path:
            try:
                self.recorder = open_recorder(
                    self._record_path, self.sample_rate, self.channels,
                    thread_setup=lambda: realtime_priority(RT_PRIORITY - 10))
            except Exception as exc:  # noqa: BLE001 - soundfile/OS errors: one line
                raise RuntimeError(f"the audio engine could not start: cannot record to "
                                   f"{self._record_path}: {exc}".splitlines()[0]) from None
        self.memory_locked = _lock_memory(list(self.arrays.values())
                                          + list(self.slots[0].arrays.values()))
        if self.device is not None:
            try:
                self._open_stream()
            except AudioDeviceError:
                if self.recorder is not None:
                    self.recorder.close()
                raise
            self.realtime = True
        else:
            self._threads.append(threading.Thread(target=self._clock_loop, name="clock",
                                                  daemon=True))
        self._threads.append(threading.Thread(target=self._watch_loop, name="engine-watch",
                                              daemon=True))
        for thread in self._threads:
            thread.start()

    def _open_stream(self) -> None:
        sd = import_sounddevice()
        try:
            with quiet_stderr() as lines:
                if not sd._initialized:  # a previous engine of this process terminated it
                    sd._initialize()
                stream = sd._StreamBase(
                    kind="output", samplerate=self.sample_rate, blocksize=self.blocksize,
                    device=self.device, channels=self.channels, dtype="float32",
                    latency="low", callback=sd._ffi.cast("PaStreamCallback*",
                                                         kernel.callback.address),
                    userdata=sd._ffi.cast("void*", self.table.ctypes.data), wrap_callback=None)
                stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudio raises several types
            for line in lines:
                log.debug("portaudio: %s", line)
            raise AudioDeviceError(f"cannot open audio device {self.device!r}: {exc}") from None
        self._stream = stream

    def _clock_loop(self) -> None:
        """Stands in for the device: calls the kernel once per period, on time."""
        self.realtime = realtime_priority(RT_PRIORITY + 5)
        frames = self.blocksize or self.hop_length
        out = _touch(np.zeros((frames, self.channels), np.float32))
        period = frames / self.sample_rate
        table, address = np.uint64(self.table.ctypes.data), np.uint64(out.ctypes.data)
        deadline = time.monotonic()
        while not self._stop.is_set():
            deadline += period
            delay = deadline - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            now = time.monotonic()
            kernel.process(table, address, frames, now, now)

    def _watch_loop(self) -> None:
        """Report swaps and drain the recording ring: every WATCH_S while a hand-over is in
        flight, else every WATCH_IDLE_S (a new hand-over wakes it at once)."""
        realtime_priority(RT_PRIORITY - 10)
        while True:
            self._watch_wake.wait(WATCH_S if self._handoff_busy() else WATCH_IDLE_S)
            self._watch_wake.clear()
            if self._stop.is_set():
                return
            self._report_swaps()
            self._drain_recording()

    def _report_swaps(self) -> None:
        ack = int(self.state["ack"][0])
        if ack <= self._reported:
            return
        with self._lock:
            self._reported = ack
            name, latent_dim, asked_s = self._requests.get(ack, (self.model_name, 0, 0.0))
            s = self.state[0]
            swapped = Swapped(name, latent_dim,
                              hotswap_ms=1000.0 * (float(s["swap_done_s"]) - asked_s),
                              crossfade_ms=self.crossfade_ms, requested_s=asked_s,
                              first_sample=int(s["swap_first_frame"]),
                              last_sample=int(s["swap_done_frame"]))
            self.model_name = name
            self.swap_count += 1
            self.swaps = (self.swaps + [{"model": name, "hotswap_ms": swapped.hotswap_ms,
                                         "crossfade_ms": self.crossfade_ms}])[-100:]
            pending, self._pending = self._pending, None
            if pending is not None:
                self._start_handoff(*pending)
        self._emit(swapped)

    def _drain_recording(self) -> None:
        if self.recorder is None:
            return
        if self.recorder.ended and not self._record_told:
            self._record_told = True  # it stopped by itself: the server shows why
            self._emit(RecordEnded(self.recorder.summary()))
        ring = self.arrays["rec_ring"]
        size = len(ring)
        write = int(self.state["rec_write"][0])
        if write - self._rec_read > size:  # the writer fell a whole ring behind
            self.dropped_frames += write - self._rec_read - size
            self._rec_read = write - size
        if self._rec_end is not None:
            write = min(write, self._rec_end)
        while self._rec_read < write:
            start = self._rec_read % size
            n = min(write - self._rec_read, size - start)
            self.recorder.put(ring[start:start + n])
            self._rec_read += n

    def end_recording_now(self) -> None:
        """The recording keeps what has been played so far and nothing after it (what plays
        while the rest of the server shuts down is not recorded)."""
        self._rec_end = int(self.state["rec_write"][0])

    def stop(self, timeout_s: float = 10.0) -> AudioResult:
        """Stop the stream and threads, close the recording; the final numbers."""
        self._stop.set()
        self._watch_wake.set()
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception:  # noqa: BLE001 - closing a broken stream
                log.debug("closing the stream failed", exc_info=True)
            # PortAudio's JACK client lives from Pa_Initialize to Pa_Terminate, not with the
            # stream: close it now, while JACK still runs (at exit it may not: an assertion)
            sd = import_sounddevice()
            with quiet_stderr():
                while sd._initialized:
                    sd._terminate()
        for thread in self._threads:
            thread.join(timeout=timeout_s)
        self._threads.clear()
        self._report_swaps()
        self._drain_recording()
        record = None
        if self.recorder is not None:
            self.recorder.close()
            record = self.recorder.summary()
        s = self.state[0]
        latency = self.latency()
        notes = self.note_latency()
        cost = self.callback_cost()
        details = {"latency_ms_median": latency.median_ms, "latency_ms_p99": latency.p99_ms,
                   # change -> half-way to the new timbre: the first changed sample, then the
                   # smoothing and the synthesis window (half_way_delay_ms)
                   "timbre_half_way_ms_median": latency.median_ms + self.half_way_ms,
                   "latency_count": latency.count, "realtime": self.realtime,
                   "note_latency_ms_median": notes.median_ms,
                   "note_latency_ms_p99": notes.p99_ms, "notes": notes.count,
                   "notes_stolen": int(s["steals"]),
                   "callbacks": int(s["callbacks"]), "xruns_seen": int(s["gaps"]),
                   "synthesis_hop": self.hop_length,
                   "torn_reads": int(s["torn_reads"]),
                   "callback_ms_mean": round(cost["mean_ms"], 4),
                   "callback_ms_max": round(cost["max_ms"], 4),
                   "callback_cpu_ms_max": round(cost["max_cpu_ms"], 4),
                   # when the longest callback ran (s of audio from the start): to tell it
                   # against the hand-overs (swaps' first_sample) in a soak
                   "callback_cpu_max_at_s": round(int(s["max_cpu_frame"]) / self.sample_rate,
                                                  3),
                   # what that callback spent its CPU on (getrusage of the audio thread): our
                   # code is user time; page faults and kernel work charged to it are system
                   "callback_cpu_max_user_ms": int(s["max_cpu_user_us"]) / 1000.0,
                   "callback_cpu_max_system_ms": int(s["max_cpu_system_us"]) / 1000.0,
                   "callback_cpu_max_page_faults": int(s["max_cpu_minflt"])
                   + int(s["max_cpu_majflt"]),
                   "callback_cpu_max_preempted": int(s["max_cpu_nivcsw"]),
                   "recording_dropped_frames": self.dropped_frames,
                   "memory_locked": self.memory_locked, "swaps": list(self.swaps),
                   "record": record}
        self._stream = None
        return AudioResult(int(s["late_callbacks"]), int(s["nan_frames"]), details)
