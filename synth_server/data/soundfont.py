"""Real instrument notes (NSynth-like) rendered from a General MIDI SoundFont with the fluidsynth CLI.

Method (after NSynth, Engel et al. 2017, https://magenta.tensorflow.org/datasets/nsynth): one
file per (program, pitch, velocity), a note held for ``hold_s`` then released, cut to
``duration_s``, with labels; whole *programs* (instruments) are held out for evaluation, so a
model is tested on timbres it never saw.

Rendering: for each program this module writes a standard MIDI file with mido (format 0, 960
ticks per second) that plays the notes one after another in *slots*: program change, note-on at the slot
start, note-off after ``hold_s``, *All Sound Off* (CC 120) at ``duration_s`` so nothing rings
into the next slot, then ``GAP_S`` of silence. The fluidsynth command-line synthesizer renders it
offline, without any audio driver::

    fluidsynth -ni -q -R 0 -C 0 -g GAIN -r SAMPLE_RATE -T wav -O float -F out.wav SF2 notes.mid

(reverb and chorus off, so notes do not leak into one another; 32-bit float output, so nothing
clips). numpy cuts each slot to ``duration_s``, sums to mono, fades the last ``FADE_S`` out,
trims leading and trailing silence below ``TRIM_DB`` re the note's peak and writes a mono WAV.
Levels are *not* normalised per note (velocity is a label); a set whose loudest note would
exceed -1 dBFS is scaled down as a whole.

Default SoundFont: Debian's ``fluid-soundfont-gm`` (FluidR3_GM.sf2, MIT licence),
``apt-get install fluidsynth fluid-soundfont-gm``.

Files written into ``out_dir``: ``train/sf_p{program:03d}_n{pitch:03d}_v{velocity:03d}.wav`` and
``heldout/...`` (train with ``synth-server train --data OUT/train``; the held-out programs are
only in ``OUT/heldout``), ``labels.csv`` (``file`` relative to ``out_dir``, ``program``,
``program_name``, ``family`` = program // 8, ``family_name``, ``pitch`` (MIDI), ``f0_hz``,
``velocity``, ``split`` = train/heldout, ``duration_s``, ``peak_dbfs``) and a ``README.md``
dataset card. They are written into a staging folder beside ``out_dir`` that is renamed onto it
only when every note was rendered (:mod:`.staging`); an existing non-empty ``out_dir`` is never
written into.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "DEFAULT_HELDOUT",
    "DEFAULT_PITCHES",
    "DEFAULT_PROGRAMS",
    "DEFAULT_SF2",
    "DEFAULT_VELOCITIES",
    "GM_FAMILIES",
    "GM_PROGRAMS",
    "load_labels",
    "midi_file",
    "render_soundfont_dataset",
]

DEFAULT_SF2 = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
#: One or two programs from each melodic GM family (no sound effects).
DEFAULT_PROGRAMS: tuple[int, ...] = (0, 4, 11, 19, 24, 33, 40, 42, 48, 56, 65, 68, 73, 80, 89, 105)
#: Held out for evaluation: electric piano, cello, oboe (their families stay in training).
DEFAULT_HELDOUT: tuple[int, ...] = (4, 42, 68)
DEFAULT_PITCHES: tuple[int, ...] = (48, 55, 60, 67, 72)
DEFAULT_VELOCITIES: tuple[int, ...] = (64, 100, 127)

GAP_S = 0.1  #: silence between note slots, seconds
FADE_S = 0.02  #: raised-cosine fade-out at the end of each file, seconds
TRIM_DB = 60.0  #: leading/trailing silence below this many dB under the note's peak is trimmed
SILENT_DBFS = -80.0  #: notes whose peak is below this are reported silent and skipped
PEAK_CEILING_DBFS = -1.0  #: the whole set is scaled down if its loudest note would exceed this
TICKS_PER_BEAT = 480
TEMPO_US = 500_000  #: 120 bpm: 960 ticks per second
FILE_PATTERN = "sf_p{program:03d}_n{pitch:03d}_v{velocity:03d}.wav"
_MISSING_FLUIDSYNTH = ("fluidsynth is not installed: apt-get install fluidsynth fluid-soundfont-gm "
                       "(Debian/Ubuntu)")

GM_FAMILIES: tuple[str, ...] = (
    "Piano", "Chromatic Percussion", "Organ", "Guitar", "Bass", "Strings", "Ensemble", "Brass",
    "Reed", "Pipe", "Synth Lead", "Synth Pad", "Synth Effects", "Ethnic", "Percussive",
    "Sound Effects",
)

GM_PROGRAMS: tuple[str, ...] = (
    "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
    "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet",
    "Celesta", "Glockenspiel", "Music Box", "Vibraphone", "Marimba", "Xylophone", "Tubular Bells",
    "Dulcimer",
    "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ", "Reed Organ", "Accordion",
    "Harmonica", "Tango Accordion",
    "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)",
    "Electric Guitar (clean)", "Electric Guitar (muted)", "Overdriven Guitar", "Distortion Guitar",
    "Guitar Harmonics",
    "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass",
    "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2",
    "Violin", "Viola", "Cello", "Contrabass", "Tremolo Strings", "Pizzicato Strings",
    "Orchestral Harp", "Timpani",
    "String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2", "Choir Aahs",
    "Voice Oohs", "Synth Voice", "Orchestra Hit",
    "Trumpet", "Trombone", "Tuba", "Muted Trumpet", "French Horn", "Brass Section",
    "Synth Brass 1", "Synth Brass 2",
    "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax", "Oboe", "English Horn", "Bassoon",
    "Clarinet",
    "Piccolo", "Flute", "Recorder", "Pan Flute", "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)",
    "Lead 5 (charang)", "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
    "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)", "Pad 5 (bowed)",
    "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
    "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)",
    "FX 5 (brightness)", "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)",
    "Sitar", "Banjo", "Shamisen", "Koto", "Kalimba", "Bagpipe", "Fiddle", "Shanai",
    "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock", "Taiko Drum", "Melodic Tom", "Synth Drum",
    "Reverse Cymbal",
    "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet", "Telephone Ring", "Helicopter",
    "Applause", "Gunshot",
)
assert len(GM_PROGRAMS) == 128 and len(GM_FAMILIES) == 16

LABEL_COLUMNS = ("file", "program", "program_name", "family", "family_name", "pitch", "f0_hz",
                 "velocity", "split", "duration_s", "peak_dbfs")


def midi_file(events: Sequence[tuple[float, bytes]]) -> bytes:
    """A format-0 standard MIDI file (SMF) playing ``events``.

    Args:
        events: ``(time_s, message)`` pairs, ``message`` a complete channel message (e.g.
            ``bytes([0x90, 60, 100])`` = note-on, channel 1, middle C, velocity 100); sorted
            by time here (stable, so simultaneous events keep their order).

    Returns:
        The file's bytes: header ``MThd`` (format 0, one track, 480 ticks per beat) and one
        ``MTrk`` with a tempo of 120 bpm (960 ticks per second), the events, and end of track
        at the last event's time. Times are rounded to whole ticks (1.04 ms).

    Raises:
        ValueError: a negative time, or a message that is not a valid MIDI channel message.
    """
    import mido

    ticks_per_s = TICKS_PER_BEAT * 1_000_000 / TEMPO_US
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=TEMPO_US, time=0)])
    now = 0
    for time_s, message in sorted(events, key=lambda e: e[0]):
        if time_s < 0:
            raise ValueError(f"negative event time {time_s}")
        tick = int(round(time_s * ticks_per_s))
        track.append(mido.Message.from_bytes(bytes(message), time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    midi = mido.MidiFile(type=0, ticks_per_beat=TICKS_PER_BEAT, tracks=[track])
    buffer = io.BytesIO()
    midi.save(file=buffer)
    return buffer.getvalue()


def _check_ints(name: str, values: Sequence[int], lo: int, hi: int) -> tuple[int, ...]:
    try:
        out = tuple(int(v) for v in values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be integers, got {values!r}") from exc
    if any(isinstance(v, float) and not float(v).is_integer() for v in values):
        raise ValueError(f"{name} must be integers, got {values!r}")
    if not out:
        raise ValueError(f"{name} must not be empty")
    bad = [v for v in out if not lo <= v <= hi]
    if bad:
        raise ValueError(f"{name} must lie in [{lo}, {hi}], got {bad}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} has duplicates: {out}")
    return out


def _fluidsynth(sf2: Path) -> str:
    exe = shutil.which("fluidsynth")
    if exe is None:
        raise RuntimeError(_MISSING_FLUIDSYNTH)
    if not sf2.is_file():
        raise RuntimeError(f"SoundFont {sf2} not found: apt-get install fluid-soundfont-gm "
                           "(Debian/Ubuntu) or pass --sf2 PATH")
    return exe


def _render_program(exe: str, sf2: Path, program: int, notes: list[tuple[int, int]], *,
                    sample_rate: int, duration_s: float, hold_s: float, gain: float,
                    tmp: Path) -> list[np.ndarray]:
    """Render one program's notes in slots with fluidsynth; returns one float64 [n] array each."""
    slot_s = duration_s + GAP_S
    events: list[tuple[float, bytes]] = [(0.0, bytes([0xB0, 121, 0])), (0.0, bytes([0xC0, program]))]
    for i, (pitch, velocity) in enumerate(notes):
        t0 = GAP_S + i * slot_s
        events += [(t0, bytes([0x90, pitch, velocity])), (t0 + hold_s, bytes([0x80, pitch, 0])),
                   (t0 + duration_s, bytes([0xB0, 120, 0]))]
    events.append((GAP_S + len(notes) * slot_s, bytes([0xB0, 123, 0])))
    mid, wav = tmp / f"p{program:03d}.mid", tmp / f"p{program:03d}.wav"
    mid.write_bytes(midi_file(events))
    cmd = [exe, "-ni", "-q", "-R", "0", "-C", "0", "-g", repr(float(gain)), "-r", str(sample_rate),
           "-T", "wav", "-O", "float", "-F", str(wav), str(sf2), str(mid)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    if proc.returncode != 0 or not wav.is_file():
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise RuntimeError(f"fluidsynth failed on program {program} (exit {proc.returncode}): "
                           f"{detail[-1] if detail else 'no output'}")
    # fluidsynth exits 0 when the SoundFont does not load (it may fall back on its default one)
    refused = [line.strip() for line in (proc.stderr or "").splitlines() if str(sf2) in line]
    if refused:
        raise RuntimeError(f"fluidsynth could not use the SoundFont on program {program}: {refused[-1]}")
    import soundfile as sf

    audio, sr = sf.read(str(wav), dtype="float64", always_2d=True)
    if sr != sample_rate:
        raise RuntimeError(f"fluidsynth wrote {sr} Hz, asked for {sample_rate} Hz")
    mono = audio.mean(axis=1)
    # MIDI ticks are 1/960 s: each slot starts at the sample of its note-on tick.
    ticks_per_s = TICKS_PER_BEAT * 1_000_000 / TEMPO_US
    n = int(round(duration_s * sample_rate))
    out = []
    for i in range(len(notes)):
        start = int(round(round((GAP_S + i * slot_s) * ticks_per_s) / ticks_per_s * sample_rate))
        seg = np.zeros(n)
        part = mono[start: start + n]
        seg[: len(part)] = part
        out.append(seg)
    return out


def _finish_note(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """Fade the end out over FADE_S and trim silence below TRIM_DB under the peak."""
    fade = int(round(FADE_S * sample_rate))
    if 0 < fade < len(x):
        x = x.copy()
        x[-fade:] *= 0.5 * (1.0 + np.cos(np.linspace(0.0, np.pi, fade)))
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak <= 0.0:
        return x[:0]
    loud = np.flatnonzero(np.abs(x) >= peak * 10.0 ** (-TRIM_DB / 20.0))
    return x[loud[0]: loud[-1] + 1]


def render_soundfont_dataset(
    out_dir: str | Path,
    *,
    sf2: str | Path = DEFAULT_SF2,
    programs: Sequence[int] = DEFAULT_PROGRAMS,
    pitches: Sequence[int] = DEFAULT_PITCHES,
    velocities: Sequence[int] = DEFAULT_VELOCITIES,
    heldout_programs: Sequence[int] = DEFAULT_HELDOUT,
    sample_rate: int = 48000,
    duration_s: float = 1.0,
    hold_s: float = 0.75,
    gain: float = 1.0,
    progress: bool = True,
    keep_old_as: str | Path | None = None,
) -> dict:
    """Render one note per (program, pitch, velocity) from a SoundFont into ``out_dir``.

    See the module docstring for the method (fluidsynth CLI, offline, one MIDI file per
    program; NSynth-like labels and held-out programs).

    Args:
        out_dir: output directory: absent (created) or empty, unless ``keep_old_as`` is given.
            Written through a staging folder beside it and renamed into place at the end; on
            any error or Ctrl-C it is left as it was.
        sf2: SoundFont file (default Debian's FluidR3_GM.sf2).
        programs: General MIDI programs, 0..127 (0 = Acoustic Grand Piano).
        pitches: MIDI note numbers, 0..127 (60 = middle C, 261.6 Hz).
        velocities: MIDI velocities, 1..127.
        heldout_programs: programs written to ``heldout/`` with ``split = heldout``; each
            must be one of ``programs``, and at least one program must stay in training.
        sample_rate: Hz, 8000..192000.
        duration_s: seconds per note window (note-on to end of release), 0.1..30, before
            trimming.
        hold_s: seconds from note-on to note-off, 0 < hold_s <= duration_s.
        gain: fluidsynth master gain (``-g``), 0 < gain <= 10.
        progress: show a tqdm progress bar (per program).
        keep_old_as: where to move a non-empty ``out_dir``, whole, when the new dataset is
            published (must not exist; see :func:`.staging.backup_path`).

    Returns:
        Summary dict: ``{"out_dir": Path, "written": int, "train": int, "heldout": int,
        "silent": [file names skipped as silent], "seconds": audio seconds written,
        "render_s": wall-clock seconds, "scale": level scale applied to every file (1.0 unless
        the loudest note would exceed -1 dBFS)}``.

    Raises:
        RuntimeError: fluidsynth or the SoundFont is missing (message says what to install),
            fluidsynth fails or cannot load the SoundFont, or every note is silent.
        ValueError: invalid arguments.
        OutputExistsError: ``out_dir`` is not empty and ``keep_old_as`` is None (a
            ``FileExistsError``; raised before anything is rendered).
        OSError: the staging folder cannot be created or renamed.
    """
    programs = _check_ints("programs", programs, 0, 127)
    pitches = _check_ints("pitches", pitches, 0, 127)
    velocities = _check_ints("velocities", velocities, 1, 127)
    heldout = _check_ints("heldout_programs", heldout_programs, 0, 127) if len(heldout_programs) else ()
    if not set(heldout) <= set(programs):
        raise ValueError(f"heldout_programs {sorted(set(heldout) - set(programs))} are not in programs")
    if set(programs) <= set(heldout):
        raise ValueError("every program is held out: keep at least one for training")
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or not 8000 <= sample_rate <= 192000:
        raise ValueError(f"sample_rate must be an int in [8000, 192000], got {sample_rate!r}")
    duration_s, hold_s, gain = float(duration_s), float(hold_s), float(gain)
    if not (math.isfinite(duration_s) and 0.1 <= duration_s <= 30.0):
        raise ValueError(f"duration_s must lie in [0.1, 30], got {duration_s!r}")
    if not (math.isfinite(hold_s) and 0.0 < hold_s <= duration_s):
        raise ValueError(f"hold_s must lie in (0, duration_s], got {hold_s!r}")
    if not (math.isfinite(gain) and 0.0 < gain <= 10.0):
        raise ValueError(f"gain must lie in (0, 10], got {gain!r}")
    sf2 = Path(sf2)
    exe = _fluidsynth(sf2)

    from synth_server.data.staging import staged_output

    with staged_output(out_dir, keep_old_as=keep_old_as) as stage:
        summary = _render_into(stage, exe, sf2, programs, pitches, velocities, heldout,
                               out_dir=Path(out_dir), sample_rate=sample_rate,
                               duration_s=duration_s, hold_s=hold_s, gain=gain, progress=progress)
    return summary


def _render_into(out: Path, exe: str, sf2: Path, programs: tuple[int, ...], pitches: tuple[int, ...],
                 velocities: tuple[int, ...], heldout: tuple[int, ...], *, out_dir: Path,
                 sample_rate: int, duration_s: float, hold_s: float, gain: float,
                 progress: bool) -> dict:
    """Render every note into the empty folder ``out`` (``out_dir`` is its final name)."""
    import soundfile as sf
    from tqdm.auto import tqdm

    for split in ("train", "heldout"):
        (out / split).mkdir()
    notes = [(p, v) for p in pitches for v in velocities]
    started = time.perf_counter()
    rendered: list[tuple[dict, np.ndarray]] = []
    silent: list[str] = []
    with tempfile.TemporaryDirectory(prefix="soundfont_") as tmp:
        for program in tqdm(programs, desc="soundfont notes (fluidsynth)", unit="program",
                            disable=not progress):
            segs = _render_program(exe, sf2, program, notes, sample_rate=sample_rate,
                                   duration_s=duration_s, hold_s=hold_s, gain=gain, tmp=Path(tmp))
            split = "heldout" if program in heldout else "train"
            for (pitch, velocity), seg in zip(notes, segs):
                name = f"{split}/" + FILE_PATTERN.format(program=program, pitch=pitch, velocity=velocity)
                x = _finish_note(seg, sample_rate)
                if len(x) == 0 or 20 * math.log10(float(np.max(np.abs(x)))) < SILENT_DBFS:
                    silent.append(name)
                    continue
                rendered.append(({
                    "file": name, "program": program, "program_name": GM_PROGRAMS[program],
                    "family": program // 8, "family_name": GM_FAMILIES[program // 8],
                    "pitch": pitch, "f0_hz": round(440.0 * 2.0 ** ((pitch - 69) / 12.0), 3),
                    "velocity": velocity, "split": split,
                }, x))
    if not rendered:
        raise RuntimeError(f"every note was silent: is {sf2} a SoundFont fluidsynth can load?")
    peak = max((float(np.max(np.abs(x))) for _, x in rendered), default=0.0)
    ceiling = 10.0 ** (PEAK_CEILING_DBFS / 20.0)
    scale = ceiling / peak if peak > ceiling else 1.0
    labels = []
    for row, x in rendered:
        y = (x * scale).astype(np.float32)
        sf.write(str(out / row["file"]), y, sample_rate, subtype="FLOAT")
        row["duration_s"] = round(len(y) / sample_rate, 4)
        row["peak_dbfs"] = round(20 * math.log10(float(np.max(np.abs(y)))), 2)
        labels.append(row)
    with open(out / "labels.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=LABEL_COLUMNS)
        writer.writeheader()
        writer.writerows(labels)
    render_s = time.perf_counter() - started
    summary = {
        "out_dir": out_dir, "written": len(labels),
        "train": sum(r["split"] == "train" for r in labels),
        "heldout": sum(r["split"] == "heldout" for r in labels),
        "silent": silent, "seconds": round(sum(r["duration_s"] for r in labels), 2),
        "render_s": round(render_s, 2), "scale": scale,
    }
    _write_readme(out / "README.md", out_dir, labels, summary, sf2=sf2, programs=programs, pitches=pitches,
                  velocities=velocities, heldout=heldout, sample_rate=sample_rate,
                  duration_s=duration_s, hold_s=hold_s, gain=gain)
    return summary


def _fluidsynth_version(exe: str | None) -> str:
    if not exe:
        return "?"
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10)
        return proc.stdout.splitlines()[0].strip()
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def _write_readme(path: Path, out_dir: Path, labels: list[dict], summary: dict, *, sf2: Path, programs, pitches,
                  velocities, heldout, sample_rate: int, duration_s: float, hold_s: float,
                  gain: float) -> None:
    ints = lambda xs: ",".join(str(x) for x in xs)  # noqa: E731
    lines = [
        "# SoundFont notes (synth-server, NSynth-like)",
        "",
        f"One note per (program, pitch, velocity) from `{sf2}`, rendered offline by",
        f"{_fluidsynth_version(shutil.which('fluidsynth'))} (`synth_server.data.soundfont`):",
        f"note held {hold_s:g} s, released, cut at {duration_s:g} s (All Sound Off), {FADE_S * 1000:g} ms",
        f"fade-out, silence below -{TRIM_DB:g} dB re the note's peak trimmed; reverb and chorus off;",
        f"gain {gain:g}; levels not normalised (velocity is a label), scale {summary['scale']:.4g}.",
        "",
        f"- files: {summary['written']} ({summary['train']} in `train/`, {summary['heldout']} in "
        f"`heldout/`), {summary['seconds']:g} s of audio; labels in `labels.csv`",
        f"- format: mono WAV, {sample_rate} Hz, 32-bit float",
        f"- silent notes skipped: {len(summary['silent'])}"
        + (f" ({', '.join(summary['silent'][:10])}{' ...' if len(summary['silent']) > 10 else ''})"
           if summary["silent"] else ""),
        "- train on `train/` only: `synth-server train --data " + f"{out_dir}/train --out models/NAME`",
        "",
        "## Programs",
        "",
        "| program | name | family | split | files |",
        "|---|---|---|---|---|",
    ]
    for program in programs:
        n = sum(r["program"] == program for r in labels)
        lines.append(f"| {program} | {GM_PROGRAMS[program]} | {program // 8} {GM_FAMILIES[program // 8]} | "
                     f"{'heldout' if program in heldout else 'train'} | {n} |")
    lines += [
        "",
        f"Pitches (MIDI): {ints(pitches)}. Velocities: {ints(velocities)}.",
        "",
        "## Reproduce",
        "",
        "```",
        f"synth-server dataset soundfont --out {out_dir} --sf2 {sf2} --programs {ints(programs)} "
        f"--pitches {ints(pitches)} --velocities {ints(velocities)} --heldout-programs {ints(heldout) or 'none'} "
        f"--sample-rate {sample_rate} --duration {duration_s:g} --hold {hold_s:g} --gain {gain:g}",
        "```",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def load_labels(dataset_dir: str | Path) -> list[dict]:
    """Read ``labels.csv`` of a SoundFont dataset.

    Args:
        dataset_dir: directory written by :func:`render_soundfont_dataset`.

    Returns:
        One dict per file: ``file`` (path relative to ``dataset_dir``), ``program_name``,
        ``family_name``, ``split`` (str); ``program``, ``family``, ``pitch``, ``velocity``
        (int); ``f0_hz``, ``duration_s``, ``peak_dbfs`` (float).

    Raises:
        FileNotFoundError: no ``labels.csv``.
        ValueError: a column is missing or a value does not parse.
    """
    path = Path(dataset_dir) / "labels.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = set(LABEL_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        rows = []
        for row in reader:
            try:
                for key in ("program", "family", "pitch", "velocity"):
                    row[key] = int(row[key])
                for key in ("f0_hz", "duration_s", "peak_dbfs"):
                    row[key] = float(row[key])
            except ValueError as exc:
                raise ValueError(f"{path}:{reader.line_num}: {exc}") from exc
            rows.append(row)
    return rows
