"""The synthesis kernel that runs inside PortAudio's audio callback: compiled, no GIL, no locks,
no allocation, no logging.

:func:`process` renders ``frames`` samples on demand, one synthesis hop at a time, into
PortAudio's output buffer. The synthesis hop (``params.hop_length``) divides the model's hop
(64 or 128 for a 256-hop model shortens the wait of a control change at a short period): a model
frame is a per-frame quantity (an STFT magnitude frame, harmonic and noise-band amplitudes), so
the decoder simply runs once per synthesis hop and every hop-derived constant (smoothing,
phase advance, overlap-add gain, hpn noise gain, envelopes) is set for the synthesis hop (and
two corrections keep the model hop's sound: realtime.spectral_noise_gain, smoothing_lead).
Per hop (for each sounding model slot): one-pole smoothing of the latent towards its target, the decoder MLP in plain loops (a first BLAS call takes the GIL), exp/floor (and the
band → STFT-bin synthesis matrix for mel / log-frequency models), peak-locked phase
(:func:`~synth_server.dsp.streaming.peak_locked_phase_into`), a 2048-point inverse real FFT
(rocket-fft's ``c2r``, DUCC0, into a preallocated frame) and windowed overlap-add
(:func:`~synth_server.dsp.streaming.overlap_add_hop`, the streaming inverse's own); then the
equal-power crossfade between two model slots during a hot-swap, and the output stage of
:mod:`synth_server.dsp.output` (gain ramp, DC blocker, limiter, ceiling). The result equals
:class:`~synth_server.engine.renderer.Renderer` (numpy, used by ``render``) to float32 rounding.

:data:`callback` is a numba ``@cfunc`` with PortAudio's ``PaStreamCallback`` signature; the
stream is opened with its address and ``userData`` pointing at the engine's address table
(:func:`engine_table`), the way rtmixer hands PortAudio its C callback. Every buffer is a numpy
array owned by :class:`~synth_server.engine.realtime.CallbackEngine`; the kernel sees them through
their addresses (``numba.carray``), so one compiled kernel (cached on disk) plays every model.

Control arrives through a seqlock (:data:`CONTROL_DTYPE`): the writer makes ``seq`` odd, writes,
makes it even; the kernel copies the fields between two reads of ``seq`` with compiler fences
and keeps its previous copy when the read was torn (counted). Model hand-over: Python fills the
slot that is not playing, then raises ``handoff``; the kernel crossfades to it and sets
``ack``. The kernel measures itself: its cost per callback (the CPU's cycle counter: wall
time), callbacks whose own CPU time exceeded their period (``late_callbacks``: our own misses;
``clock_gettime(CLOCK_THREAD_CPUTIME_ID)``), gaps in the stream's
clock (a deadline somebody missed), and control latency (the packet's arrival → the output
time of the first sample rendered from it, both on CLOCK_MONOTONIC: the output time is the
callbacks' own frame grid, the lower envelope of callback entry time − frames produced /
sample_rate, plus the device latency PortAudio reports; see :func:`process`).

Notes (models of the hpn family, docs/notes.md): note events arrive through a single-producer
single-consumer ring (:data:`EVENT_DTYPE`), applied in order at the start of each hop, so none
is merged or lost; the kernel allocates voices (:data:`VOICE_DTYPE`, POLYPHONY notes plus slots
for stolen notes fading out over STEAL_SAMPLES), steps their linear ADSR once per hop, decodes
concat(the slot's smoothed latent, conditioning(pitch, loudness)) for all voices in one batched
pass, plays the harmonics through an oscillator bank (second-order sine recurrence, amplitudes
interpolated over the hop) and the voices' summed noise power through one inverse FFT with the
spectral path's window and overlap-add (HPN contract; dsp/hpn.py is its numpy reference).

Linux x86-64 / aarch64 only: ``unsigned long`` (frameCount, statusFlags) is 64 bits there.

Sources: PortAudio's ``PaStreamCallback`` contract (portaudio.h); numba ``@cfunc`` and
``carray`` (numba docs, "C callbacks"); the seqlock as in the Linux kernel (include/linux/
seqlock.h; Lameter, "Effective synchronization on Linux/NUMA systems", 2005); the inverse FFT
is DUCC0 through rocket-fft; weighted overlap-add as in Allen & Rabiner (1977).
"""
from __future__ import annotations

import platform

import numba
import numpy as np
from numba import carray, types
from numba.core import cgutils
from numba.extending import intrinsic
from rocket_fft import c2r

from synth_server.dsp.output import output_stage_into
from synth_server.dsp.streaming import MAIN_LOBE_BINS, overlap_add_hop, peak_locked_phase_into

MAX_LATENT = 256
MAX_LAYERS = 8
N_SLOTS = 2
LATENCY_RING = 1024
PA_CONTINUE = 0
POLYPHONY = 16        # notes sounding at once (key held, sustained or releasing)
MAX_VOICES = 32       # voice slots: POLYPHONY plus room for stolen notes fading out
MAX_HARMONICS = 128   # oscillators per voice (n_harmonics of an hpn model)
MAX_NOISE_BANDS = 128
MAX_CONDITIONING = 4
EVENT_RING = 1024     # note events between two hops (Python refuses more: none is lost)
STEAL_SAMPLES = 512   # a stolen note fades out linearly over this many samples (10.7 ms at 48k):
# STEAL_SAMPLES // hop_length hops of the synthesis hop (2 at 256, 8 at 64; params.steal_hops)
PITCH_MATCH = 1e-3    # a note-off releases the notes within this many semitones (float32 OSC
# arguments and doubles of the same pitch differ by ~3e-6)
HARMONIC_LIMIT = 0.45  # harmonics at or above this fraction of the sample rate are silent
# Headroom of each voice: its harmonics and noise are rendered at this gain (the decoder still
# sees the note's own loudness). Without it two notes at velocity 100 of models/instruments
# already reached the limiter (peak 0.989); at -12 dB 8 such notes stay below it. A mixing gain,
# as a polyphonic synth's voice level: the reference synth (dsp.hpn.HpnSynth) has none.
VOICE_GAIN_DB = -12.0
VOICE_GAIN = 10.0 ** (VOICE_GAIN_DB / 20.0)
FAMILY_SPECTRAL = 0
FAMILY_HPN = 1
# voice stages
IDLE, ATTACK, DECAY, SUSTAIN, RELEASE, STOLEN = range(6)
# note events
EV_NOTE_ON, EV_NOTE_OFF, EV_ALL_OFF, EV_SUSTAIN_ON, EV_SUSTAIN_OFF = range(1, 6)

CONTROL_DTYPE = np.dtype([
    ("seq", np.int64),             # seqlock counter: odd while Python writes
    ("gain", np.float64),          # linear gain target, [0, 1]
    ("stamp_s", np.float64),       # arrival of the change, CLOCK_MONOTONIC s (0: unmeasured)
    ("handoff", np.int64),         # model hand-overs requested so far
    ("handoff_slot", np.int64),    # the slot the newest hand-over crossfades to
    ("targets", np.float64, (N_SLOTS, MAX_LATENT)),  # latent target of each slot's model
    ("pitchbend", np.float64),     # semitones added to every voice's midi_pitch
    ("attack_s", np.float64), ("decay_s", np.float64),  # ADSR of new and sounding voices
    ("sustain_level", np.float64), ("release_s", np.float64),
], align=True)
"""Control block, written by Python (seqlock), read by the kernel once per hop. Note events
do not go through it (a note-on and note-off between two hops would be one state): they go
through the SPSC event ring (:data:`EVENT_DTYPE`)."""

