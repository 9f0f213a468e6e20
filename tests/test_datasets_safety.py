"""`synth-server dataset ...` never loses what a user made (issue 11).

Real components only: the CLI in-process or as a subprocess, real pyo and fluidsynth renders,
real sound files written here. A failed or interrupted run leaves the previous dataset
byte-identical; a non-empty --out is refused in one line unless --force, which keeps the old
folder, whole, beside the new one.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from conftest import sigkill_when
from synth_server.app.cli import main
from synth_server.data.staging import OutputExistsError, staged_output

ROOT = Path(__file__).resolve().parents[1]
SF_ARGS = ["--programs", "0", "--pitches", "60", "--velocities", "100", "--heldout-programs", "none",
           "--duration", "0.3", "--hold", "0.2", "--quiet"]
TOY_ARGS = ["--preset", "mono:even_gain", "--duration", "0.3", "--no-plots", "--quiet"]


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None) under ``folder``, by relative path."""
    snap: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        snap[path.relative_to(folder).as_posix()] = path.read_bytes() if path.is_file() else None
    return snap


def _tone(seconds: float, sr: int = 48000, f0: float = 440.0) -> np.ndarray:
    t = np.arange(int(round(seconds * sr))) / sr
    return 0.5 * np.sin(2 * np.pi * f0 * t)


def _sources(folder: Path) -> Path:
    folder.mkdir()
    sf.write(folder / "a.wav", _tone(0.3), 48000)
    sf.write(folder / "b.flac", _tone(0.2, 44100, 330.0), 44100)
    return folder


def _previous_dataset(tmp_path: Path) -> Path:
    """A user's earlier dataset: a real folder import plus a file of their own."""
    out = tmp_path / "data"
    assert main(["dataset", "folder", str(_sources(tmp_path / "old_src")), "--out", str(out),
                 "--quiet"]) == 0
    (out / "my notes.txt").write_text("listened to all of these\n")
    (out / "sub").mkdir()
    sf.write(out / "sub" / "mine.wav", _tone(0.1), 48000)
    return out


def _siblings(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir())


# -- (a) a run that fails or is interrupted midway leaves the previous dataset as it was ----

