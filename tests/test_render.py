"""Offline rendering through the live renderer code: pad paths and scores, via the CLI."""
from __future__ import annotations

import subprocess
import sys

import librosa
import numpy as np
import pytest
import soundfile as sf

from synth_server.app.render import read_score, render_events


def centroid_hz(y: np.ndarray, sample_rate: int = 48000) -> float:
    """Median spectral centroid (librosa) of a mono signal, Hz."""
    return float(np.median(librosa.feature.spectral_centroid(y=y, sr=sample_rate, n_fft=2048)))


def test_pad_moves_change_the_sound(tiny_checkpoint):
    events = [(0.0, "/gain", (0.8,)), (0.0, "/pad", (0.0, 0.0)), (1.0, "/pad", (1.0, 1.0))]
    audio, errors = render_events(tiny_checkpoint, events, duration_s=2.0)
    assert errors == []
    assert audio.shape == (96000, 2)
    assert np.isfinite(audio).all() and np.abs(audio).max() <= 1.0
    first, second = audio[24000:48000, 0], audio[72000:, 0]
    assert np.sqrt(np.mean(first ** 2)) > 1e-3 and np.sqrt(np.mean(second ** 2)) > 1e-3
    c1, c2 = centroid_hz(first), centroid_hz(second)
    assert abs(c1 - c2) / min(c1, c2) > 0.1, (c1, c2)


def test_score_gain_zero_gives_silence_and_bad_rows_are_reported(tiny_checkpoint, tmp_path):
    score = tmp_path / "score.csv"
    score.write_text("time_s,address,arg1,arg2\n0,/gain,0.7\n0,/pad,0.5,0.5\n"
                     "1.0,/gain,0\n1.2,/nope,1\n")
    events = read_score(score)
    audio, errors = render_events(tiny_checkpoint, events, duration_s=2.0)
    assert len(errors) == 1 and "/nope" in errors[0]
    assert np.sqrt(np.mean(audio[20000:48000] ** 2)) > 1e-3
    assert np.abs(audio[60000:]).max() < 1e-4  # smoothed to silence within 0.25 s


def test_render_cli_from_pad_path(tiny_model_dir, tmp_path):
    path = tmp_path / "path.csv"
    path.write_text("time_s,x,y\n0,0.1,0.1\n0.5,0.9,0.9\n")
    out = tmp_path / "out.wav"
    result = subprocess.run(
        [sys.executable, "-m", "synth_server.app.cli", "render", "--model", str(tiny_model_dir),
         "--pad-path", str(path), "--out", str(out), "--duration", "1.0"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    y, sr = sf.read(out)
    assert sr == 48000 and y.shape == (48000, 2)
    assert "real time" in result.stdout


def test_render_cli_refuses_a_broken_model_in_one_line(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.json").write_text("{}")
    path = tmp_path / "p.csv"
    path.write_text("time_s,x,y\n0,0,0\n")
    result = subprocess.run(
        [sys.executable, "-m", "synth_server.app.cli", "render", "--model", str(tmp_path / "broken"),
         "--pad-path", str(path), "--out", str(tmp_path / "o.wav")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_pad_path_moves_linearly_between_rows(tmp_path):
    from synth_server.app.render import read_pad_path

    path = tmp_path / "p.csv"
    path.write_text("time_s,x,y\n0,0,1\n1,1,0\n1,0.5,0.5\n")
    events = read_pad_path(path, step_s=0.1)
    times = [e[0] for e in events]
    assert times == sorted(times) and len(events) == 11  # 10 steps, then the jump
    t, address, (x, y) = events[5]
    assert address == "/pad" and t == 0.5 and (x, y) == (0.5, 0.5)
    assert events[-1] == (1.0, "/pad", (0.5, 0.5))  # same time: a jump


def test_rtpghi_phase_renders_the_same_hop_by_hop_as_in_blocks(default_checkpoint):
    from synth_server.control.controller import ControlState
    from synth_server.engine.renderer import Renderer

    states = [ControlState(pad=(i / 40, 1 - i / 40), gain=0.8) for i in range(40)]
    a = Renderer(default_checkpoint, phase="rtpghi")
    b = Renderer(default_checkpoint, phase="rtpghi")
    hop_by_hop = np.concatenate([a.render_hop(s) for s in states])
    block = b.render_block(np.array([b.target_for(s) for s in states]),
                           np.array([s.gain for s in states]))
    np.testing.assert_allclose(hop_by_hop, block, atol=1e-5)
    assert np.sqrt(np.mean(block[96 * 40:] ** 2)) > 1e-3  # it sounds


def test_unknown_phase_method_is_refused(default_checkpoint):
    from synth_server.engine.renderer import Renderer

    with pytest.raises(ValueError, match="rtpghi"):
        Renderer(default_checkpoint, phase="magic")


def _altered(checkpoint, **changes):
    """A copy of a real checkpoint with some arrays or fields replaced (weights stay finite, so
    the loader would accept them)."""
    import dataclasses

    arrays = dict(checkpoint.arrays)
    arrays.update(changes.pop("arrays", {}))
    return dataclasses.replace(checkpoint, arrays=arrays, **changes)


def test_a_decoder_that_overflows_is_silenced_and_counted(default_checkpoint):
    from synth_server.control.controller import ControlState
    from synth_server.engine.renderer import Renderer

    bias = default_checkpoint.arrays["decoder.4.bias"].copy()
    bias[100:110] = 1e4  # finite weights whose exp() overflows to inf
    renderer = Renderer(_altered(default_checkpoint, arrays={"decoder.4.bias": bias}))
    out = np.concatenate([renderer.render_hop(ControlState(gain=1.0)) for _ in range(50)])
    assert np.isfinite(out).all() and np.abs(out).max() == 0.0
    assert renderer.nan_frames == 50 and renderer.status().nan_frames == 50


def test_the_limiter_holds_the_ceiling_at_the_largest_gain_a_checkpoint_may_ask(
        default_checkpoint):
    from synth_server.control.controller import ControlState
    from synth_server.engine.renderer import Renderer

    renderer = Renderer(_altered(default_checkpoint, output_gain=1000.0))  # loader's maximum
    states = [ControlState(pad=(i % 7 / 6, i % 5 / 4), gain=1.0) for i in range(400)]
    out = np.concatenate([renderer.render_hop(s) for s in states])
    ceiling = 10 ** (-0.1 / 20)
    assert np.isfinite(out).all() and np.abs(out).max() <= ceiling + 1e-7
    assert renderer.limiter_gain < 0.5  # it is limiting, not just clipping
    late = out[len(out) // 2:, 0]
    assert np.mean(np.abs(late) >= ceiling - 1e-6) < 0.01  # the hard ceiling is rarely hit
