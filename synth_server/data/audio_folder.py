"""Your own audio as a dataset: a folder of sound files -> 48 kHz mono WAVs, silence trimmed.

``synth-server dataset folder PATH --out DIR`` reads every file under ``PATH`` (recursively)
whose suffix is one of :data:`SUFFIXES` (wav, flac, ogg/oga/opus, mp3, aiff, ...: whatever
libsndfile reads here; libsndfile >= 1.1 reads mp3), at any sample rate and channel count.
Each file is

1. read with soundfile (libsndfile); if that fails and ``librosa``/``audioread`` can decode
   it (an ffmpeg or GStreamer backend is needed), with ``librosa.load``;
2. mixed down to mono (mean of the channels);
3. resampled to ``sample_rate`` (48 kHz) with soxr (``soxr.resample``, "HQ" quality);
4. trimmed of leading and trailing silence: ``librosa.effects.trim`` with ``top_db``
   (frames of 512 samples, hop 128, about 10 ms at 48 kHz, whose RMS is more than
   ``top_db`` dB under the file's loudest frame are silence);
5. written as a mono 32-bit float WAV into ``out_dir``, keeping the source's relative folder
   (``a/b/c.flac`` -> ``a/b/c.wav``; when two sources share a name, e.g. ``c.wav`` and
   ``c.flac``, both keep their suffix: ``c_wav.wav``, ``c_flac.wav``).

A file that cannot be read, is empty, silent, not finite or shorter than ``min_duration_s``
after trimming is listed with its reason in ``skipped.txt`` and skipped; it is never fatal.
Other files (README.txt, images ...) are ignored and counted. ``manifest.csv`` lists each
written file (``file, source, source_sample_rate, channels, duration_s, source_duration_s,
trim_start_s``); WAVs listed in a previous ``manifest.csv`` of ``out_dir`` and not written
again are deleted, so the folder matches the manifest (other files are never touched).
"""

from __future__ import annotations

import csv
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["SUFFIXES", "FolderReport", "import_audio_folder", "read_audio"]

#: File suffixes tried as audio (lower case).
SUFFIXES: tuple[str, ...] = (".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif",
                             ".aiff", ".aifc", ".caf", ".w64", ".rf64", ".au", ".snd")
MANIFEST_COLUMNS = ("file", "source", "source_sample_rate", "channels", "duration_s",
                    "source_duration_s", "trim_start_s")