EVENT_DTYPE = np.dtype([
    ("kind", np.int64),            # EV_NOTE_ON, EV_NOTE_OFF, EV_ALL_OFF, EV_SUSTAIN_ON/OFF
    ("midi_pitch", np.float64), ("velocity", np.float64),
    ("stamp_s", np.float64),       # arrival, CLOCK_MONOTONIC s (0: unmeasured)
], align=True)
"""One note event of the ring: Python writes ``events[w % EVENT_RING]`` then publishes
``event_write[0] = w + 1`` (single producer, under the engine's lock); the kernel applies every
event from ``state.ev_read`` to ``event_write`` at the start of each hop, in order, then
publishes ``state.ev_read`` (single consumer). Python refuses an event when the ring is full."""

VOICE_DTYPE = np.dtype([
    ("stage", np.int64),           # IDLE, ATTACK, DECAY, SUSTAIN, RELEASE, STOLEN
    ("order", np.int64),           # note-on serial (the oldest note is stolen first)
    ("held", np.int64),            # key down
    ("sustained", np.int64),       # key up while the pedal was down: held by the pedal
    ("pending_off", np.int64),     # note-off before the voice sounded a hop: applied after it
    ("ending", np.int64),          # the envelope reached 0 this hop: idle after it
    ("hops", np.int64),            # hops rendered
    ("midi_pitch", np.float64), ("velocity", np.float64),
    ("velocity_amplitude", np.float64),  # (velocity / 127)^2
    ("env", np.float64),           # envelope at the end of this hop, [0, 1]
    ("fade_from", np.float64),     # envelope where the release or the steal started
    ("f0_hz", np.float64),         # fundamental of this hop (pitch + bend)
    ("phase", np.float64),         # fundamental phase at the start of this hop, [0, 2 pi)
    ("stamp_s", np.float64),       # arrival of the note-on (0: unmeasured)
], align=True)
"""One voice, kept by the kernel (Python only reads it, for /state)."""

STATE_DTYPE = np.dtype([
    ("active", np.int64),          # slot playing
    ("fading_to", np.int64),       # slot fading in, or -1
    ("fade_pos", np.int64),        # samples of the crossfade done
    ("ack", np.int64),             # hand-overs completed
    ("seen_seq", np.int64),        # control seq of the kernel's copy
    ("fifo_pos", np.int64),        # samples of the current hop already output
    ("callbacks", np.int64), ("hops", np.int64), ("frames", np.int64),
    ("nan_frames", np.int64), ("torn_reads", np.int64),
    ("late_callbacks", np.int64),  # callbacks whose own CPU time exceeded their period
    ("gaps", np.int64),            # stream clock jumped by more than 1.5 periods
    ("last_time_s", np.float64),   # currentTime of the previous callback
    ("cost_cycles", np.int64), ("max_cost_cycles", np.int64), ("sum_cost_cycles", np.int64),
    ("max_cpu_ns", np.int64),      # the longest callback in thread CPU time
    ("max_cpu_frame", np.int64),   # frames played before that callback (when it happened)
    ("max_cpu_user_us", np.int64), ("max_cpu_system_us", np.int64),  # its getrusage deltas:
    ("max_cpu_minflt", np.int64), ("max_cpu_majflt", np.int64),  # user / system time, page
    ("max_cpu_nivcsw", np.int64),  # faults, involuntary context switches
    ("gain", np.float64),          # smoothed master gain
    ("gain_target", np.float64), ("stamp_s", np.float64),  # the kernel's copy of the control
    ("targets", np.float64, (N_SLOTS, MAX_LATENT)),
    ("handoff", np.int64), ("handoff_slot", np.int64),
    ("lat_count", np.int64), ("latencies_ms", np.float64, (LATENCY_RING,)),
    ("swap_first_frame", np.int64), ("swap_done_frame", np.int64),
    ("swap_done_s", np.float64),   # CLOCK_MONOTONIC output time of the first new-model-only sample
    ("rec_write", np.int64),       # frames written to the recording ring so far
    ("pitchbend", np.float64), ("attack_s", np.float64), ("decay_s", np.float64),
    ("sustain_level", np.float64), ("release_s", np.float64),  # the kernel's copy
    ("ev_read", np.int64),         # note events applied so far
    ("pedal", np.int64),           # sustain pedal down
    ("note_order", np.int64),      # note-ons applied so far
    ("voices", np.int64),          # notes sounding (not counting stolen ones fading out)
    ("steals", np.int64),          # notes stolen so far
    ("cuts", np.int64),            # stolen notes cut before their fade ended (no voice free)
    ("note_lat_count", np.int64), ("note_latencies_ms", np.float64, (LATENCY_RING,)),
    ("peak", np.float64),          # output peak meter: |sample| max, falling 20 dB in 1 s
    ("grid_s", np.float64),        # CLOCK_MONOTONIC time of frame 0 (the callbacks' grid)
    ("grid_cur_s", np.float64), ("grid_prev_s", np.float64),  # lowest of this / last window
    ("grid_window_frame", np.int64),  # frames at the start of the current window
    ("grid_start_frame", np.int64),   # frames when the grid was last (re)started
    ("clock_ok", np.int64),        # the grid has settled: latencies are measured
    ("device_s", np.float64),      # device latency, from the first call of a host buffer
    ("host_frame", np.int64),      # frames produced before the first call of that buffer
], align=True)
"""Engine state, written by the kernel; Python reads it for /state and the summary."""

PARAMS_DTYPE = np.dtype([
    ("sample_rate", np.float64), ("hop_length", np.int64), ("channels", np.int64),
    ("gain_alpha", np.float64), ("gain_snap", np.float64), ("dc_pole", np.float64),
    ("ceiling", np.float64), ("release", np.float64), ("fade_len", np.int64),
    ("rec_frames", np.int64),      # recording ring size in frames (0: not recording)
    ("cycles_per_s", np.float64),  # cycle counter rate (calibrated at start)
    ("steal_hops", np.int64),      # hops a stolen note fades over (STEAL_SAMPLES // hop_length)
], align=True)
"""Engine constants, written before the stream starts."""

SLOT_DTYPE = np.dtype([
    ("n_layers", np.int64), ("latent_dim", np.int64), ("n_features", np.int64),
    ("n_bins", np.int64), ("n_fft", np.int64), ("has_synthesis", np.int64),
    ("sizes", np.int64, (MAX_LAYERS + 1,)),
    ("weight_at", np.int64, (MAX_LAYERS,)), ("bias_at", np.int64, (MAX_LAYERS,)),
    ("synthesis_at", np.int64),
    ("floor", np.float32), ("alpha", np.float64), ("advance", np.float64),
    ("log_threshold", np.float64),
    ("family", np.int64),          # FAMILY_SPECTRAL or FAMILY_HPN
    ("n_harmonics", np.int64), ("n_noise_bands", np.int64), ("n_conditioning", np.int64),
    ("lead", np.float64),          # the decoder sees latent + lead (target - latent): the
    # smoothing's progress one model hop after the frame's start, as at the model's hop (0 there)
    ("noise_gain", np.float64),    # factor on the noise bin magnitudes (hpn: all of its noise;
    # spectral: the random-phase bins, sqrt(model hop / synthesis hop), 1 at the model's hop)
], align=True)
"""One model slot's shapes and constants (its arrays are listed in :data:`SLOT_ARRAYS`)."""

ENGINE_ARRAYS = ("params", "control", "state", "fifo", "mono", "hop_gains", "scratch",
                 "fade_in", "fade_out", "rec_ring", "axes", "dc_state", "limiter", "timespec",
                 "snapshot", "voices", "events", "event_write", "amp_prev", "osc",
                 "band_power", "voice_list", "rusage")
