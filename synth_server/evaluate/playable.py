"""Evaluation of playable (hpn) models: reconstruction of held-out programs, pitch accuracy at
asked pitches, timbre constancy across pitches (issue 13).

Figures (``evaluate_playable``):

* **held-out MR-STFT** (:func:`synth_server.dsp.metrics.mrstft_distance`, the figure of the
  spectral models' ``evaluate``): every held-out note is analysed at its labelled pitch
  (:func:`synth_server.dsp.hpn.analyse`), its frames above -60 dB are encoded (posterior means,
  with their conditioning) and decoded, and rendered by the reference synthesis
  (:func:`synth_server.dsp.hpn.render_frames`) with the analysed per-frame f0 and amplitude A;
  ``hpn_nominal_f0`` renders the same decoded frames at the note's nominal pitch (as a
  keyboard plays it: no detuning, no vibrato); beside it the same rendering of a **PCA
  baseline** (``latent_dim`` principal components of the normalised training features, no
  conditioning) and of the **analysis-resynthesis** itself (the features as analysed: the
  ceiling of the representation).
* **pitch error**: for each held-out timbre (the mean posterior latent of the program's notes)
  and each asked pitch (12 pitches evenly from MIDI 36 to 96, fractional), a 1 s note rendered
  through the live arithmetic (:func:`synth_server.model.hpn_render.render_note`) is tracked by
  pyin (librosa, 1-cent bins, :func:`pitch_cents`) and the median |cents| from the asked
  pitch is taken per note; the report gives the median and the maximum over notes.
* **timbre constancy**: per timbre, the rendered notes are re-analysed at their asked pitch and
  the normalised envelope of the first 8 harmonics (amplitudes, unit L2 norm, mean over the
  sustained frames) is compared across pitches: ``envelope_cosine_distance`` = mean over
  pitch pairs of 1 - cosine similarity (0 = the same envelope at every pitch), and
  ``centroid_std`` = standard deviation over pitches of the harmonic-envelope centroid in
  harmonic numbers (``sum k a_k^2 / sum a_k^2`` over k = 1..8). The same measures on the
  original SoundFont notes of the program (at the pitches the held-out set has) are given
  beside: real instruments change timbre with register, a model need not be more constant.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from synth_server.core.config import StftConfig

log = logging.getLogger(__name__)
ENVELOPE_HARMONICS = 8
ASKED_PITCHES = tuple(float(p) for p in np.linspace(36.0, 96.0, 12))


PITCH_SPLIT_HZ = 500.0  #: pyin runs at 16 kHz below this f0, at the full rate above


def pitch_cents(y: np.ndarray, sample_rate: int, midi_pitch: float) -> float:
    """Median |cents| between pyin's f0 track of ``y`` and ``midi_pitch`` (NaN if unvoiced).

    pyin (librosa, Mauch & Dixon 2014), 1-cent bins, searched within +-4 semitones of the asked
    pitch, frames of the sustained part (after the first 100 ms) that pyin calls voiced. Below
    :data:`PITCH_SPLIT_HZ` the signal is resampled to 16 kHz (frame 1024, 2048 below 150 Hz;
    hop 160: faster); above, at the full sample rate (frame 2048, hop 512), where 16 kHz leaves
    too few samples per period (a pure tone at MIDI 96 reads 8 cents flat at 16 kHz, 2 at
    48 kHz). Pure test tones read 2-4 cents off below MIDI 52 and 1-2 cents above: pyin's own
    floor.
    """
    import librosa

    from synth_server.dsp.hpn import midi_to_hz

    f0_hz = float(midi_to_hz(midi_pitch))
    x = np.asarray(y, dtype=np.float32)
    if f0_hz < PITCH_SPLIT_HZ:
        rate, frame, hop = 16000, 2048 if f0_hz < 150.0 else 1024, 160
        x = librosa.resample(x, orig_sr=sample_rate, target_sr=rate)
    else:
        rate, frame, hop = sample_rate, 2048, 512
    ratio = 2.0 ** (4.0 / 12.0)
    f0, voiced, _ = librosa.pyin(x, fmin=f0_hz / ratio, fmax=min(f0_hz * ratio, rate / 4),
                                 sr=rate, frame_length=frame, hop_length=hop, resolution=0.01,
                                 center=True)
    start = int(0.1 * rate / hop)
    track = np.where(voiced, f0, np.nan)[start:]
    track = track[np.isfinite(track)]
    if not len(track):
        return float("nan")
    return float(np.median(np.abs(1200.0 * np.log2(track / f0_hz))))


def harmonic_envelope(y: np.ndarray, midi_pitch: float, stft: StftConfig,
                      n_harmonics: int = ENVELOPE_HARMONICS) -> np.ndarray:
    """Unit-norm mean envelope of the first ``n_harmonics`` harmonic amplitudes of a note's
    frames within 20 dB of its loudest: [n_harmonics] float64."""
    from synth_server.dsp import hpn

    feats, amp, _, _ = hpn.analyse(y, float(hpn.midi_to_hz(midi_pitch)), stft)
    loud = amp >= amp.max() * 0.1
    env = (np.exp(feats[loud, :n_harmonics].astype(np.float64)) * amp[loud, None]).mean(axis=0)
    return env / max(np.linalg.norm(env), 1e-30)


def constancy(envelopes: Sequence[np.ndarray]) -> dict[str, float]:
    """``envelope_cosine_distance`` (mean over pairs of 1 - cos) and ``centroid_std`` (harmonic
    numbers) of unit-norm harmonic envelopes [n_pitches][n_harmonics]."""
    env = np.asarray(envelopes, dtype=np.float64)
    k = np.arange(1, env.shape[1] + 1)
    centroid = (env ** 2 * k).sum(axis=1) / np.maximum((env ** 2).sum(axis=1), 1e-30)
    cos = env @ env.T
    iu = np.triu_indices(len(env), 1)
    return {"envelope_cosine_distance": float(np.mean(1.0 - cos[iu])) if len(iu[0]) else 0.0,
            "centroid_std": float(np.std(centroid)),
            "centroid_mean": float(np.mean(centroid))}


def _labelled(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    from synth_server.data.soundfont import load_labels

    root = folder if (folder / "labels.csv").is_file() else folder.parent
    rows = []
    for row in load_labels(root):
        path = (root / row["file"]).resolve()
        if path.is_file() and path.is_relative_to(folder.resolve()):
            rows.append((path, row))
    return rows


def evaluate_playable(model_dir: str | Path, heldout_dir: str | Path,
                      train_dir: Optional[str | Path] = None, max_heldout_files: int = 60,
                      n_timbres: int = 5, pitches: Sequence[float] = ASKED_PITCHES,
                      pca_frames: int = 20000, seed: int = 0,
                      timbre_velocity: int = 120) -> dict[str, Any]:
    """The playable-model figures of an hpn checkpoint (see the module docstring).

    Args:
        model_dir: an hpn checkpoint directory.
        heldout_dir: a SoundFont set's ``heldout/`` (labels in its parent's ``labels.csv``).
        train_dir: the training notes (for the PCA baseline); default: ``heldout_dir``'s
            sibling ``train/``.
        max_heldout_files: held-out notes resynthesised (seeded subset).
        n_timbres: held-out programs played at every pitch.
        pitches: asked MIDI pitches.
        pca_frames: training frames the PCA baseline is fitted on (seeded subset).
        seed: subset and noise seed.
        timbre_velocity: the velocity of the notes whose mean latent is a program's timbre,
            and of the rendered notes.
    Returns:
        JSON-able dict: ``mrstft`` {hpn, pca, analysis_resynthesis, hpn_wins,
        per_program}, ``pitch_cents`` {median, max, per_note}, ``constancy`` {model, original,
        per_program}, ``n_heldout_files``, ``measures`` (what each figure is).
    Raises:
        ValueError: a spectral model.
        FileNotFoundError: no labelled held-out note.
    """
    import torch
    from sklearn.decomposition import PCA

    from synth_server.artifacts.checkpoint import load_checkpoint
    from synth_server.data.frames import load_mono
    from synth_server.data.hpn_frames import load_hpn_frames
    from synth_server.dsp import hpn
    from synth_server.dsp.metrics import mrstft_distance
    from synth_server.model.hpn_render import render_note
    from synth_server.model.vae import FrameVAE

    checkpoint = load_checkpoint(model_dir, derived=False)
    if checkpoint.family != "hpn":
        raise ValueError(f"{model_dir}: a {checkpoint.family} model; evaluate_playable needs hpn")
    stft = checkpoint.stft
    model = FrameVAE.from_arrays(checkpoint.vae, checkpoint.arrays)
    decoder = checkpoint.decoder()
    heldout_dir = Path(heldout_dir)
    train_dir = Path(train_dir) if train_dir is not None else heldout_dir.parent / "train"
    rows = _labelled(heldout_dir)
    if not rows:
        raise FileNotFoundError(f"{heldout_dir}: no labelled notes")
    rng = np.random.default_rng(seed)

    train = load_hpn_frames(train_dir, stft, frame_stride=7, fft_sizes=(),
                            max_files=max(1, pca_frames // 40), seed=seed)
    xn_train = (train.features - model.bin_mean.numpy()) / model.scale.numpy()
    pca = PCA(n_components=checkpoint.vae.latent_dim, random_state=seed).fit(
        xn_train[rng.permutation(len(xn_train))[:pca_frames]])

    threshold = 10.0 ** (-60.0 / 20.0)
    pick = rows if len(rows) <= max_heldout_files else \
        [rows[i] for i in np.sort(rng.choice(len(rows), max_heldout_files, replace=False))]
    per_file = []
    latents: dict[int, list[np.ndarray]] = {}
    for path, label in rows:
        if int(label["velocity"]) != timbre_velocity and \
                timbre_velocity in {int(r["velocity"]) for _, r in rows}:
            continue
        y = load_mono(path, stft.sample_rate)
        feats, amp, f0, _ = hpn.analyse(y, float(hpn.midi_to_hz(label["pitch"])), stft)
        keep = amp >= threshold
        if keep.any():
            c = hpn.conditioning(float(label["pitch"]), hpn.loudness_db(amp[keep]))
            with torch.inference_mode():
                mu, _ = model.encode(model.normalise(torch.from_numpy(feats[keep])),
                                     torch.from_numpy(c))
            latents.setdefault(int(label["program"]), []).append(mu.numpy())
    for path, label in pick:
        y = load_mono(path, stft.sample_rate)
        pitch = float(label["pitch"])
        feats, amp, f0, _ = hpn.analyse(y, float(hpn.midi_to_hz(pitch)), stft)
        keep = amp >= threshold
        if not keep.any():
            continue
        c = hpn.conditioning(pitch, hpn.loudness_db(amp[keep]))
        with torch.inference_mode():
            xn = model.normalise(torch.from_numpy(feats[keep]))
            mu, _ = model.encode(xn, torch.from_numpy(c))
        decoded = np.full_like(feats, hpn.LOG_FEATURE_FLOOR)
        decoded[keep] = decoder.features(mu.numpy(), c)
        pca_feats = np.full_like(feats, hpn.LOG_FEATURE_FLOOR)
        pca_feats[keep] = pca.inverse_transform(pca.transform(xn.numpy())) \
            * model.scale.numpy() + model.bin_mean.numpy()
        amp_kept = np.where(keep, amp, 0.0)
        row = {"file": path.name, "program": int(label["program"]), "pitch": pitch,
               "velocity": int(label["velocity"])}
        for name, h in (("hpn", decoded), ("pca", pca_feats), ("analysis_resynthesis", feats)):
            audio = hpn.render_frames(h, f0, amp_kept, stft, n_samples=len(y), seed=seed)
            row[name] = mrstft_distance(y, audio, stft.sample_rate)
        audio = hpn.render_frames(decoded, float(hpn.midi_to_hz(pitch)), amp_kept, stft,
                                  n_samples=len(y), seed=seed)
        row["hpn_nominal_f0"] = mrstft_distance(y, audio, stft.sample_rate)
        per_file.append(row)
    if not per_file:
        raise FileNotFoundError(f"{heldout_dir}: no held-out note above -60 dB")

    programs = sorted(latents)
    step = max(1, len(programs) // max(1, n_timbres))
    timbres = programs[::step][:max(0, n_timbres)]
    per_note, const_model, const_original = [], {}, {}
    for program in timbres:
        z = np.concatenate(latents[program]).mean(axis=0)
        envelopes = []
        for pitch in pitches:
            y = render_note(decoder, stft, z, pitch, timbre_velocity, 1.0, seed=seed)
            cents = pitch_cents(y, stft.sample_rate, pitch)
            per_note.append({"program": program, "pitch": round(pitch, 3),
                             "cents": round(cents, 2)})
            envelopes.append(harmonic_envelope(y, pitch, stft))
        const_model[program] = constancy(envelopes)
        originals = []
        for path, label in sorted(rows, key=lambda r: float(r[1]["pitch"])):
            if int(label["program"]) == program and int(label["velocity"]) == timbre_velocity:
                originals.append(harmonic_envelope(load_mono(path, stft.sample_rate),
                                                   float(label["pitch"]), stft))
        if len(originals) > 1:
            const_original[program] = constancy(originals)
    cents = np.array([n["cents"] for n in per_note], dtype=np.float64)
    by_program: dict[int, dict[str, list[float]]] = {}
    for row in per_file:
        entry = by_program.setdefault(row["program"], {"hpn": [], "pca": [],
                                                       "analysis_resynthesis": [],
                                                       "hpn_nominal_f0": []})
        for name in entry:
            entry[name].append(row[name])

    def mean_of(table: dict[Any, dict[str, float]], key: str) -> Optional[float]:
        return float(np.mean([v[key] for v in table.values()])) if table else None

    return {
        "model": str(model_dir), "heldout": str(heldout_dir), "n_heldout_files": len(per_file),
        "mrstft": {
            name: float(np.mean([r[name] for r in per_file]))
            for name in ("hpn", "pca", "analysis_resynthesis", "hpn_nominal_f0")} | {
            "hpn_wins": int(sum(r["hpn"] < r["pca"] for r in per_file)),
            "per_program": {str(p): {k: round(float(np.mean(v)), 4) for k, v in e.items()}
                            for p, e in sorted(by_program.items())}},
        "pitch_cents": {"median": float(np.nanmedian(cents)) if len(cents) else None,
                        "max": float(np.nanmax(cents)) if len(cents) else None,
                        "n_notes": len(per_note),
                        "n_unvoiced": int(np.isnan(cents).sum()), "per_note": per_note},
        "constancy": {
            "model": {"envelope_cosine_distance": mean_of(const_model,
                                                          "envelope_cosine_distance"),
                      "centroid_std": mean_of(const_model, "centroid_std")},
            "original": {"envelope_cosine_distance": mean_of(const_original,
                                                             "envelope_cosine_distance"),
                         "centroid_std": mean_of(const_original, "centroid_std")},
            "per_program": {str(p): {"model": const_model[p], "original": const_original.get(p)}
                            for p in timbres}},
        "per_file": per_file,
        "measures": {
            "mrstft": "mean over held-out notes of dsp.metrics.mrstft_distance (512-4096); "
                      "rendered with the analysed per-frame f0 and amplitude "
                      "(hpn_nominal_f0: at the labelled pitch)",
            "pitch_cents": "per note: median |cents| of pyin (16 kHz below 500 Hz, 48 kHz "
                           "above; 1-cent bins) vs the asked pitch; median and max over notes",
            "envelope_cosine_distance": "mean over pitch pairs of 1 - cos of the unit-norm "
                                        f"envelope of harmonics 1..{ENVELOPE_HARMONICS}",
            "centroid_std": "std over pitches of the harmonic-envelope centroid (harmonic "
                            f"numbers, power-weighted, k = 1..{ENVELOPE_HARMONICS})"},
    }


def write_playable_report(results: dict[str, Any], out_dir: str | Path,
                          spectral_reference: Optional[float] = None) -> Path:
    """Write ``playable.json`` (everything) and ``report.md`` (the table) into ``out_dir``.

    Args:
        results: :func:`evaluate_playable`'s dict.
        out_dir: folder (created).
        spectral_reference: an STFT VAE's held-out MR-STFT on the same notes, shown beside.
    Returns:
        The report.md path.
    """
    from synth_server.core.files import json_bytes, write_atomic

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "playable.json", json_bytes(results, indent=1))
    mr, pitch, const = results["mrstft"], results["pitch_cents"], results["constancy"]

    def fmt(value: Any, digits: int = 3) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    lines = [
        f"# Playable-model evaluation: {results['model']}", "",
        f"Held-out notes: {results['n_heldout_files']} from `{results['heldout']}`.", "",
        "| figure | hpn model | hpn at the nominal pitch | PCA baseline | "
        "analysis-resynthesis |" + (" STFT VAE |" if spectral_reference is not None else ""),
        "|---|---|---|---|---|" + ("---|" if spectral_reference is not None else ""),
        f"| held-out MR-STFT | {fmt(mr['hpn'])} | {fmt(mr.get('hpn_nominal_f0'))} | "
        f"{fmt(mr['pca'])} | {fmt(mr['analysis_resynthesis'])} |"
        + (f" {fmt(spectral_reference)} |" if spectral_reference is not None else ""),
        "", "| program | hpn | PCA | analysis-resynthesis |", "|---|---|---|---|"]
    for program, entry in mr["per_program"].items():
        lines.append(f"| {program} | {fmt(entry['hpn'])} | {fmt(entry['pca'])} | "
                     f"{fmt(entry['analysis_resynthesis'])} |")
    lines += [
        "", f"Pitch error over {pitch['n_notes']} notes (held-out timbres x asked pitches): "
        f"median {fmt(pitch['median'], 1)} cents, max {fmt(pitch['max'], 1)} cents "
        f"({pitch['n_unvoiced']} unvoiced).", "",
        "| timbre constancy across pitches | model | original notes |", "|---|---|---|",
        f"| envelope cosine distance | {fmt(const['model']['envelope_cosine_distance'], 4)} | "
        f"{fmt(const['original']['envelope_cosine_distance'], 4)} |",
        f"| harmonic centroid std (harmonics) | {fmt(const['model']['centroid_std'])} | "
        f"{fmt(const['original']['centroid_std'])} |", "",
        "Measures:", ""] + [f"- **{k}**: {v}" for k, v in results["measures"].items()]
    path = out / "report.md"
    write_atomic(path, ("\n".join(lines) + "\n").encode())
    return path