@dataclass
class FolderReport:
    """What :func:`import_audio_folder` did.

    Attributes:
        out_dir: the output folder.
        written: manifest rows (dicts with the keys of ``MANIFEST_COLUMNS``).
        skipped: ``(source path relative to the input folder, reason)`` for each audio-suffixed
            file that was not written.
        ignored: number of files without an audio suffix (not listed).
    """

    out_dir: Path
    written: list[dict] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    ignored: int = 0

    def summary(self) -> str:
        """One line: files and seconds written, files skipped (with a count per reason)."""
        seconds = sum(row["duration_s"] for row in self.written)
        text = f"wrote {len(self.written)} files ({seconds:.1f} s at 48 kHz mono) to {self.out_dir}"
        if self.skipped:
            reasons = Counter(reason.split(":")[0] for _, reason in self.skipped)
            text += f"; skipped {len(self.skipped)} (" + ", ".join(
                f"{n} {r}" for r, n in reasons.most_common()) + f", see {self.out_dir / 'skipped.txt'})"
        else:
            text += "; skipped 0"
        if self.ignored:
            text += f"; ignored {self.ignored} non-audio files"
        return text


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a sound file as float32 ``[n_samples, n_channels]`` at its own sample rate.

    soundfile (libsndfile) first; if it fails, ``librosa.load(sr=None, mono=False)`` (audioread
    with ffmpeg/GStreamer, when installed).

    Returns:
        ``(audio [n_samples, n_channels] float32, sample_rate Hz)``.

    Raises:
        RuntimeError: neither reader could decode the file (the message gives both reasons).
    """
    import soundfile as sf

    try:
        audio, sr = sf.read(str(path), dtype="float32", always_2d=True)
        return audio, int(sr)
    except Exception as exc:  # noqa: BLE001 - libsndfile raises several types
        first = f"soundfile: {exc}".replace("\n", " ")
    try:
        import warnings

        import librosa

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y, sr = librosa.load(str(path), sr=None, mono=False)
        y = np.asarray(y, dtype=np.float32)
        return (y[:, None] if y.ndim == 1 else y.T), int(sr)
    except Exception as exc:  # noqa: BLE001 - audioread raises its own hierarchy
        second = f"audioread: {type(exc).__name__} {exc}".replace("\n", " ").strip()
    raise RuntimeError(f"{first}; {second}")


def _process(path: Path, sample_rate: int, top_db: float, min_duration_s: float
             ) -> tuple[np.ndarray, dict]:
    """Read, mix down, resample, trim. Raises ValueError/RuntimeError with a reason."""
    import librosa
    import soxr

    audio, sr = read_audio(path)
    info = {"source_sample_rate": sr, "channels": int(audio.shape[1]),
            "source_duration_s": round(audio.shape[0] / sr, 4) if sr else 0.0}
    if audio.shape[0] == 0 or audio.shape[1] == 0:
        raise ValueError("empty: no samples")
    if not np.all(np.isfinite(audio)):
        raise ValueError("not finite: NaN or infinite samples")
    y = audio.mean(axis=1, dtype=np.float64)
    if sr != sample_rate:
        y = soxr.resample(y, sr, sample_rate, quality="HQ")
    if not np.any(y):
        raise ValueError("silent: every sample is 0")
    trimmed, (start, stop) = librosa.effects.trim(y, top_db=top_db, frame_length=512, hop_length=128)
    if len(trimmed) < min_duration_s * sample_rate:
        raise ValueError(f"too short: {len(trimmed) / sample_rate:.3f} s after trimming "
                         f"(< {min_duration_s:g} s)")
    info["duration_s"] = round(len(trimmed) / sample_rate, 4)
    info["trim_start_s"] = round(start / sample_rate, 4)
    return trimmed.astype(np.float32), info


def _out_names(sources: list[Path], root: Path) -> dict[Path, Path]:
    """Relative output path of each source (.wav; suffix kept in the name on clashes)."""
    stems = Counter((p.parent, p.stem.lower()) for p in sources)
    names = {}
    for p in sources:
        rel = p.relative_to(root)
        if stems[(p.parent, p.stem.lower())] > 1:
            rel = rel.with_name(f"{p.stem}_{p.suffix.lstrip('.').lower()}.wav")
        else:
            rel = rel.with_suffix(".wav")
        names[p] = rel
    return names


def import_audio_folder(src: str | Path, out_dir: str | Path, *, sample_rate: int = 48000,
                        top_db: float = 60.0, min_duration_s: float = 0.05,
                        progress: bool = True) -> FolderReport:
    """Turn a folder of sound files into a training dataset (see the module docstring).

    Args:
        src: input folder (read recursively; hidden files and folders are skipped).
        out_dir: output folder, created if needed; must not be ``src`` itself (it may lie
            inside ``src``: it is then not read).
        sample_rate: output sample rate, Hz (8000..192000).
        top_db: silence threshold for trimming, dB under the loudest frame (> 0).
        min_duration_s: files shorter than this after trimming are skipped, seconds (>= 0).
        progress: show a tqdm progress bar.

    Returns:
        A :class:`FolderReport`. Writes ``out_dir/**.wav`` (mono, ``sample_rate`` Hz,
        32-bit float), ``manifest.csv`` and ``skipped.txt`` (one ``source<TAB>reason`` line per
        skipped file; empty when none).

    Raises:
        FileNotFoundError: ``src`` is not a directory.
        ValueError: bad arguments, or ``out_dir`` is ``src``.
    """
    import soundfile as sf
    from tqdm.auto import tqdm

    root, out = Path(src), Path(out_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a directory")
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or not 8000 <= sample_rate <= 192000:
        raise ValueError(f"sample_rate must be an int in [8000, 192000], got {sample_rate!r}")
    if not (math.isfinite(top_db) and top_db > 0):
        raise ValueError(f"top_db must be > 0, got {top_db!r}")
    if not (math.isfinite(min_duration_s) and min_duration_s >= 0):
        raise ValueError(f"min_duration_s must be >= 0, got {min_duration_s!r}")
    root_r, out_r = root.resolve(), out.resolve()
    if root_r == out_r:
        raise ValueError("--out must not be the input folder")

    sources, ignored = [], 0
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and (here / d).resolve() != out_r)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in SUFFIXES:
                sources.append(here / name)
            else:
                ignored += 1
    report = FolderReport(out_dir=out, ignored=ignored)
    previous = _previous_manifest(out)
    out.mkdir(parents=True, exist_ok=True)
    names = _out_names(sources, root)
    for path in tqdm(sources, desc="audio folder", unit="file", disable=not progress):
        rel_src = path.relative_to(root).as_posix()
        try:
            audio, info = _process(path, int(sample_rate), float(top_db), float(min_duration_s))
            target = out / names[path]
            target.parent.mkdir(parents=True, exist_ok=True)
            sf.write(str(target), audio, int(sample_rate), subtype="FLOAT")
        except Exception as exc:  # noqa: BLE001 - one bad file is never fatal
            reason = str(exc) if isinstance(exc, ValueError) else f"unreadable: {exc}"
            report.skipped.append((rel_src, reason.replace("\n", " ").replace("\t", " ")))
            continue
        report.written.append({"file": names[path].as_posix(), "source": rel_src, **info})
    kept = {row["file"] for row in report.written}
    for rel in previous - kept:
        stale = out / rel
        if stale.suffix == ".wav" and stale.is_file() and out_r in stale.resolve().parents:
            stale.unlink()
    with open(out / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(report.written)
    (out / "skipped.txt").write_text("".join(f"{s}\t{r}\n" for s, r in report.skipped), encoding="utf-8")
    return report


def _previous_manifest(out: Path) -> set[str]:
    try:
        with open(out / "manifest.csv", newline="", encoding="utf-8") as fh:
            return {row["file"] for row in csv.DictReader(fh) if row.get("file")}
    except (OSError, KeyError, csv.Error, UnicodeDecodeError):
        return set()
