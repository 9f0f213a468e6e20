"""The one reader of a dataset's label file, for attribute vectors (fit) and the report (evaluate).

A toy set labels its files in ``factors.csv`` (:func:`synth_server.data.toy_pyo.load_factors`:
every factor a float), a SoundFont set in ``labels.csv``
(:func:`synth_server.data.soundfont.load_labels`: typed program, family, pitch, velocity ...).
The file lies beside the audio or one folder up (a SoundFont set's ``train/`` and ``heldout/``
share the parent's). Rows are keyed by the resolved path of the audio file they describe.
"""
from __future__ import annotations

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


def read_labels(folder: Union[str, Path]) -> tuple[dict[Path, dict[str, Any]], str]:
    """Labels of the audio files under ``folder``, from the first label file found in
    ``folder`` or its parent (:data:`LABEL_FILES`).

    Args:
        folder: a folder of audio (a dataset, or a SoundFont set's ``train``/``heldout``).
    Returns:
        ({resolved audio path: row}, kind): rows as the dataset's own loader types them, kind
        "toy" or "soundfont"; ``({}, "none")`` when there is no label file.
    Raises:
        ValueError: the label file is malformed (a missing column, a value that does not
            parse), with the file and line in one line.
        OSError: the label file cannot be read.
    """
    from synth_server.data.soundfont import load_labels
    from synth_server.data.toy_pyo import load_factors

    loaders = {"toy": load_factors, "soundfont": load_labels}
    folder = Path(folder)
    for where in (folder, folder.parent):
        for name, kind in LABEL_FILES:
            if (where / name).is_file():
                rows = loaders[kind](where)
                return {(where / row["file"]).resolve(): row for row in rows}, kind
    return {}, "none"