"""Engine-level arrays, in address-table order: params [1] PARAMS_DTYPE, control [1]
CONTROL_DTYPE, state [1] STATE_DTYPE, fifo [hop, channels] f32 (the hop being output), mono [hop]
f32 (mixed slots), hop_gains [2] f64, scratch [hop] f64, fade_in / fade_out [fade_len] f32
(equal-power curves), rec_ring [rec_frames or 1, channels] f32, axes [1] int64 (FFT axis),
dc_state [2] f64 (DC blocker), limiter [1] f64 (limiter gain), timespec [2] int64 (struct
timespec for clock_gettime), snapshot [1] CONTROL_DTYPE (the kernel's copy of the control
block while the seqlock read is unconfirmed), voices [MAX_VOICES] VOICE_DTYPE, events
[EVENT_RING] EVENT_DTYPE, event_write [1] int64 (events published by Python), amp_prev
[N_SLOTS, MAX_VOICES, MAX_HARMONICS] f64 (each slot's harmonic amplitudes of each voice at the
end of the previous hop), osc [5, MAX_HARMONICS] f64 (oscillator scratch), band_power
[MAX_NOISE_BANDS] f64 (noise power of all voices per band), voice_list [MAX_VOICES] int64 (the
voices sounding this hop)."""

SLOT_ARRAYS = ("slot", "params", "latent", "running", "running_freq", "rng", "tail", "window",
               "h_a", "h_b", "mag", "log_mag", "phase", "spectrum", "frame", "hop_out",
               "peak_bin", "peak_freq", "peak_phase", "owner")
"""One slot's arrays, in address-table order: slot [1] SLOT_DTYPE, params [P] f32 (each layer's
weights [in, out] then bias [out], then the synthesis matrix [n_features, n_bins]), latent [d]
f64 (smoothed), running / running_freq [K] f64 (phase state), rng [1] u64, tail [n_fft] f32
(overlap), window [n_fft] f32 (synthesis window with the inverse-STFT gain), h_a / h_b [width]
f32 (layer activations; [MAX_VOICES * width] for an hpn slot: one row per voice), mag [K]
f32, log_mag / phase [1, K] f32, spectrum [K] c64, frame [n_fft] f32, hop_out [hop] f32,
peak_bin / owner [K] i64, peak_freq / peak_phase [K] f64. An hpn slot's params end with the
noise bands' synthesis matrix [n_noise_bands, n_bins]; it uses no phase-state arrays."""

SLOT_BASE = 24
TABLE_SIZE = SLOT_BASE + N_SLOTS * len(SLOT_ARRAYS)
(E_PARAMS, E_CONTROL, E_STATE, E_FIFO, E_MONO, E_HOP_GAINS, E_SCRATCH, E_FADE_IN, E_FADE_OUT,
 E_REC_RING, E_AXES, E_DC_STATE, E_LIMITER, E_TIMESPEC, E_SNAPSHOT, E_VOICES, E_EVENTS,
 E_EVENT_WRITE, E_AMP_PREV, E_OSC, E_BAND_POWER, E_VOICE_LIST, E_RUSAGE) = range(len(ENGINE_ARRAYS))
assert len(ENGINE_ARRAYS) <= SLOT_BASE
CLOCK_MONOTONIC = 1
CLOCK_THREAD_CPUTIME_ID = 3
RUSAGE_THREAD = 1
RUSAGE_WORDS = 18  # struct rusage on Linux x86-64 / aarch64: 2 timevals + 14 longs, as int64
GRID_WINDOW_FRAMES = 48000  # the frame grid is the lowest of this window's and the last one's
GRID_SETTLE_FRAMES = 12000  # frames since the grid was (re)started before latencies count
# libc's clock_gettime, linked by name (so the compiled kernel can be cached on disk)
_clock_gettime = types.ExternalFunction("clock_gettime", types.intc(types.intc, types.voidptr))
# getrusage(RUSAGE_THREAD): user / system time and page faults of this thread (getrusage(2)), to
# tell what the longest callback spent its CPU time on
_getrusage = types.ExternalFunction("getrusage", types.intc(types.intc, types.voidptr))
N_SLOT_ARRAYS = len(SLOT_ARRAYS)


@intrinsic
def _pointer(typingctx, address):  # pragma: no cover - compiled
    """An integer address as a void pointer (for numba.carray)."""
    sig = types.voidptr(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], cgutils.voidptr_t)
    return sig, codegen


@intrinsic
def _address(typingctx, pointer):  # pragma: no cover - compiled
    """A void pointer as an integer."""
    sig = types.uint64(types.voidptr)

    def codegen(context, builder, signature, args):
        return builder.ptrtoint(args[0], cgutils.intp_t)
    return sig, codegen


@intrinsic
def _fence(typingctx):  # pragma: no cover - compiled
    """A sequentially consistent fence: no load or store moves across it (seqlock)."""
    sig = types.void()

    def codegen(context, builder, signature, args):
        builder.fence("seq_cst")
        return context.get_dummy_value()
    return sig, codegen


_X86 = platform.machine().lower() in ("x86_64", "amd64")
MXCSR_FTZ_DAZ = 0x8040  # flush-to-zero (bit 15) and denormals-are-zero (bit 6) of SSE's MXCSR


@intrinsic
def _flush_denormals(typingctx):  # pragma: no cover - compiled
    """Make this thread's SSE arithmetic treat denormal floats as zero (MXCSR FTZ + DAZ, as
    audio engines do: one operation on a denormal costs ~100 times a normal one, so a spectrum
    decaying towards silence can make a hop take milliseconds). Returns the previous MXCSR for
    :func:`_restore_fp`; a no-op returning 0 on other processors (aarch64 flushes by FPCR.FZ,
    not set here). MXCSR bits: Intel 64 and IA-32 Architectures SDM, vol. 1, 10.2.3; set with
    LLVM's ``llvm.x86.sse.stmxcsr`` / ``ldmxcsr``."""
    sig = types.int64()

    def codegen(context, builder, signature, args):
        i32 = cgutils.ir.IntType(32)
        if not _X86:
            return context.get_constant(types.int64, 0)
        slot = cgutils.alloca_once(builder, i32)
        fnty = cgutils.ir.FunctionType(cgutils.ir.VoidType(), [cgutils.voidptr_t])
        store = cgutils.get_or_insert_function(builder.module, fnty, "llvm.x86.sse.stmxcsr")
        load = cgutils.get_or_insert_function(builder.module, fnty, "llvm.x86.sse.ldmxcsr")
        address = builder.bitcast(slot, cgutils.voidptr_t)
        builder.call(store, [address])
        old = builder.load(slot)
        builder.store(builder.or_(old, i32(MXCSR_FTZ_DAZ)), slot)
        builder.call(load, [address])
        return builder.zext(old, cgutils.ir.IntType(64))
    return sig, codegen


@intrinsic
def _restore_fp(typingctx, old):  # pragma: no cover - compiled
    """Put back the MXCSR :func:`_flush_denormals` returned (x86; a no-op elsewhere)."""
    sig = types.void(types.int64)

    def codegen(context, builder, signature, args):
        if _X86:
            i32 = cgutils.ir.IntType(32)
            slot = cgutils.alloca_once(builder, i32)
            builder.store(builder.trunc(args[0], i32), slot)
            fnty = cgutils.ir.FunctionType(cgutils.ir.VoidType(), [cgutils.voidptr_t])
            load = cgutils.get_or_insert_function(builder.module, fnty, "llvm.x86.sse.ldmxcsr")
            builder.call(load, [builder.bitcast(slot, cgutils.voidptr_t)])
        return context.get_dummy_value()
    return sig, codegen


@numba.njit(cache=True, nogil=True)
def mxcsr_inside_process() -> int:  # pragma: no cover - compiled
    """The MXCSR the kernel computes with (for the test): set, read, restored."""
    old = _flush_denormals()
    now = _flush_denormals()
    _restore_fp(old)
    return now


