"""`synth-server dataset folder`: real files of several formats, rates and channel counts."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import soundfile as sf

from synth_server.data.audio_folder import import_audio_folder

SR_OUT = 48000


def _tone(sr: int, seconds: float, f0: float = 440.0, channels: int = 1) -> np.ndarray:
    t = np.arange(int(round(seconds * sr))) / sr
    x = 0.5 * np.sin(2 * np.pi * f0 * t)
    return np.stack([x * (0.5 + 0.5 * c) for c in range(channels)], axis=1) if channels > 1 else x


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    (src / "sub").mkdir()
    sf.write(src / "stereo.flac", _tone(44100, 1.0, channels=2), 44100, subtype="PCM_24")
    sf.write(src / "sub" / "low.ogg", _tone(22050, 0.8, f0=330.0), 22050, format="OGG", subtype="VORBIS")
    padded = np.concatenate([np.zeros(24000), _tone(48000, 1.0), np.zeros(48000)])
    sf.write(src / "padded.wav", padded, 48000)
    sf.write(src / "quad_96k.wav", _tone(96000, 0.5, channels=4), 96000, subtype="FLOAT")
    sf.write(src / "clash.wav", _tone(48000, 0.3), 48000)
    sf.write(src / "clash.flac", _tone(48000, 0.4), 48000)
    if "MP3" in sf.available_formats():
        sf.write(src / "song.mp3", _tone(44100, 1.0, channels=2), 44100, format="MP3", subtype="MPEG_LAYER_III")
    good = src / "stereo.flac"
    (src / "corrupt.flac").write_bytes(good.read_bytes()[:200] + bytes(range(256)) * 8)
    (src / "notes.wav").write_text("this is a text file, not audio\n")
    (src / "silence.wav").write_bytes(b"")  # zero bytes
    sf.write(src / "zeros.wav", np.zeros(4800), 48000)
    sf.write(src / "click.wav", np.concatenate([np.zeros(4800), [0.9], np.zeros(4800)]), 48000)
    (src / "README.txt").write_text("ignored")
    out = tmp_path_factory.mktemp("out")
    report = import_audio_folder(src, out, progress=False)
    return src, out, report


def test_written_files_are_48k_mono(imported):
    src, out, report = imported
    rows = list(csv.DictReader(open(out / "manifest.csv", encoding="utf-8")))
    names = {r["source"]: r for r in rows}
    expected = {"stereo.flac", "sub/low.ogg", "padded.wav", "quad_96k.wav", "clash.wav", "clash.flac"}
    if "MP3" in sf.available_formats():
        expected.add("song.mp3")
    assert set(names) == expected
    assert names["sub/low.ogg"]["file"] == "sub/low.wav"
    assert {names["clash.wav"]["file"], names["clash.flac"]["file"]} == {"clash_wav.wav", "clash_flac.wav"}
    assert names["stereo.flac"]["source_sample_rate"] == "44100" and names["stereo.flac"]["channels"] == "2"
    assert names["sub/low.ogg"]["source_sample_rate"] == "22050"
    assert names["quad_96k.wav"]["channels"] == "4"
    for r in rows:
        info = sf.info(out / r["file"])
        assert info.samplerate == SR_OUT and info.channels == 1
        assert info.frames / SR_OUT == pytest.approx(float(r["duration_s"]), abs=1e-3)
    # durations survive resampling (a tone fills the whole file: nothing to trim but the edges)
    assert float(names["stereo.flac"]["duration_s"]) == pytest.approx(1.0, abs=0.03)
    assert float(names["sub/low.ogg"]["duration_s"]) == pytest.approx(0.8, abs=0.03)
    assert float(names["quad_96k.wav"]["duration_s"]) == pytest.approx(0.5, abs=0.03)
    assert report.summary().startswith(f"wrote {len(expected)} files")


def test_pitch_survives_resampling(imported):
    _, out, _ = imported
    for name, f0 in (("sub/low.wav", 330.0), ("stereo.wav", 440.0)):
        x, _ = sf.read(out / name)
        spec = np.abs(np.fft.rfft(x * np.hanning(len(x)), 1 << 20))
        assert np.argmax(spec) * SR_OUT / (1 << 20) == pytest.approx(f0, rel=0.002)


def test_silence_is_trimmed(imported):
    src, out, _ = imported
    x, _ = sf.read(out / "padded.wav")
    assert len(x) / SR_OUT == pytest.approx(1.0, abs=0.025)  # 0.5 s before, 1 s after: gone
    assert np.max(np.abs(x[:480])) > 0.1  # starts within ~10 ms of the tone


def test_bad_files_are_listed_not_fatal(imported):
    src, out, report = imported
    skipped = dict(line.split("\t", 1) for line in (out / "skipped.txt").read_text().splitlines())
    assert set(skipped) == {"corrupt.flac", "notes.wav", "silence.wav", "zeros.wav", "click.wav"}
    assert skipped["notes.wav"].startswith("unreadable")
    assert skipped["corrupt.flac"].startswith("unreadable")
    assert skipped["zeros.wav"].startswith("silent")
    assert skipped["click.wav"].startswith("too short")
    assert report.ignored == 1  # README.txt
    text = report.summary()
    assert "skipped 5" in text and "unreadable" in text and "ignored 1" in text


def test_rerun_keeps_the_previous_output_whole(imported, tmp_path):
    src, out, _ = imported
    import shutil

    src2 = tmp_path / "src"
    shutil.copytree(src, src2)
    out2 = src2 / "dataset"  # out inside src: never read back as input
    import_audio_folder(src2, out2, progress=False)
    (src2 / "stereo.flac").unlink()
    old = src2 / "dataset.old-1"  # inside src too: never read back either
    report = import_audio_folder(src2, out2, progress=False, keep_old_as=old)
    assert not (out2 / "stereo.wav").exists() and (out2 / "padded.wav").exists()
    assert (old / "stereo.wav").exists() and (old / "padded.wav").exists()
    again = import_audio_folder(src2, out2, progress=False, keep_old_as=src2 / "dataset.old-2")
    for rep in (report, again):
        assert all(not r["source"].startswith("dataset") for r in rep.written)
    assert len(again.written) == len(report.written)
    with pytest.raises(ValueError):
        import_audio_folder(src2, src2, progress=False)
    with pytest.raises(FileNotFoundError):
        import_audio_folder(tmp_path / "nope", out2, progress=False)


def test_training_loader_reads_the_output(imported):
    from synth_server.core.config import StftConfig
    from synth_server.data.frames import load_frames

    _, out, report = imported
    frames, owners, files = load_frames(out, StftConfig())
    assert len(files) == len(report.written) and frames.shape[1] == StftConfig().n_fft // 2 + 1


def test_cli_folder(imported, tmp_path, capsys):
    from synth_server.app.cli import main

    src, _, _ = imported
    assert main(["dataset", "folder", str(src), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "skipped notes.wav: unreadable" in text and "skipped 5 (" in text
    assert main(["dataset", "folder", str(tmp_path / "missing"), "--out", str(tmp_path / "o2")]) == 2
    assert "not a directory" in capsys.readouterr().err
