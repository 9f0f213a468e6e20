"""`synth-server dataset soundfont`: real fluidsynth renders from Debian's FluidR3_GM.sf2.

`make test` installs fluidsynth and fluid-soundfont-gm (Debian) when they are missing.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import soundfile as sf

from synth_server.data import soundfont
from synth_server.data.soundfont import load_labels, midi_file, render_soundfont_dataset

SR = 48000
PROGRAMS, PITCHES = (0, 73), (60, 69)  # piano (train), flute (held out); middle C and A4


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("sf")
    summary = render_soundfont_dataset(out, programs=PROGRAMS, pitches=PITCHES, velocities=(60, 120),
                                       heldout_programs=(73,), progress=False)
    return out, summary


def test_labels_and_split(rendered):
    out, summary = rendered
    rows = load_labels(out)
    assert summary["written"] == len(rows) == 8 and summary["train"] == 4 and summary["heldout"] == 4
    assert {(r["program"], r["pitch"], r["velocity"]) for r in rows} == {
        (p, n, v) for p in PROGRAMS for n in PITCHES for v in (60, 120)}
    for r in rows:
        assert r["family"] == r["program"] // 8
        assert r["split"] == ("heldout" if r["program"] == 73 else "train")
        assert r["file"].startswith(r["split"] + "/") and (out / r["file"]).is_file()
        assert r["program_name"] == {0: "Acoustic Grand Piano", 73: "Flute"}[r["program"]]
        assert r["family_name"] == {0: "Piano", 73: "Pipe"}[r["program"]]
    assert sorted(p.name for p in (out / "heldout").iterdir()) == [
        f"sf_p073_n{n:03d}_v{v:03d}.wav" for n in PITCHES for v in (60, 120)]
    card = (out / "README.md").read_text()
    assert "Flute" in card and "heldout" in card and "--heldout-programs 73" in card


def test_audio_is_mono_48k_trimmed_and_pitched(rendered):
    import librosa

    out, _ = rendered
    for r in load_labels(out):
        x, sr = sf.read(out / r["file"], dtype="float32")
        assert sr == SR and x.ndim == 1
        assert 0.3 < len(x) / SR <= 1.0 and len(x) / SR == pytest.approx(r["duration_s"], abs=1e-3)
        peak = np.max(np.abs(x))
        assert -40 < 20 * np.log10(peak) <= -1.0 and np.all(np.isfinite(x))
        assert np.max(np.abs(x[:48])) > 1e-3 * peak  # leading silence trimmed
        f0, voiced, _ = librosa.pyin(x[:SR // 2], fmin=100, fmax=1000, sr=SR, frame_length=4096)
        assert np.any(voiced)
        cents = 1200 * np.log2(np.nanmedian(f0[voiced]) / r["f0_hz"])
        assert abs(cents) < 50, (r["file"], cents)


def test_velocity_is_louder(rendered):
    out, _ = rendered
    rows = {(r["program"], r["pitch"], r["velocity"]): r for r in load_labels(out)}
    for p in PROGRAMS:
        for n in PITCHES:
            assert rows[(p, n, 120)]["peak_dbfs"] > rows[(p, n, 60)]["peak_dbfs"] + 3


def test_midi_writer_bytes():
    data = midi_file([(0.5, bytes([0x80, 60, 0])), (0.0, bytes([0x90, 60, 100]))])
    assert data[:14] == b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0"
    track = data[22:]
    # tempo, note-on at 0, note-off 480 ticks (0.5 s at 960 ticks/s: VLQ 0x83 0x60) later, end of track
    assert track == (b"\x00\xff\x51\x03\x07\xa1\x20" b"\x00\x90\x3c\x64" b"\x83\x60\x80\x3c\x00"
                     b"\x00\xff\x2f\x00")
    assert int.from_bytes(data[18:22], "big") == len(track)


def test_bad_arguments_and_missing_tools(tmp_path, monkeypatch):
    for kwargs in (dict(programs=(128,)), dict(pitches=()), dict(velocities=(0,)),
                   dict(programs=(0,), heldout_programs=(0,)), dict(heldout_programs=(5,)),
                   dict(hold_s=2.0), dict(programs=(0, 0))):
        with pytest.raises(ValueError):
            render_soundfont_dataset(tmp_path, **kwargs, progress=False)
    with pytest.raises(RuntimeError, match="apt-get install fluid-soundfont-gm"):
        render_soundfont_dataset(tmp_path, sf2=tmp_path / "missing.sf2", progress=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without fluidsynth
    assert shutil.which("fluidsynth") is None
    with pytest.raises(RuntimeError, match="apt-get install fluidsynth fluid-soundfont-gm"):
        render_soundfont_dataset(tmp_path, progress=False)
    assert soundfont.DEFAULT_HELDOUT and set(soundfont.DEFAULT_HELDOUT) < set(soundfont.DEFAULT_PROGRAMS)


def test_cli_soundfont(tmp_path, capsys):
    from synth_server.app.cli import main

    out = tmp_path / "sf"
    assert main(["dataset", "soundfont", "--out", str(out), "--programs", "40-41", "--pitches", "67",
                 "--velocities", "100", "--heldout-programs", "41", "--quiet"]) == 0
    assert "wrote 2 notes (1 train, 1 held out" in capsys.readouterr().out
    assert [r["split"] for r in load_labels(out)] == ["train", "heldout"]
    assert main(["dataset", "soundfont", "--out", str(out), "--sf2", str(tmp_path / "no.sf2")]) == 2
    assert "apt-get install fluid-soundfont-gm" in capsys.readouterr().err
