"""Attribute vectors (MusicVAE): computed from labels, stored in the checkpoint, played with
/attribute/NAME amount on the shipped model's real weights."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import librosa
import numpy as np
import pytest

from conftest import DEFAULT_MODEL
from synth_server.control.addresses import OscArgumentError, lookup
from synth_server.control.controller import Controller, EngineStatus, UnknownAddressError
from synth_server.app.render import render_events
from synth_server.artifacts.navigation import load_attributes, save_attributes
from synth_server.fit.attributes import attribute_vectors
from synth_server.artifacts.checkpoint import CheckpointError, load_checkpoint


def test_vectors_are_mean_with_minus_mean_without():
    rng = np.random.default_rng(0)
    files = [f"f{i}.wav" for i in range(6)]
    labels = {Path(f).resolve(): {"file": f, "brightness": i,
                                  "timbre": "brass" if i < 2 else "string"}
              for i, f in enumerate(files)}
    owners = np.repeat(np.arange(6), 10)
    latents = rng.standard_normal((60, 3)) * 0.01
    latents[:, 0] += owners  # dimension 0 grows with "brightness"
    latents[owners < 2, 2] += 5.0  # dimension 2 marks the brass family
    out = attribute_vectors(latents, owners, files, labels)
    assert set(out) == {"brightness", "timbre_brass", "timbre_string"}
    bright = np.array(out["brightness"]["vector"])
    assert bright[0] == pytest.approx(3.0, abs=0.05) and abs(bright[1]) < 0.05
    brass = np.array(out["timbre_brass"]["vector"])
    assert brass[2] == pytest.approx(5.0, abs=0.05)
    assert out["timbre_brass"]["n_with"] == 20
    assert attribute_vectors(latents, owners, files, {}) == {}


def test_one_label_reader_for_attributes_and_the_report(tmp_path):
    """A SoundFont set's labels.csv sits one folder above train/: read_labels finds it, types
    the rows, keys them by resolved path; attributes skip bookkeeping (peak_dbfs, duration_s)
    and numeric category ids (program, family) but use their names as text."""
    from synth_server.data.labels import read_labels
    from synth_server.data.soundfont import LABEL_COLUMNS, load_labels
    from synth_server.evaluate.report import factor_names, file_labels

    (tmp_path / "train").mkdir()
    lines = [",".join(LABEL_COLUMNS)]
    for i in range(6):
        brass = i < 2
        lines.append(f"train/sf_{i}.wav,{56 if brass else 40},{'Trumpet' if brass else 'Violin'},"
                     f"{7 if brass else 5},{'brass' if brass else 'strings'},{60 + i},"
                     f"{261.6 * 2 ** (i / 12):.2f},100,train,1.5,{-6 - i}")
    (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n")
    labels, kind = read_labels(tmp_path / "train")
    assert kind == "soundfont" and file_labels(tmp_path / "train") == (labels, kind)
    row = labels[(tmp_path / "train" / "sf_0.wav").resolve()]
    assert row["pitch"] == 60 and row["family_name"] == "brass" and row["peak_dbfs"] == -6.0
    files = [tmp_path / "train" / f"sf_{i}.wav" for i in range(6)]
    owners = np.repeat(np.arange(6), 4)
    latents = np.random.default_rng(0).standard_normal((24, 3))
    out = attribute_vectors(latents, owners, files, labels)
    assert set(out) == {"family_name_brass", "family_name_strings", "program_name_trumpet",
                        "program_name_violin", "pitch", "f0_hz"}
    assert factor_names(list(labels.values()), kind) == ["program", "family", "pitch"]
    rows = {tuple(r.values()) for r in labels.values()}
    # typed as the SoundFont set's own loader types them
    assert rows == {tuple(r.values()) for r in load_labels(tmp_path)}
    # a folder of one's own audio may have a labels.csv with its own columns
    (tmp_path / "labels.csv").write_text("file,brightness,mood\ntrain/sf_0.wav,0.5,calm\n")
    assert read_labels(tmp_path / "train")[0] == {
        (tmp_path / "train" / "sf_0.wav").resolve(): {"file": "train/sf_0.wav", "brightness": 0.5,
                                                      "mood": "calm"}}
    for bad, why in (("name,program\nx.wav,1\n", "no 'file' column"),
                     ("file,program\nx.wav,1,2\n", "labels.csv:2: expected 2 columns, got 3")):
        (tmp_path / "labels.csv").write_text(bad)  # malformed: one line, no traceback
        with pytest.raises(ValueError, match=why):
            read_labels(tmp_path / "train")
        assert file_labels(tmp_path / "train") == ({}, "none")
    assert read_labels(tmp_path / "train" / "nowhere") == ({}, "none")


def test_shipped_model_has_vectors_from_its_toy_factors(default_checkpoint):
    assert {"f0_hz", "spectral_slope", "noise_ratio"} <= set(default_checkpoint.attributes)
    for vector in default_checkpoint.attributes.values():
        assert vector.shape == (default_checkpoint.vae.latent_dim,)
        assert 0.1 < np.linalg.norm(vector) < 10


def _flatness(y: np.ndarray) -> float:
    return float(np.median(librosa.feature.spectral_flatness(y=y, n_fft=2048)))


def test_attribute_amounts_move_the_sound_and_stay_while_the_pad_moves(default_checkpoint):
    sr = 48000
    events = [(0.0, "/gain", (0.8,)), (0.0, "/pad", (0.5, 0.5)),
              (0.8, "/attribute/noise_ratio", (2.0,)),
              (1.6, "/pad", (0.5, 0.5)),  # a pad move keeps the attribute
              (2.4, "/attribute/noise_ratio", (0.0,)),
              (3.2, "/attribute/noise_ratio", (-2.0,))]
    audio, errors = render_events(default_checkpoint, events, duration_s=4.0)
    assert errors == [] and np.isfinite(audio).all()
    seg = [audio[int((t + 0.3) * sr):int((t + 0.8) * sr), 0] for t in (0.0, 0.8, 1.6, 2.4, 3.2)]
    flat = [_flatness(s) for s in seg]
    assert flat[1] > 1.5 * flat[0], flat  # more noise
    assert flat[2] > 1.5 * flat[0], flat  # still there after /pad
    assert flat[3] == pytest.approx(flat[0], rel=0.2), flat  # amount 0 removes it
    assert flat[4] < flat[0] / 1.5, flat  # a negative amount: less noise


def test_attribute_addresses_are_validated():
    status = EngineStatus("m", 3, (0.0,) * 3, (0.0,) * 3)
    vectors = {"bright": np.array([1.0, 0.0, 0.0])}
    controller = Controller(lambda: status, attributes=lambda: vectors)
    controller.dispatch("/attribute/bright", [1])
    assert controller.state.offset == (1.0, 0.0, 0.0)
    with pytest.raises(OscArgumentError, match="no attribute"):
        controller.dispatch("/attribute/dark", [1.0])
    for path in ("/attribute/", "/attribute/a-b", "/attribute/x/y", "/attribute/" + "a" * 49):
        assert lookup(path) is None
        with pytest.raises(UnknownAddressError):
            controller.dispatch(path, [1.0])
    with pytest.raises(OscArgumentError):
        controller.dispatch("/attribute/*", [1.0])
    assert controller.dispatch("/attribute/list", []) == [("/attribute/list", ("bright",))]
    controller.model_changed()
    assert controller.state.offset is None and controller.attribute_amounts == {}


def test_bad_attribute_files_are_refused_in_one_line(tmp_path):
    model = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL, model)
    sha = load_checkpoint(model).weights_sha256
    save_attributes(model, {"ok": {"vector": [0.1] * 8}}, sha)
    assert set(load_attributes(model, 8, sha)) == {"ok"}
    for bad in ({"ok": {"vector": [0.1] * 7}}, {"bad name!": {"vector": [0.1] * 8}},
                {"ok": {"vector": [float("nan")] * 8}}, {"ok": {"vector": [1e9] * 8}}):
        (model / "attributes.json").write_text(json.dumps({"attributes": bad,
                                                           "weights_sha256": sha}))
        with pytest.raises(CheckpointError) as info:
            load_checkpoint(model)
        assert "\n" not in str(info.value) and "attributes.json" in str(info.value)
    (model / "attributes.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="attributes.json"):
        load_checkpoint(model)