@intrinsic
def _cycles(typingctx):  # pragma: no cover - compiled
    """The CPU's cycle counter (LLVM ``readcyclecounter``: rdtsc on x86)."""
    sig = types.int64()

    def codegen(context, builder, signature, args):
        fnty = cgutils.ir.FunctionType(cgutils.ir.IntType(64), [])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.readcyclecounter")
        return builder.call(fn, [])
    return sig, codegen


@numba.njit(cache=True, nogil=True, error_model="numpy")
def cycle_counter() -> int:  # pragma: no cover - compiled
    """The cycle counter, callable from Python (to calibrate its rate)."""
    return _cycles()


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _f32(table, index, n):  # pragma: no cover - compiled
    return carray(_pointer(table[index]), (n,), np.float32)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _f64(table, index, n):  # pragma: no cover - compiled
    return carray(_pointer(table[index]), (n,), np.float64)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _i64(table, index, n):  # pragma: no cover - compiled
    return carray(_pointer(table[index]), (n,), np.int64)


@numba.njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _dense(src, weight, bias, out):  # pragma: no cover - compiled
    """out [n_out] = src [:n_in] @ weight [n_in, n_out] + bias, float32, in plain loops (a BLAS
    call can take the GIL on first use; these vectorise, about 4x faster than flat indexing)."""
    n_in, n_out = weight.shape
    for o in range(n_out):
        out[o] = bias[o]
    for i in range(n_in):
        x = src[i]
        row = weight[i]
        for o in range(n_out):
            out[o] += x * row[o]


@numba.njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _band_synthesis(bands, synthesis, mag):  # pragma: no cover - compiled
    """mag [K] = sqrt(bands [:F]^2 @ synthesis [F, K]) (see NumpyDecoder.magnitude)."""
    n_features, k_bins = synthesis.shape
    for k in range(k_bins):
        mag[k] = 0.0
    for i in range(n_features):
        b2 = bands[i] * bands[i]
        row = synthesis[i]
        for k in range(k_bins):
            mag[k] += b2 * row[k]
    for k in range(k_bins):
        mag[k] = np.sqrt(mag[k])


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _render_slot(table, base, target, hop, axes, state):  # pragma: no cover - compiled
    """Render the next hop of the model in the slot whose arrays start at ``table[base]``
    into its ``hop_out``; returns that array."""
    sl = carray(_pointer(table[base + 0]), (1,), SLOT_DTYPE)[0]
    d = sl.latent_dim
    k_bins = sl.n_bins
    n_fft = sl.n_fft
    n_layers = sl.n_layers
    width = 0
    for i in range(n_layers + 1):
        width = max(width, sl.sizes[i])
    latent = _f64(table, base + 2, d)
    running = _f64(table, base + 3, k_bins)
    running_freq = _f64(table, base + 4, k_bins)
    rng = carray(_pointer(table[base + 5]), (1,), np.uint64)
    tail = _f32(table, base + 6, n_fft)
    window = _f32(table, base + 7, n_fft)
    h_a = _f32(table, base + 8, width)
    h_b = _f32(table, base + 9, width)
    mag = _f32(table, base + 10, k_bins)
    log_mag = carray(_pointer(table[base + 11]), (1, k_bins), np.float32)
    phase = carray(_pointer(table[base + 12]), (1, k_bins), np.float32)
    spectrum = carray(_pointer(table[base + 13]), (k_bins,), np.complex64)
    frame = _f32(table, base + 14, n_fft)
    hop_out = _f32(table, base + 15, hop)
    peak_bin = _i64(table, base + 16, k_bins)
    peak_freq = _f64(table, base + 17, k_bins)
    peak_phase = _f64(table, base + 18, k_bins)
    owner = _i64(table, base + 19, k_bins)

    # latent smoothing (one pole per hop), as smooth_controls
    alpha = sl.alpha
    lead = sl.lead
    for j in range(d):
        latent[j] += alpha * (target[j] - latent[j])
        z = latent[j]
        if lead != 0.0:  # decode the latent one model hop after the frame's start (as its hop)
            z += lead * (target[j] - z)
        h_a[j] = np.float32(z)
    # decoder MLP: Linear, ELU, ..., Linear (log-magnitude, denormalisation folded in)
    params_at = table[base + 1]
    src = h_a
    dst = h_b
    for layer in range(n_layers):
        n_in = sl.sizes[layer]
        n_out = sl.sizes[layer + 1]
        weight = carray(_pointer(params_at + np.uint64(4 * sl.weight_at[layer])), (n_in, n_out),
                        np.float32)
        bias = carray(_pointer(params_at + np.uint64(4 * sl.bias_at[layer])), (n_out,),
                      np.float32)
        last = layer == n_layers - 1
        out = dst
        if last and sl.has_synthesis == 0:
            out = mag
        _dense(src, weight, bias, out)
        if not last:
            for o in range(n_out):
                v = out[o]
                if v < 0.0:
                    out[o] = np.float32(np.expm1(v))
            src, dst = dst, src
        else:
            floor = sl.floor
            for o in range(n_out):
                v = np.float32(np.exp(out[o])) - floor
                out[o] = v if v > 0.0 else np.float32(0.0)
            if sl.has_synthesis:  # band magnitudes → linear STFT magnitudes
                synthesis = carray(_pointer(params_at + np.uint64(4 * sl.synthesis_at)),
                                   (n_out, k_bins), np.float32)
                _band_synthesis(out, synthesis, mag)
    mag[0] = 0.0
    finite = True
    for kk in range(k_bins):
        if not np.isfinite(mag[kk]):
            finite = False
    if not finite:
        state.nan_frames += 1
        for kk in range(k_bins):
            mag[kk] = 0.0
    tiny = np.float32(1e-12)
    for kk in range(k_bins):
        log_mag[0, kk] = np.log(mag[kk] + tiny)
    peak_locked_phase_into(log_mag, running, running_freq, rng, phase, sl.advance,
                           sl.log_threshold, MAIN_LOBE_BINS, peak_bin, peak_freq, peak_phase,
                           owner)
    if sl.noise_gain != 1.0:  # a synthesis hop shorter than the model's: the random-phase
        # bins overlap-add in power, so they keep the model hop's level at this gain
        for kk in range(k_bins):
            if owner[kk] < 0:
                mag[kk] *= np.float32(sl.noise_gain)
    for kk in range(k_bins):
        p = phase[0, kk]
        m = mag[kk]
        spectrum[kk] = complex(m * np.cos(p), m * np.sin(p))
    c2r(spectrum, frame, axes, False, 1.0 / n_fft, 1)
    overlap_add_hop(frame, window, tail, hop_out, False)
    return hop_out


