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
   (``a/b/c.flac`` -> ``a/b/c.wav``; when two sources share a stem, e.g. ``c.wav`` and
   ``c.flac``, both keep their suffix: ``c_wav.wav``, ``c_flac.wav``; a name still taken,
   compared without case, e.g. by ``c.WAV``, gets ``_2``, ``_3`` ...: no source overwrites
   another's output).

A file that cannot be read, is empty, silent, not finite or shorter than ``min_duration_s``
after trimming is listed with its reason in ``skipped.txt`` and skipped; it is never fatal.
Other files (README.txt, images ...) are ignored and counted. ``manifest.csv`` lists each
written file (``file, source, source_sample_rate, channels, duration_s, source_duration_s,
trim_start_s``).

Everything is written into a staging folder beside ``out_dir`` and renamed onto it at the end
(:mod:`.staging`): on an error or Ctrl-C, or when no file is usable, ``out_dir`` is left as it
was. An existing non-empty ``out_dir`` is never written into and nothing in it is deleted.
"""

from __future__ import annotations

import csv
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["SUFFIXES", "FolderReport", "NoUsableAudioError", "import_audio_folder", "read_audio"]

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


class NoUsableAudioError(ValueError):
    """No file of the input folder could be used; nothing was published.

    Attributes:
        report: the :class:`FolderReport` (every file in ``skipped``, ``written`` empty).
    """

    def __init__(self, src: Path, report: FolderReport) -> None:
        super().__init__(f"no usable audio file in {src}")
        self.report = report


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
    """Relative output path of each source, distinct even on a case-insensitive file system.

    ``a/c.flac`` -> ``a/c.wav``; sources sharing a stem keep their suffix (``c_wav.wav``,
    ``c_flac.wav``); a name still taken (compared in lower case) gets ``_2``, ``_3`` ...
    """
    stems = Counter((p.parent, p.stem.lower()) for p in sources)
    names: dict[Path, Path] = {}
    taken: set[str] = set()
    for p in sources:
        rel = p.relative_to(root)
        stem = f"{p.stem}_{p.suffix.lstrip('.').lower()}" if stems[(p.parent, p.stem.lower())] > 1 else p.stem
        candidate, n = rel.with_name(f"{stem}.wav"), 1
        while candidate.as_posix().lower() in taken:
            n += 1
            candidate = rel.with_name(f"{stem}_{n}.wav")
        taken.add(candidate.as_posix().lower())
        names[p] = candidate
    return names


def import_audio_folder(src: str | Path, out_dir: str | Path, *, sample_rate: int = 48000,
                        top_db: float = 60.0, min_duration_s: float = 0.05,
                        progress: bool = True,
                        keep_old_as: str | Path | None = None) -> FolderReport:
    """Turn a folder of sound files into a training dataset (see the module docstring).

    Args:
        src: input folder (read recursively; hidden files and folders are skipped).
        out_dir: output folder: absent (created) or empty, unless ``keep_old_as`` is given;
            must not be ``src`` itself (it may lie inside ``src``: it is then not read, nor
            its staging folder, ``keep_old_as`` or earlier kept versions ``NAME.old-*``).
        sample_rate: output sample rate, Hz (8000..192000).
        top_db: silence threshold for trimming, dB under the loudest frame (> 0).
        min_duration_s: files shorter than this after trimming are skipped, seconds (>= 0).
        progress: show a tqdm progress bar.
        keep_old_as: where to move a non-empty ``out_dir``, whole, when the new dataset is
            published (must not exist; see :func:`.staging.backup_path`).

    Returns:
        A :class:`FolderReport`. Writes ``out_dir/**.wav`` (mono, ``sample_rate`` Hz,
        32-bit float), ``manifest.csv`` and ``skipped.txt`` (one ``source<TAB>reason`` line per
        skipped file; empty when none).

    Raises:
        FileNotFoundError: ``src`` is not a directory.
        ValueError: bad arguments, or ``out_dir`` is ``src``.
        NoUsableAudioError: no file could be used (a ``ValueError``; ``out_dir`` untouched).
        OutputExistsError: ``out_dir`` is not empty and ``keep_old_as`` is None (a
            ``FileExistsError``; raised before any file is read).
        OSError: the staging folder cannot be created or renamed.
    """
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
    from synth_server.data.staging import staged_output

    with staged_output(out, keep_old_as=keep_old_as) as stage:
        report = _import_into(stage, root, out, sample_rate=int(sample_rate), top_db=float(top_db),
                              min_duration_s=float(min_duration_s), progress=progress,
                              keep_old_as=keep_old_as)
    return report


def _import_into(stage: Path, root: Path, out: Path, *, sample_rate: int, top_db: float,
                 min_duration_s: float, progress: bool, keep_old_as: str | Path | None) -> FolderReport:
    """Read every source under ``root`` and write the dataset into the empty folder ``stage``.

    ``out`` (the final name), ``keep_old_as`` and kept versions ``out.parent/NAME.old-*``
    are not read as sources (hidden folders, the staging one among them, never are).
    """
    import soundfile as sf
    from tqdm.auto import tqdm

    out_r = out.resolve()
    excluded = {out_r}
    if keep_old_as is not None:
        excluded.add(Path(keep_old_as).resolve())

    sources, ignored = [], 0
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and (here / d).resolve() not in excluded
                             and not ((here / d).resolve().parent == out_r.parent
                                      and d.startswith(f"{out_r.name}.old-")))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in SUFFIXES:
                sources.append(here / name)
            else:
                ignored += 1
    report = FolderReport(out_dir=out, ignored=ignored)
    names = _out_names(sources, root)
    for path in tqdm(sources, desc="audio folder", unit="file", disable=not progress):
        rel_src = path.relative_to(root).as_posix()
        try:
            audio, info = _process(path, sample_rate, top_db, min_duration_s)
            target = stage / names[path]
            target.parent.mkdir(parents=True, exist_ok=True)
            sf.write(str(target), audio, sample_rate, subtype="FLOAT")
        except Exception as exc:  # noqa: BLE001 - one bad file is never fatal
            reason = str(exc) if isinstance(exc, ValueError) else f"unreadable: {exc}"
            report.skipped.append((rel_src, reason.replace("\n", " ").replace("\t", " ")))
            continue
        report.written.append({"file": names[path].as_posix(), "source": rel_src, **info})
    if not report.written:
        raise NoUsableAudioError(root, report)
    with open(stage / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(report.written)
    (stage / "skipped.txt").write_text("".join(f"{s}\t{r}\n" for s, r in report.skipped), encoding="utf-8")
    return report