def test_folder_failing_run_leaves_previous_dataset(tmp_path, capsys):
    out = _previous_dataset(tmp_path)
    bad = tmp_path / "bad_src"
    bad.mkdir()
    (bad / "corrupt.flac").write_bytes(b"fLaC" + bytes(range(256)) * 4)
    sf.write(bad / "zeros.wav", np.zeros(4800), 48000)
    before, siblings = _snapshot(out), _siblings(tmp_path)
    capsys.readouterr()
    assert main(["dataset", "folder", str(bad), "--out", str(out), "--force", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("synth-server: error: no usable audio file") and "left as it was" in err
    assert _snapshot(out) == before
    assert _siblings(tmp_path) == siblings  # no staging folder, no .old folder


def test_soundfont_failing_run_leaves_previous_dataset(tmp_path, capsys):
    from synth_server.data.soundfont import DEFAULT_SF2

    out = _previous_dataset(tmp_path)
    cut = tmp_path / "cut.sf2"  # a SoundFont cut short (an interrupted download)
    cut.write_bytes(Path(DEFAULT_SF2).read_bytes()[:100_000])
    before, siblings = _snapshot(out), _siblings(tmp_path)
    capsys.readouterr()
    # real fluidsynth: it fails to load the file while rendering, inside the staging folder
    assert main(["dataset", "soundfont", "--out", str(out), "--sf2", str(cut), "--force",
                 *SF_ARGS]) == 2
    err = capsys.readouterr().err
    assert "fluidsynth could not use the SoundFont on program 0" in err and err.count("\n") == 1
    assert _snapshot(out) == before
    assert _siblings(tmp_path) == siblings


def test_toy_interrupted_midway_leaves_previous_dataset(tmp_path):
    import pyo  # noqa: F401 - make test installs the [train] extra

    out = _previous_dataset(tmp_path)
    before, siblings = _snapshot(out), _siblings(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "synth_server.app.cli", "dataset", "toy", "--out", str(out), "--force",
         "--preset", "default", "--no-plots", "--quiet"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            staged = [p for p in tmp_path.glob(".data.staging-*/toy_*.wav")]
            if len(staged) >= 5:  # midway: 5 of 160 files rendered
                break
            time.sleep(0.01)
        assert proc.poll() is None, proc.communicate()
        assert len(staged) >= 5
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith("synth-server: error: dataset toy: interrupted")
    assert _snapshot(out) == before
    assert _siblings(tmp_path) == siblings  # the staging folder is gone


def test_staging_block_that_raises_leaves_folder(tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "mine.txt").write_text("mine")
    for exc in (RuntimeError("render failed"), KeyboardInterrupt()):
        with pytest.raises(type(exc)):
            with staged_output(out, keep_old_as=tmp_path / "kept") as stage:
                (stage / "half.wav").write_bytes(b"RIFF")
                raise exc
        assert _snapshot(out) == {"mine.txt": b"mine"}
        assert _siblings(tmp_path) == ["data"]


# -- (b) a non-empty --out without --force is refused in one line, untouched ---------------

@pytest.mark.parametrize("kind", ["toy", "soundfont", "folder"])
def test_non_empty_out_is_refused_without_force(tmp_path, capsys, kind):
    out = _previous_dataset(tmp_path)
    before, siblings = _snapshot(out), _siblings(tmp_path)
    args = {"toy": ["toy", *TOY_ARGS], "soundfont": ["soundfont", *SF_ARGS],
            "folder": ["folder", str(tmp_path / "old_src"), "--quiet"]}[kind]
    capsys.readouterr()
    started = time.perf_counter()
    assert main(["dataset", *args[:1], "--out", str(out), *args[1:]]) == 2
    refused_s = time.perf_counter() - started
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and captured.out == ""
    assert lines[0].startswith(f"synth-server: error: dataset {kind}: {out} is not empty")
    assert "--force" in lines[0]
    assert _snapshot(out) == before and _siblings(tmp_path) == siblings
    assert refused_s < 2.0  # refused before rendering anything


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    out = tmp_path / "data"
    out.write_text("not a folder")
    assert main(["dataset", "folder", str(_sources(tmp_path / "src")), "--out", str(out),
                 "--force", "--quiet"]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert out.read_text() == "not a folder" and _siblings(tmp_path) == ["data", "src"]


# -- (c) --force: the new dataset is there, the old one is kept beside it -----------------

@pytest.mark.parametrize("kind", ["toy", "soundfont", "folder"])
def test_force_keeps_the_old_dataset_beside_the_new(tmp_path, capsys, kind):
    out = _previous_dataset(tmp_path)
    before = _snapshot(out)
    src = _sources(tmp_path / "new_src")
    sf.write(src / "c.ogg", _tone(0.25, 22050, 220.0), 22050, format="OGG", subtype="VORBIS")
    args = {"toy": ["toy", *TOY_ARGS], "soundfont": ["soundfont", *SF_ARGS],
            "folder": ["folder", str(src), "--quiet"]}[kind]
    capsys.readouterr()
    assert main(["dataset", *args[:1], "--out", str(out), "--force", *args[1:]]) == 0
    said = capsys.readouterr().out
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("data.old-")]
    assert len(kept) == 1 and f"kept the previous {out} as {kept[0]}" in said
    assert _snapshot(kept[0]) == before
    assert not (out / "my notes.txt").exists()
    labels = {"toy": "factors.csv", "soundfont": "labels.csv", "folder": "manifest.csv"}[kind]
    rows = list(csv.DictReader(open(out / labels, encoding="utf-8")))
    assert len(rows) == {"toy": 5, "soundfont": 1, "folder": 3}[kind]
    for row in rows:
        assert sf.info(out / row["file"]).frames > 0
    card = out / "README.md"
    if card.exists():  # the card names the final folder, never the staging one
        assert "staging" not in card.read_text() and str(out) in card.read_text()
    assert not [p for p in tmp_path.iterdir() if ".staging-" in p.name]


def test_force_twice_never_reuses_a_kept_name(tmp_path, capsys):
    out = _previous_dataset(tmp_path)
    first = _snapshot(out)
    src = _sources(tmp_path / "src")
    assert main(["dataset", "folder", str(src), "--out", str(out), "--force", "--quiet"]) == 0
    second = _snapshot(out)
    assert main(["dataset", "folder", str(src), "--out", str(out), "--force", "--quiet"]) == 0
    kept = sorted((p for p in tmp_path.iterdir() if p.name.startswith("data.old-")),
                  key=lambda p: p.stat().st_mtime_ns)
    assert len(kept) == 2 and kept[0].name != kept[1].name
    assert {frozenset(_snapshot(k).items()) for k in kept} == {frozenset(first.items()),
                                                                frozenset(second.items())}
    with pytest.raises(OutputExistsError):
        with staged_output(out):
            pass


# -- (d) folder: sources sharing a stem keep distinct outputs ------------------------------

def test_folder_same_stem_sources_are_all_kept(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    durations = {"x.wav": 0.30, "x.flac": 0.40, "x.WAV": 0.50, "x_wav.ogg": 0.60,
                 "sub/x.wav": 0.70, "sub/X.aiff": 0.80}
    for name, seconds in durations.items():
        kind = {".ogg": dict(format="OGG", subtype="VORBIS")}.get(Path(name).suffix, {})
        sf.write(src / name, _tone(seconds), 48000, **kind)
    out = tmp_path / "out"
    assert main(["dataset", "folder", str(src), "--out", str(out), "--quiet"]) == 0
    rows = list(csv.DictReader(open(out / "manifest.csv", encoding="utf-8")))
    assert sorted(r["source"] for r in rows) == sorted(durations)
    files = [r["file"] for r in rows]
    assert len({f.lower() for f in files}) == len(files) == 6  # distinct even ignoring case
    for r in rows:
        x, sr = sf.read(out / r["file"])
        assert sr == 48000 and len(x) / sr == pytest.approx(durations[r["source"]], abs=0.02), r
    wavs = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.wav"))
    assert wavs == sorted(files)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_stale_staging_of_a_killed_process_is_removed_and_the_rest_reported(tmp_path):
    """A SIGKILLed run leaves its staging folder behind: the next run removes it (its recorded
    process is gone), and one whose PID now belongs to another process; it reports, in one line
    with the command to remove it, a folder with no owner record (its owner was publishing, or
    swapping a model out of the way: it may hold the user's files), and leaves the folder of a
    process that still runs alone."""
    from synth_server.core.files import (STAGING_OWNER, release_staging, remove_stale_staging,
                                         staging_dir)

    out = tmp_path / "data"
    code = ("import sys, time; from synth_server.core.files import staging_dir; "
            "s = staging_dir(sys.argv[1]); (s / 'toy_00000.wav').write_bytes(b'half a file'); "
            "print(s, flush=True); time.sleep(120)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(out)], env=_env(),
                            stdout=subprocess.PIPE, text=True)
    killed = sigkill_when(proc, lambda: [*tmp_path.glob(".data.staging-*/toy_00000.wav")])[0].parent
    assert (killed / "toy_00000.wav").is_file() and (killed / STAGING_OWNER).is_file()
    running = staging_dir(out)  # this test's process: still running
    reused = staging_dir(out)  # its PID now runs another process (another start time)
    owner = (reused / STAGING_OWNER).read_text()
    assert f'"pid": {os.getpid()}' in owner
    boot_and_start = owner.split('"identity": "')[1].split('"')[0]
    (reused / STAGING_OWNER).write_text(owner.replace(boot_and_start,
                                                      boot_and_start.split(":")[0] + ":1"))
    swapped = staging_dir(out)  # released: it holds what must not be deleted unseen
    release_staging(swapped)
    (swapped / "weights.safetensors").write_bytes(b"a model that was being swapped")

    # a swap without renameat2 moves the previous folder to a hidden .NAME.old-* before it
    # deletes it: killed in between, it is left, and only reported
    hidden_old = tmp_path / ".data.old-abc123"
    hidden_old.mkdir()
    (hidden_old / "weights.safetensors").write_bytes(b"the previous model")

    messages = remove_stale_staging(out)
    assert not killed.exists() and not reused.exists()
    assert running.is_dir() and (running / STAGING_OWNER).is_file()
    assert (swapped / "weights.safetensors").read_bytes() == b"a model that was being swapped"
    assert (hidden_old / "weights.safetensors").read_bytes() == b"the previous model"
    assert len(messages) == 4 and all("\n" not in m for m in messages), messages
    assert sum(m.startswith(str(hidden_old)) and m.endswith(f"rm -r {hidden_old}")
               for m in messages) == 1
    assert sum(m.startswith(f"removed {killed}: ") and f"process {proc.pid} " in m
               for m in messages) == 1
    report = [m for m in messages if m.startswith(str(swapped))]
    assert len(report) == 1 and "no owner record" in report[0] and \
        report[0].endswith(f"rm -r {swapped}")
    assert remove_stale_staging(out) == [*report, *[m for m in messages
                                                    if m.startswith(str(hidden_old))]]


def test_dataset_command_after_a_sigkill_removes_the_stale_staging(tmp_path):
    import pyo  # noqa: F401 - make test installs the [train] extra

    out = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "synth_server.app.cli", "dataset", "toy", "--out", str(out),
         "--preset", "default", "--no-plots", "--quiet"],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # midway: 5 of 160 files rendered; SIGKILL: no handler runs, the staging folder stays
    staged = sigkill_when(proc, lambda: [*tmp_path.glob(".data.staging-*/toy_*.wav")][4:])
    stale = staged[0].parent
    assert stale.is_dir() and not out.exists()
    again = subprocess.run([sys.executable, "-m", "synth_server.app.cli", "dataset", "toy",
                            "--out", str(out), *TOY_ARGS], env=_env(), capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    removed = [line for line in again.stderr.splitlines() if "removed" in line]
    assert len(removed) == 1 and str(stale) in removed[0] and f"process {proc.pid} " in removed[0]
    assert not stale.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no owner record published