@numba.njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _dense_batch(src, weight, bias, out, n_rows):  # pragma: no cover - compiled
    """out [r, :n_out] = src [r, :n_in] @ weight [n_in, n_out] + bias for r < n_rows, float32,
    in plain loops; each weight row is read once for every voice (it stays in L1)."""
    n_in, n_out = weight.shape
    for r in range(n_rows):
        row_out = out[r]
        for o in range(n_out):
            row_out[o] = bias[o]
    for i in range(n_in):
        row = weight[i]
        for r in range(n_rows):
            x = src[r, i]
            row_out = out[r]
            for o in range(n_out):
                row_out[o] += x * row[o]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _midi_to_hz(midi_pitch):  # pragma: no cover - compiled
    """f0_hz = 440 * 2^((midi_pitch - 69) / 12)."""
    return 440.0 * 2.0 ** ((midi_pitch - 69.0) / 12.0)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _release(voice, pedal):  # pragma: no cover - compiled
    """A note-off for ``voice``: held by the pedal, or into its release from where it is."""
    voice.held = 0
    if pedal:
        voice.sustained = 1
    elif voice.stage != RELEASE and voice.stage != STOLEN:
        voice.stage = RELEASE
        voice.fade_from = voice.env


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _note_on(voices, amp_prev, state, midi_pitch, velocity, stamp_s):  # pragma: no cover
    """Start a note: steal the oldest note when POLYPHONY sound (a releasing one first), so it
    fades out over STEAL_SAMPLES in its own voice slot while the new note starts in a free one."""
    sounding = 0
    for i in range(MAX_VOICES):
        stage = voices[i].stage
        if stage != IDLE and stage != STOLEN:
            sounding += 1
            # the same key again: the older note releases (a key has one note)
            if abs(voices[i].midi_pitch - midi_pitch) < PITCH_MATCH and stage != RELEASE:
                voices[i].held = 0
                voices[i].sustained = 0
                voices[i].stage = RELEASE
                voices[i].fade_from = voices[i].env
    if sounding >= POLYPHONY:
        victim = -1
        best = np.int64(0)
        for want_release in (True, False):
            for i in range(MAX_VOICES):
                stage = voices[i].stage
                if stage == IDLE or stage == STOLEN:
                    continue
                if want_release and stage != RELEASE:
                    continue
                if victim < 0 or voices[i].order < best:
                    victim = i
                    best = voices[i].order
            if victim >= 0:
                break
        if victim >= 0:
            voices[victim].stage = STOLEN
            voices[victim].fade_from = voices[victim].env
            voices[victim].held = 0
            voices[victim].sustained = 0
            voices[victim].pending_off = 0
            state.steals += 1
    slot = -1
    for i in range(MAX_VOICES):
        if voices[i].stage == IDLE:
            slot = i
            break
    if slot < 0:  # every slot busy (more than MAX_VOICES - POLYPHONY steals in STEAL_SAMPLES):
        low = 2.0  # reuse the quietest stolen note
        for i in range(MAX_VOICES):
            if voices[i].stage == STOLEN and voices[i].env < low:
                low = voices[i].env
                slot = i
        if slot < 0:
            return
        state.cuts += 1
    v = voices[slot]
    state.note_order += 1
    v.stage = ATTACK
    v.order = state.note_order
    v.held = 1
    v.sustained = 0
    v.pending_off = 0
    v.ending = 0
    v.hops = 0
    v.midi_pitch = midi_pitch
    v.velocity = velocity
    v.velocity_amplitude = (velocity / 127.0) ** 2
    v.env = 0.0
    v.fade_from = 0.0
    v.f0_hz = _midi_to_hz(midi_pitch + state.pitchbend)
    v.phase = 0.0
    v.stamp_s = stamp_s
    for s in range(N_SLOTS):
        for k in range(MAX_HARMONICS):
            amp_prev[s, slot, k] = 0.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _apply_events(table, state):  # pragma: no cover - compiled
    """Apply every note event Python published since the last hop, in order (SPSC ring)."""
    write = _i64(table, E_EVENT_WRITE, 1)
    w = write[0]
    _fence()
    r = state.ev_read
    if w - r > EVENT_RING:  # cannot happen: Python refuses events into a full ring
        r = w - EVENT_RING
    if r >= w:
        return
    events = carray(_pointer(table[E_EVENTS]), (EVENT_RING,), EVENT_DTYPE)
    voices = carray(_pointer(table[E_VOICES]), (MAX_VOICES,), VOICE_DTYPE)
    amp_prev = carray(_pointer(table[E_AMP_PREV]), (N_SLOTS, MAX_VOICES, MAX_HARMONICS),
                      np.float64)
    while r < w:
        ev = events[r % EVENT_RING]
        kind = ev.kind
        if kind == EV_NOTE_ON and ev.velocity > 0.0:
            _note_on(voices, amp_prev, state, ev.midi_pitch, ev.velocity, ev.stamp_s)
        elif kind == EV_NOTE_ON or kind == EV_NOTE_OFF:
            for i in range(MAX_VOICES):
                v = voices[i]
                if v.stage != IDLE and v.held \
                        and abs(v.midi_pitch - ev.midi_pitch) < PITCH_MATCH:
                    if v.hops == 0:  # not heard yet: it sounds one hop first
                        v.pending_off = 1
                    else:
                        _release(v, state.pedal)
        elif kind == EV_ALL_OFF:
            state.pedal = 0
            for i in range(MAX_VOICES):
                v = voices[i]
                v.held = 0
                v.sustained = 0
                v.pending_off = 0
                if v.stage != IDLE and v.stage != STOLEN and v.stage != RELEASE:
                    v.stage = RELEASE
                    v.fade_from = v.env
        elif kind == EV_SUSTAIN_ON:
            state.pedal = 1
        elif kind == EV_SUSTAIN_OFF:
            state.pedal = 0
            for i in range(MAX_VOICES):
                v = voices[i]
                if v.sustained and not v.held:
                    v.sustained = 0
                    if v.stage != IDLE and v.stage != STOLEN:
                        _release(v, 0)
        r += 1
    _fence()
    state.ev_read = r


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _step_voices(voices, voice_list, state, hop_s, steal_hops):  # pragma: no cover - compiled
    """Advance every sounding voice's ADSR envelope to the end of this hop (linear segments:
    attack 0 -> 1 in attack_s, decay 1 -> sustain in decay_s, release to 0 in release_s, a
    stolen note to 0 in ``steal_hops`` hops) and list the voices to render. Returns their
    count."""
    n = 0
    sounding = 0
    sustain = min(max(state.sustain_level, 0.0), 1.0)
    for i in range(MAX_VOICES):
        v = voices[i]
        if v.stage == IDLE:
            continue
        if v.pending_off and v.hops > 0:
            v.pending_off = 0
            if v.held:
                _release(v, state.pedal)
        env = v.env
        if v.stage == ATTACK:
            env = 1.0 if state.attack_s <= hop_s * 1e-3 else env + hop_s / state.attack_s
            if env >= 1.0:
                env = 1.0
                v.stage = DECAY
        elif v.stage == DECAY:
            if state.decay_s <= hop_s * 1e-3:
                env = sustain
            else:
                env -= (1.0 - sustain) * hop_s / state.decay_s
            if env <= sustain:
                env = sustain
                v.stage = SUSTAIN
        elif v.stage == SUSTAIN:
            env = sustain
        elif v.stage == RELEASE:
            if state.release_s <= hop_s * 1e-3:
                env = 0.0
            else:
                env -= v.fade_from * hop_s / state.release_s
        else:  # STOLEN
            env -= v.fade_from / steal_hops
        if env <= 0.0 and v.stage != ATTACK:
            env = 0.0
            v.ending = 1  # rendered once more (its amplitudes glide to 0), then idle
        v.env = env
        v.f0_hz = _midi_to_hz(v.midi_pitch + state.pitchbend)
        voice_list[n] = i
        n += 1
        if v.stage != STOLEN:
            sounding += 1
    state.voices = sounding
    return n


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _finish_voices(voices, voice_list, n_voices, state, params, time_s):  # pragma: no cover
    """After every slot rendered the hop: advance the oscillators' fundamental phase, record
    note-on -> first sample latencies, retire voices whose envelope ended."""
    two_pi = 2.0 * np.pi
    hop = params.hop_length
    for j in range(n_voices):
        v = voices[voice_list[j]]
        if v.hops == 0 and v.stamp_s > 0.0 and state.clock_ok:
            state.note_latencies_ms[state.note_lat_count % LATENCY_RING] = \
                1000.0 * (time_s - v.stamp_s)
            state.note_lat_count += 1
        v.hops += 1
        phase = v.phase + two_pi * v.f0_hz * hop / params.sample_rate
        v.phase = phase - two_pi * np.floor(phase / two_pi)
        if v.ending:
            v.ending = 0
            v.stage = IDLE
            v.held = 0
            v.sustained = 0
            v.pending_off = 0


