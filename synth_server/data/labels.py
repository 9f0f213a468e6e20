"""The one reader of a dataset's label file, for attribute vectors (fit) and the report (evaluate).

A toy set labels its files in ``factors.csv`` (written by :mod:`synth_server.data.toy_pyo`), a
SoundFont set in ``labels.csv`` (:mod:`synth_server.data.soundfont`); a folder of one's own
audio may have a ``labels.csv`` too. The file lies beside the audio or one folder up (a
SoundFont set's ``train/`` and ``heldout/`` share the parent's). It is a CSV with a ``file``
column (the audio file's path relative to the label file's folder); every other value is read
as an int, else a float, else kept as text. Rows are keyed by the resolved path of the audio
file they describe.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Union

__all__ = ["BOOKKEEPING_COLUMNS", "CATEGORY_ID_COLUMNS", "LABEL_FILES", "read_labels"]

#: (file name, kind) of the label files, in the order they are looked for.
LABEL_FILES: tuple[tuple[str, str], ...] = (("factors.csv", "toy"), ("labels.csv", "soundfont"))
#: Columns that describe the file, not the sound: never a factor or an attribute.
BOOKKEEPING_COLUMNS = frozenset({"file", "split", "source", "source_sample_rate", "channels",
                                 "duration_s", "source_duration_s", "trim_start_s", "peak_dbfs"})
#: Numeric ids whose order means nothing (a SoundFont set's ``program``, ``family``); their
#: ``*_name`` columns carry the same categories as text.
CATEGORY_ID_COLUMNS = frozenset({"program", "family"})
MAX_LABEL_BYTES = 64 * 1024 * 1024


def _value(text: str) -> Union[int, float, str]:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _read_rows(path: Path) -> list[dict[str, Any]]:
    size = path.stat().st_size
    if size > MAX_LABEL_BYTES:
        raise ValueError(f"{path}: {size} bytes, larger than the {MAX_LABEL_BYTES} allowed")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None) or []
        if "file" not in header:
            raise ValueError(f"{path}: no 'file' column")
        rows = []
        for values in reader:
            if not values:
                continue
            if len(values) != len(header):
                raise ValueError(f"{path}:{reader.line_num}: expected {len(header)} columns, "
                                 f"got {len(values)}")
            row: dict[str, Any] = {k: _value(v) for k, v in zip(header, values)}
            row["file"] = values[header.index("file")]
            rows.append(row)
    return rows


def read_labels(folder: Union[str, Path]) -> tuple[dict[Path, dict[str, Any]], str]:
    """Labels of the audio files under ``folder``, from the first label file found in
    ``folder`` or its parent (:data:`LABEL_FILES`).

    Args:
        folder: a folder of audio (a dataset, or a SoundFont set's ``train``/``heldout``).
    Returns:
        ({resolved audio path: row}, kind): each row {column: int, float or str} with
        ``"file"`` as written; kind "toy" (``factors.csv``) or "soundfont" (``labels.csv``);
        ``({}, "none")`` when there is no label file.
    Raises:
        ValueError: the label file has no ``file`` column, a row of another length than the
            header, is not UTF-8 or is larger than 64 MB (one line naming the file and line).
        OSError: the label file cannot be read.
    """
    folder = Path(folder)
    for where in (folder, folder.parent):
        for name, kind in LABEL_FILES:
            path = where / name
            if path.is_file():
                rows = _read_rows(path)
                return {(where / row["file"]).resolve(): row for row in rows}, kind
    return {}, "none"
