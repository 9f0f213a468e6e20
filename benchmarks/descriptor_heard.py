"""Descriptor steering as heard: asked value vs the value measured on the rendered audio.

    .venv/bin/python benchmarks/descriptor_heard.py [--models default,instruments-stft,toy-4d]
        [--names centroid_hz,...] [--asks 10] [--starts 3] [--models-dir DIR]
        [--other-pitches 48,72]

Prints JSON lines, one per model and descriptor, then one summary line. For every shipped model
and descriptor, ``--asks`` values spread evenly (log scale for Hz and flatness, linear for dB and
harmonicity) over the 5th..95th percentile of the model's achievable range (descriptors.json),
plus 1000, 2500 and 5000 Hz for centroid_hz where the model reaches them (issue 13), are asked
from ``--starts`` starting sounds (the latents of pad positions) through the real path: a score
(``/gain 1``, ``/latent z0``, then ``/descriptor/NAME value`` at 0.1 s) rendered offline by
:func:`synth_server.app.render.render_events` (the Controller's steering, the engine's
Renderer: smoothing, peak-locked phase, overlap-add, output stage). The heard value is measured on the last 0.4 s of the 0.8 s render:
``librosa.stft(center=False)`` (n_fft 2048, hop 256, magnitudes normalised so a full-scale sine
peaks at 1), :func:`synth_server.dsp.describe.describe` per frame, median over frames (f0 over
voiced frames); for centroid_hz also ``librosa.feature.spectral_centroid(y=)`` directly (median),
which needs nothing of this project. Errors: relative |heard - asked| / asked for Hz descriptors
and flatness, absolute for loudness_db (dB) and harmonicity. Target (issue 13): centroid median
<= 10 %, p90 <= 20 %.

Only functions that exist since issue 6 are used, so the same script measures an older tree
(``PYTHONPATH=OLD_TREE ... --models-dir OLD_TREE/models``) for a before/after comparison.

**hpn models** (``--models instruments``): the surrogate describes the reference note (MIDI 60
held at amplitude 0.1, :mod:`synth_server.model.synthesis`), so the score plays that note through
the live kernel (``render_events`` runs the engine's voices): ``/envelope 0 0 1 0.3`` (sustain 1),
``/note/on 60 40.16`` (velocity 127 sqrt(0.1): amplitude 0.1) at 0 s, the steering at 0.1 s;
only the model's descriptors are asked (no f0_hz, loudness_db). ``--other-pitches 48,72`` also
plays each steered timbre at those notes (same score, another pitch) and reports the heard
centroid there, its ratio to the centroid heard at MIDI 60 and the Spearman correlation of the
asks with the heard centroids at each pitch.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(ROOT))  # else the tree on PYTHONPATH (e.g. an older one) is measured

from synth_server.app.render import render_events  # noqa: E402
from synth_server.artifacts.checkpoint import load_checkpoint  # noqa: E402
from synth_server.dsp.describe import describe  # noqa: E402
from synth_server.nav.surrogate import TRANSFORMS, playable_surrogate  # noqa: E402

ISSUE_HZ = (1000.0, 2500.0, 5000.0)
STARTS = ((0.5, 0.5), (0.2, 0.2), (0.8, 0.8), (0.2, 0.8), (0.8, 0.2))
NAMES = ("centroid_hz", "rolloff_hz", "bandwidth_hz", "flatness", "loudness_db", "harmonicity",
         "f0_hz")


def heard(audio: np.ndarray, sample_rate: int, n_fft: int, hop_length: int) -> dict[str, float]:
    """Median descriptors of a steady mono signal (see the module doc)."""
    import librosa

    spec = np.abs(librosa.stft(audio, n_fft=n_fft, hop_length=hop_length, window="hann",
                               center=False)).T / (n_fft / 4.0)
    values = describe(spec, sample_rate, n_fft)
    out = {n: float(np.median(values[n])) for n in NAMES}
    if values["voiced"].any():
        out["f0_hz"] = float(np.median(values["f0_hz"][values["voiced"]]))
    out["voiced"] = float(np.mean(values["voiced"]))
    out["centroid_librosa_hz"] = float(np.median(librosa.feature.spectral_centroid(
        y=audio, sr=sample_rate, n_fft=n_fft, hop_length=hop_length)))
    return out


def asked_values(ranges: tuple[float, float], name: str, count: int) -> list[float]:
    lo, hi = ranges
    if TRANSFORMS[name] == "identity":
        values = list(np.linspace(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), count))
    else:
        a, b = np.log(lo), np.log(hi)
        values = list(np.exp(np.linspace(a + 0.05 * (b - a), b - 0.05 * (b - a), count)))
    if name == "centroid_hz":
        values += [v for v in ISSUE_HZ if lo <= v <= hi]
    return [float(v) for v in values]


def error(name: str, got: float, asked: float) -> float:
    if TRANSFORMS[name] == "identity":
        return abs(got - asked)
    return abs(got - asked) / abs(asked)


def stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p90": None, "max": None}
    v = np.asarray(values)
    return {"median": round(float(np.median(v)), 4), "p90": round(float(np.percentile(v, 90)), 4),
            "max": round(float(v.max()), 4)}


REFERENCE_MIDI_PITCH = 60.0  # the note an hpn model is described at (model.synthesis)
REFERENCE_VELOCITY = 127.0 * 0.1 ** 0.5  # amplitude (velocity / 127)^2 = 0.1: -20 dB


def note_events(checkpoint, midi_pitch: float) -> list:
    """The notes of an hpn model's score (none for a spectral model): the reference note's
    amplitude held (sustain 1) at ``midi_pitch``."""
    if checkpoint.stft.representation != "hpn":
        return []
    return [(0.0, "/envelope", (0.0, 0.0, 1.0, 0.3)),
            (0.0, "/note/on", (float(midi_pitch), REFERENCE_VELOCITY))]


def run_model(model: Path, names: tuple[str, ...], asks: int, starts: int,
              other_pitches: tuple[float, ...] = ()) -> list[dict]:
    checkpoint = load_checkpoint(model)
    surrogate = playable_surrogate(checkpoint)
    stft = checkpoint.stft
    sr, n_fft, hop = int(stft.sample_rate), int(stft.n_fft), int(stft.hop_length)
    tail = int(0.4 * sr)
    hpn = stft.representation == "hpn"
    lines = []
    for name in names:
        if name not in surrogate.names:  # an hpn model has no f0_hz, loudness_db
            continue
        rows, errors, errors_librosa = [], [], []
        started = time.perf_counter()
        for value in asked_values(surrogate.ranges[name], name, asks):
            for x, y in STARTS[:starts]:
                # the start: the latent of pad (x, y) on the model's default map, sent as
                # /latent (a score's steering starts from the state's latent, else from the
                # engine's target before rendering, whatever /pad said)
                z0 = checkpoint.manifold.to_latent(np.array([x, y]))
                events = [(0.0, "/gain", (1.0,)),
                          (0.0, "/latent", tuple(float(v) for v in z0)),
                          *note_events(checkpoint, REFERENCE_MIDI_PITCH),
                          (0.1, f"/descriptor/{name}", (value,))]
                audio, problems = render_events(checkpoint, events, duration_s=0.8, channels=1)
                if problems:
                    raise RuntimeError(problems[0])
                got = heard(audio[-tail:, 0], sr, n_fft, hop)
                others = {}
                if hpn and name == "centroid_hz":
                    for pitch in other_pitches:
                        moved = [e if e[1] != "/note/on" else (e[0], e[1], (pitch, e[2][1]))
                                 for e in events]
                        played, problems = render_events(checkpoint, moved, duration_s=0.8,
                                                         channels=1)
                        if problems:
                            raise RuntimeError(problems[0])
                        others[pitch] = heard(played[-tail:, 0], sr, n_fft, hop)[name]
                e = error(name, got[name], value)
                errors.append(e)
                row = {"asked": round(value, 4), "start_pad": [x, y], "heard": round(got[name], 4),
                       "error": round(e, 4)}
                if name == "centroid_hz":
                    e2 = error(name, got["centroid_librosa_hz"], value)
                    errors_librosa.append(e2)
                    row["heard_librosa"] = round(got["centroid_librosa_hz"], 1)
                if name == "f0_hz":
                    row["voiced_share"] = round(got["voiced"], 2)
                if others:
                    row["heard_at"] = {str(int(p)): round(v, 1) for p, v in others.items()}
                rows.append(row)
        line = {"model": model.name, "descriptor": name, "unit": surrogate.units[name],
                "error_kind": "absolute" if TRANSFORMS[name] == "identity" else "relative",
                "range": [round(v, 4) for v in surrogate.ranges[name]],
                "described_on": (surrogate.meta.get("described_on") or {}).get(
                    "what", "decoded_frame"),
                "n": len(errors), "error": stats(errors),
                "seconds": round(time.perf_counter() - started, 1)}
        if hpn:
            line["reference_note"] = {"midi_pitch": REFERENCE_MIDI_PITCH,
                                      "velocity": round(REFERENCE_VELOCITY, 2), "sustain": 1.0}
        if name == "centroid_hz" and hpn and other_pitches:
            line["other_pitches"] = other_pitch_stats(rows, other_pitches)
        if name == "centroid_hz":
            line["error_librosa_centroid"] = stats(errors_librosa)
            issue = [r for r in rows
                     if r["asked"] in ISSUE_HZ and r["start_pad"] == list(STARTS[0])]
            line["issue_asks"] = {str(int(r["asked"])): r["heard"] for r in issue}
            line["target"] = {"median": 0.10, "p90": 0.20}
        line["rows"] = rows
        lines.append(line)
        print(json.dumps(line), flush=True)
    return lines


def other_pitch_stats(rows: list[dict], pitches: tuple[float, ...]) -> dict:
    """How the centroid heard at other notes follows the steering at MIDI 60: per pitch the
    median and 10..90th percentile of heard(pitch) / heard(60), and the Spearman rank
    correlation of the asks with heard(pitch) (1 = every higher ask is brighter there too)."""
    from scipy.stats import spearmanr

    asked = np.array([r["asked"] for r in rows])
    at60 = np.array([r["heard"] for r in rows])
    out = {}
    for pitch in pitches:
        there = np.array([r["heard_at"][str(int(pitch))] for r in rows])
        ratio = there / at60
        out[str(int(pitch))] = {
            "ratio_to_60_median": round(float(np.median(ratio)), 3),
            "ratio_to_60_p10_p90": [round(float(v), 3) for v in np.percentile(ratio, [10, 90])],
            "spearman_ask_vs_heard": round(float(spearmanr(asked, there)[0]), 3),
            "heard_range_hz": [round(float(there.min()), 1), round(float(there.max()), 1)]}
    out["60"] = {"spearman_ask_vs_heard": round(float(spearmanr(asked, at60)[0]), 3)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="default,instruments-stft,toy-4d")
    parser.add_argument("--models-dir", default=str(ROOT / "models"))
    parser.add_argument("--names", default=",".join(NAMES))
    parser.add_argument("--asks", type=int, default=10)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--other-pitches", default="",
                        help="hpn models: also play each centroid steer at these MIDI notes")
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    names = tuple(n for n in args.names.split(",") if n)
    summary = {}
    for model in args.models.split(","):
        pitches = tuple(float(v) for v in args.other_pitches.split(",") if v)
        for line in run_model(Path(args.models_dir) / model, names, args.asks, args.starts,
                              pitches):
            summary[f"{line['model']}/{line['descriptor']}"] = line["error"]
    print(json.dumps({"summary": summary}))


if __name__ == "__main__":
    main()