@numba.njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _oscillators(hop_out, osc, n_used, hop):  # pragma: no cover - compiled
    """hop_out [hop] += sum_k (a0_k + n da_k) sin(phi_k + n w_k), n = 0 .. hop - 1 (a0 = the
    previous hop's amplitude + da: the hop ends on the new amplitude), by the
    second-order recurrence s(n+1) = 2 cos(w) s(n) - s(n-1) (Goertzel-style oscillator; float64:
    256 steps stay within 1e-11 of sin). osc rows: a0, da, s(n-1), s(n), 2 cos(w)."""
    a0 = osc[0]
    da = osc[1]
    s0 = osc[2]
    s1 = osc[3]
    c2 = osc[4]
    for n in range(hop):
        acc = 0.0
        for k in range(n_used):
            x = s1[k]
            acc += (a0[k] + n * da[k]) * x
            s1[k] = c2[k] * x - s0[k]
            s0[k] = x
        hop_out[n] += acc


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _render_hpn_slot(table, base, slot_index, target, hop, axes, state, params,
                     voices, voice_list, n_voices):  # pragma: no cover - compiled
    """Render the next hop of the hpn model in the slot at ``table[base]``: every voice in
    ``voice_list`` decodes concat(the slot's smoothed latent, conditioning(pitch, loudness))
    in one batched MLP pass; harmonics go through an oscillator bank (phase k * the voice's
    fundamental phase, amplitudes interpolated over the hop from the previous hop's); the
    voices' noise band powers add up into one inverse FFT, windowed and overlap-added like the
    spectral path. Returns ``hop_out``. See the HPN contract (docs/architecture.md)."""
    sl = carray(_pointer(table[base + 0]), (1,), SLOT_DTYPE)[0]
    d = sl.latent_dim
    n_cond = sl.n_conditioning
    k_bins = sl.n_bins
    n_fft = sl.n_fft
    n_layers = sl.n_layers
    n_harm = sl.n_harmonics
    n_bands = sl.n_noise_bands
    sr = params.sample_rate
    width = 0
    for i in range(n_layers + 1):
        width = max(width, sl.sizes[i])
    latent = _f64(table, base + 2, d)
    rng = carray(_pointer(table[base + 5]), (1,), np.uint64)
    tail = _f32(table, base + 6, n_fft)
    window = _f32(table, base + 7, n_fft)
    h_a = carray(_pointer(table[base + 8]), (MAX_VOICES, width), np.float32)
    h_b = carray(_pointer(table[base + 9]), (MAX_VOICES, width), np.float32)
    mag = _f32(table, base + 10, k_bins)
    spectrum = carray(_pointer(table[base + 13]), (k_bins,), np.complex64)
    frame = _f32(table, base + 14, n_fft)
    hop_out = _f32(table, base + 15, hop)
    amp_prev = carray(_pointer(table[E_AMP_PREV]), (N_SLOTS, MAX_VOICES, MAX_HARMONICS),
                      np.float64)
    osc = carray(_pointer(table[E_OSC]), (5, MAX_HARMONICS), np.float64)
    band_power = _f64(table, E_BAND_POWER, MAX_NOISE_BANDS)

    alpha = sl.alpha
    for j in range(d):
        latent[j] += alpha * (target[j] - latent[j])
    for i in range(hop):
        hop_out[i] = 0.0
    for b in range(n_bands):
        band_power[b] = 0.0
    if n_voices > 0:
        # decoder input per voice: concat(z, c), c = conditioning(midi_pitch, loudness_db)
        for j in range(n_voices):
            v = voices[voice_list[j]]
            for i in range(d):
                z = latent[i]
                if sl.lead != 0.0:  # one model hop after the frame's start, as _render_slot
                    z += sl.lead * (target[i] - z)
                h_a[j, i] = np.float32(z)
            amplitude = v.velocity_amplitude * v.env
            loudness_db = 20.0 * np.log10(max(amplitude, 1e-4))
            if n_cond > 0:
                h_a[j, d] = np.float32((v.midi_pitch + state.pitchbend - 60.0) / 24.0)
            if n_cond > 1:
                h_a[j, d + 1] = np.float32((loudness_db + 30.0) / 30.0)
        params_at = table[base + 1]
        src = h_a
        dst = h_b
        for layer in range(n_layers):
            n_in = sl.sizes[layer]
            n_out = sl.sizes[layer + 1]
            weight = carray(_pointer(params_at + np.uint64(4 * sl.weight_at[layer])),
                            (n_in, n_out), np.float32)
            bias = carray(_pointer(params_at + np.uint64(4 * sl.bias_at[layer])), (n_out,),
                          np.float32)
            _dense_batch(src, weight, bias, dst, n_voices)
            if layer < n_layers - 1:
                for j in range(n_voices):
                    row = dst[j]
                    for o in range(n_out):
                        x = row[o]
                        if x < 0.0:
                            row[o] = np.float32(np.expm1(x))
            src, dst = dst, src
        features = src  # [voice, n_harmonics + n_noise_bands]: log(a_k / A), log(m_b / A)
        a0 = osc[0]
        da = osc[1]
        s0 = osc[2]
        s1 = osc[3]
        c2 = osc[4]
        inv_hop = 1.0 / hop
        for j in range(n_voices):
            vi = voice_list[j]
            v = voices[vi]
            h = features[j]
            amplitude = VOICE_GAIN * v.velocity_amplitude * v.env
            finite = True
            for f in range(n_harm + n_bands):
                if not np.isfinite(h[f]) or h[f] > 30.0:
                    finite = False
            if not finite:
                state.nan_frames += 1
                amplitude = 0.0
            w = 2.0 * np.pi * v.f0_hz / sr
            prev = amp_prev[slot_index, vi]
            n_used = 0
            for k in range(n_harm):
                a_new = 0.0
                if (k + 1) * v.f0_hz < HARMONIC_LIMIT * sr and amplitude > 0.0:
                    a_new = amplitude * np.exp(np.float64(h[k]))
                if a_new != 0.0 or prev[k] != 0.0:
                    n_used = k + 1
                da[k] = (a_new - prev[k]) * inv_hop
                a0[k] = prev[k] + da[k]  # sample n: prev + (a - prev) (n + 1) / hop
                prev[k] = a_new
            for k in range(n_used):
                phi = (k + 1) * v.phase
                wk = (k + 1) * w
                s1[k] = np.sin(phi)
                s0[k] = np.sin(phi - wk)
                c2[k] = 2.0 * np.cos(wk)
            if n_used > 0:
                _oscillators(hop_out, osc, n_used, hop)
            if amplitude > 0.0:
                for b in range(n_bands):
                    m = amplitude * np.exp(np.float64(h[n_harm + b]))
                    band_power[b] += m * m
    # noise: bin magnitudes sqrt(band_power @ S), uniformly random phases, one inverse FFT,
    # synthesis window and overlap-add exactly as the spectral path
    synthesis = carray(_pointer(table[base + 1] + np.uint64(4 * sl.synthesis_at)),
                       (n_bands, k_bins), np.float32)
    for kk in range(k_bins):
        mag[kk] = 0.0
    for b in range(n_bands):
        p = np.float32(band_power[b])
        if p > 0.0:
            row = synthesis[b]
            for kk in range(k_bins):
                mag[kk] += p * row[kk]
    mag[0] = 0.0
    state_rng = rng[0]
    two_pi = 2.0 * np.pi
    noise_gain = sl.noise_gain
    for kk in range(k_bins):
        m = noise_gain * np.sqrt(mag[kk])
        # xorshift64* (Marsaglia 2003), top 53 bits -> [0, 1)
        state_rng ^= state_rng >> np.uint64(12)
        state_rng ^= state_rng << np.uint64(25)
        state_rng ^= state_rng >> np.uint64(27)
        u = np.float64((state_rng * np.uint64(2685821657736338717)) >> np.uint64(11)) \
            * (1.0 / 9007199254740992.0)
        p = two_pi * u
        spectrum[kk] = complex(m * np.cos(p), m * np.sin(p))
    rng[0] = state_rng
    c2r(spectrum, frame, axes, False, 1.0 / n_fft, 1)
    overlap_add_hop(frame, window, tail, hop_out, True)  # the noise over the harmonics
    return hop_out


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _read_control(control, snapshot, state):  # pragma: no cover - compiled
    """Seqlock read of the control block: copy it into ``snapshot`` between two reads of
    ``seq`` (with fences), and only when both reads agree and are even commit the snapshot to
    the state. Returns False when the copy was torn (the state keeps its previous copy)."""
    seq = control.seq
    _fence()
    if seq & 1:
        return False
    if seq == state.seen_seq:
        return True
    snapshot.gain = control.gain
    snapshot.stamp_s = control.stamp_s
    snapshot.handoff = control.handoff
    snapshot.handoff_slot = control.handoff_slot
    snapshot.pitchbend = control.pitchbend
    snapshot.attack_s = control.attack_s
    snapshot.decay_s = control.decay_s
    snapshot.sustain_level = control.sustain_level
    snapshot.release_s = control.release_s
    for s in range(N_SLOTS):
        for j in range(MAX_LATENT):
            snapshot.targets[s, j] = control.targets[s, j]
    _fence()
    if control.seq != seq:
        return False
    state.gain_target = snapshot.gain
    state.stamp_s = snapshot.stamp_s
    state.handoff = snapshot.handoff
    state.handoff_slot = snapshot.handoff_slot
    for s in range(N_SLOTS):
        for j in range(MAX_LATENT):
            state.targets[s, j] = snapshot.targets[s, j]
    state.pitchbend = snapshot.pitchbend
    state.attack_s = snapshot.attack_s
    state.decay_s = snapshot.decay_s
    state.sustain_level = snapshot.sustain_level
    state.release_s = snapshot.release_s
    state.seen_seq = seq
    return True


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _family(table, index):  # pragma: no cover - compiled
    """FAMILY_SPECTRAL or FAMILY_HPN of the model in slot ``index``."""
    return carray(_pointer(table[SLOT_BASE + index * N_SLOT_ARRAYS]), (1,), SLOT_DTYPE)[0].family


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _render_any(table, index, state, params, hop, axes, voices, voice_list,
                n_voices):  # pragma: no cover - compiled
    """The next hop of slot ``index``: its voices for an hpn model, else its spectral frame."""
    base = SLOT_BASE + index * N_SLOT_ARRAYS
    if _family(table, index) == FAMILY_HPN:
        return _render_hpn_slot(table, base, index, state.targets[index], hop, axes, state,
                                params, voices, voice_list, n_voices)
    return _render_slot(table, base, state.targets[index], hop, axes, state)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _render_hop(table, state, params, fifo, time_s):  # pragma: no cover - compiled
    """Render one hop (every sounding slot, crossfade, output stage) into ``fifo``.
    Returns True when this hop carries a control change (for the latency)."""
    hop = params.hop_length
    control = carray(_pointer(table[E_CONTROL]), (1,), CONTROL_DTYPE)[0]
    snapshot = carray(_pointer(table[E_SNAPSHOT]), (1,), CONTROL_DTYPE)[0]
    before = state.seen_seq
    if not _read_control(control, snapshot, state):
        state.torn_reads += 1
    changed = state.seen_seq != before
    if state.fading_to < 0 and state.handoff > state.ack and state.handoff_slot != state.active:
        state.fading_to = state.handoff_slot
        state.fade_pos = 0
        state.swap_first_frame = state.frames
    axes = _i64(table, E_AXES, 1)
    mono = _f32(table, E_MONO, hop)
    # notes: the event ring, then every voice's envelope for this hop
    voices = carray(_pointer(table[E_VOICES]), (MAX_VOICES,), VOICE_DTYPE)
    voice_list = _i64(table, E_VOICE_LIST, MAX_VOICES)
    _apply_events(table, state)
    if _family(table, state.active) != FAMILY_HPN and (
            state.fading_to < 0 or _family(table, state.fading_to) != FAMILY_HPN):
        for i in range(MAX_VOICES):  # no model plays notes: none sounds (nor waits)
            voices[i].stage = IDLE
    n_voices = _step_voices(voices, voice_list, state, hop / params.sample_rate,
                            params.steal_hops)
    a = state.active
    out_a = _render_any(table, a, state, params, hop, axes, voices, voice_list, n_voices)
    if state.fading_to >= 0:
        b = state.fading_to
        out_b = _render_any(table, b, state, params, hop, axes, voices, voice_list, n_voices)
        n_fade = params.fade_len
        fade_in = _f32(table, E_FADE_IN, n_fade)
        fade_out = _f32(table, E_FADE_OUT, n_fade)
        pos = state.fade_pos
        for i in range(hop):
            q = min(pos + i, n_fade - 1)
            mono[i] = out_a[i] * fade_out[q] + out_b[i] * fade_in[q]
        state.fade_pos = pos + hop
        if state.fade_pos >= n_fade:
            state.active = b
            state.fading_to = -1
            if _family(table, b) != FAMILY_HPN:  # a spectral model plays no notes: they end
                for i in range(MAX_VOICES):
                    voices[i].stage = IDLE
                    voices[i].held = 0
                    voices[i].sustained = 0
                    voices[i].pending_off = 0
                    voices[i].ending = 0
                n_voices = 0
                state.voices = 0
            state.ack = state.handoff
            state.swap_done_frame = state.frames + hop
            state.swap_done_s = time_s + hop / params.sample_rate
    else:
        for i in range(hop):
            mono[i] = out_a[i]
    _finish_voices(voices, voice_list, n_voices, state, params, time_s)
    # master gain, smoothed per hop as smooth_controls, then the output stage
    hop_gains = _f64(table, E_HOP_GAINS, 2)
    g = state.gain
    hop_gains[0] = g
    g += params.gain_alpha * (state.gain_target - g)
    if g < params.gain_snap:
        g = 0.0
    hop_gains[1] = g
    state.gain = g
    dc_state = _f64(table, E_DC_STATE, 2)
    limiter = _f64(table, E_LIMITER, 1)
    bad = output_stage_into(mono, hop_gains, dc_state, params.dc_pole, limiter, params.ceiling,
                            params.release, fifo, _f64(table, E_SCRATCH, hop))
    if bad:
        state.nan_frames += 1
        dc_state[0] = 0.0
        dc_state[1] = 0.0
    state.hops += 1
    return changed


@numba.njit(cache=True, nogil=True, error_model="numpy")
def process(table_address, out_address, frames, dac_time_s, current_time_s):  # pragma: no cover
    """Fill ``frames`` frames of interleaved float32 output at ``out_address``.

    Output times (the latencies, the hot-swap's end) are on CLOCK_MONOTONIC, the clock the
    control threads stamp arrivals with, so no clock is mapped onto another: frame ``f`` leaves
    this callback at ``grid_s + f / sample_rate`` and reaches the device
    ``dac_time_s - current_time_s`` (the device latency PortAudio reports) later. ``grid_s`` is
    the lower envelope of (callback entry time − frames produced so far / sample_rate) over the
    current and the previous :data:`GRID_WINDOW_FRAMES` (a callback can start late, never
    early; only the first call of a host buffer counts, when PortAudio splits a longer one),
    restarted when the stream clock jumps (a missed cycle: JACK skips its frames);
    latencies are recorded only once it has run :data:`GRID_SETTLE_FRAMES` frames
    (``clock_ok``): an unsettled clock reports nothing rather than a wrong number. The
    outside client of benchmarks/latency_jack.py estimates the cycle grid the same way.

    Args:
        table_address: address of the engine's address table (uint64 [TABLE_SIZE]).
        out_address: address of the output buffer [frames, channels] float32.
        frames: frames to produce.
        dac_time_s: stream-clock time the first frame reaches the device (PortAudio's
            outputBufferDacTime; the clock thread passes its own time); only its difference
            from ``current_time_s`` is used (the device latency).
        current_time_s: stream-clock time of the call (PortAudio's currentTime): a jump of
            more than 1.5 periods is a missed cycle (``gaps``).
    Returns:
        0 (paContinue).
    """
    start = _cycles()
    fp = _flush_denormals()  # restored before returning: the caller's thread keeps its own
    table = carray(_pointer(table_address), (TABLE_SIZE,), np.uint64)
    timespec = carray(_pointer(table[E_TIMESPEC]), (2,), np.int64)
    _clock_gettime(CLOCK_MONOTONIC, _pointer(table[E_TIMESPEC]))
    entry_s = timespec[0] + timespec[1] * 1e-9
    _clock_gettime(CLOCK_THREAD_CPUTIME_ID, _pointer(table[E_TIMESPEC]))
    cpu_start = timespec[0] * 1000000000 + timespec[1]
    usage = carray(_pointer(table[E_RUSAGE]), (2 * RUSAGE_WORDS,), np.int64)
    _getrusage(RUSAGE_THREAD, _pointer(table[E_RUSAGE]))
    params = carray(_pointer(table[E_PARAMS]), (1,), PARAMS_DTYPE)[0]
    state = carray(_pointer(table[E_STATE]), (1,), STATE_DTYPE)[0]
    channels = params.channels
    hop = params.hop_length
    sr = params.sample_rate
    out = carray(_pointer(out_address), (frames, channels), np.float32)
    fifo = carray(_pointer(table[E_FIFO]), (hop, channels), np.float32)
    period_s = frames / sr
    # PortAudio calls us more than once per host buffer when the host's is longer than ours
    # (JACK at 512 frames, --blocksize 256): same currentTime, outputBufferDacTime advanced by
    # the frames already given. Only the first call of a host buffer enters when its frames
    # start: the others would put the grid early, and their DAC time counts those frames twice
    repeat = state.callbacks > 0 and current_time_s == state.last_time_s
    # a missed cycle: the clock moved more than the frames given since the last host buffer
    # began, by over half a period
    gap = state.callbacks > 0 and not repeat and current_time_s - state.last_time_s > (
        (state.frames - state.host_frame) / sr + 0.5 * period_s)
    if gap:
        state.gaps += 1
    state.last_time_s = current_time_s
    if not repeat:
        state.host_frame = state.frames
    grid = entry_s - state.frames / sr
    if state.callbacks == 0 or gap:
        state.grid_cur_s = grid
        state.grid_prev_s = grid
        state.grid_window_frame = state.frames
        state.grid_start_frame = state.frames
    elif not repeat:
        if grid < state.grid_cur_s:
            state.grid_cur_s = grid
        if state.frames - state.grid_window_frame >= GRID_WINDOW_FRAMES:
            state.grid_prev_s = state.grid_cur_s
            state.grid_cur_s = grid
            state.grid_window_frame = state.frames
    state.grid_s = min(state.grid_cur_s, state.grid_prev_s)
    state.clock_ok = 1 if state.frames - state.grid_start_frame >= GRID_SETTLE_FRAMES else 0
    if not repeat:
        state.device_s = max(dac_time_s - current_time_s, 0.0)
    out_time_s = state.grid_s + state.frames / sr + state.device_s  # frame 0, at the DAC
    done = 0
    block_peak = 0.0
    while done < frames:
        if state.fifo_pos >= hop:
            if _render_hop(table, state, params, fifo, out_time_s + done / sr):
                if state.stamp_s > 0.0 and state.clock_ok:
                    ms = 1000.0 * (out_time_s + done / sr - state.stamp_s)
                    state.latencies_ms[state.lat_count % LATENCY_RING] = ms
                    state.lat_count += 1
            state.fifo_pos = 0
        n = min(frames - done, hop - state.fifo_pos)
        for i in range(n):
            for c in range(channels):
                v = fifo[state.fifo_pos + i, c]
                out[done + i, c] = v
                if abs(v) > block_peak:
                    block_peak = abs(v)
        state.fifo_pos += n
        done += n
    # peak meter with a 20 dB/s fall (IEC 60268-18 peak programme meters fall ~20 dB in 1.7 s)
    fallen = state.peak * 10.0 ** (-frames / sr)
    state.peak = block_peak if block_peak > fallen else fallen
    rec_frames = params.rec_frames
    if rec_frames > 0:
        ring = carray(_pointer(table[E_REC_RING]), (rec_frames, channels), np.float32)
        w = state.rec_write
        for i in range(frames):
            r = (w + i) % rec_frames
            for c in range(channels):
                ring[r, c] = out[i, c]
        _fence()
        state.rec_write = w + frames
    state.frames += frames
    state.callbacks += 1
    cost = _cycles() - start
    state.cost_cycles = cost
    state.sum_cost_cycles += cost
    if cost > state.max_cost_cycles:
        state.max_cost_cycles = cost
    # our own misses: CPU time of this thread, not wall time (a VM's stolen time or a
    # preemption is not the kernel's doing; stream-clock gaps count those)
    _clock_gettime(CLOCK_THREAD_CPUTIME_ID, _pointer(table[E_TIMESPEC]))
    cpu_ns = timespec[0] * 1000000000 + timespec[1] - cpu_start
    if cpu_ns > state.max_cpu_ns:
        _getrusage(RUSAGE_THREAD, _pointer(table[E_RUSAGE] + np.uint64(8 * RUSAGE_WORDS)))
        end = RUSAGE_WORDS
        state.max_cpu_ns = cpu_ns
        state.max_cpu_frame = state.frames - frames
        state.max_cpu_user_us = ((usage[end] - usage[0]) * 1000000 + usage[end + 1]
                                 - usage[1])
        state.max_cpu_system_us = ((usage[end + 2] - usage[2]) * 1000000 + usage[end + 3]
                                   - usage[3])
        state.max_cpu_minflt = usage[end + 8] - usage[8]
        state.max_cpu_majflt = usage[end + 9] - usage[9]
        state.max_cpu_nivcsw = usage[end + 17] - usage[17]
    if cpu_ns > period_s * 1e9:
        state.late_callbacks += 1
    _restore_fp(fp)
    return PA_CONTINUE


_SIGNATURE = types.intc(types.voidptr, types.voidptr, types.uint64, types.voidptr, types.uint64,
                        types.voidptr)


@numba.cfunc(_SIGNATURE, nopython=True, error_model="numpy", cache=True)
def callback(input_buffer, output_buffer, frame_count, time_info, status_flags,
             user_data):  # pragma: no cover - compiled
    """PortAudio's ``PaStreamCallback``: ``time_info`` is PaStreamCallbackTimeInfo (three
    doubles: inputBufferAdcTime, currentTime, outputBufferDacTime); ``user_data`` is the
    address table."""
    times = carray(time_info, (3,), np.float64)
    return process(_address(user_data), _address(output_buffer), frame_count, times[2],
                   times[1])


def engine_table() -> np.ndarray:
    """An empty address table, uint64 [TABLE_SIZE]."""
    return np.zeros(TABLE_SIZE, dtype=np.uint64)
