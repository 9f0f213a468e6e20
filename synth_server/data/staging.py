"""Write a dataset beside its target folder and publish it in one rename.

Every dataset writer (:mod:`.toy_pyo`, :mod:`.soundfont`, :mod:`.audio_folder`) renders into a
fresh hidden staging folder next to ``out_dir`` (``out_dir.parent/.NAME.staging-XXXXXXXX``, on
the same file system) and renames it onto ``out_dir`` only when everything succeeded. If the
writer raises (an error, Ctrl-C), the staging folder is removed and ``out_dir`` is untouched.

A user's data is never deleted or overwritten: an ``out_dir`` that exists and is not empty is
refused (:class:`OutputExistsError`) unless the caller names a free place to keep it
(``keep_old_as``, e.g. from :func:`backup_path`), where it is moved, whole, just before the new
folder is renamed into place. Nothing inside it is ever touched.

A staging folder left by a killed run (SIGKILL, power cut: no handler ran) is cleared by the
next run for the same ``out_dir`` (:func:`synth_server.core.files.remove_stale_staging`): it is
deleted when the process recorded in it no longer runs, and only reported otherwise.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synth_server.core.files import (OutputExistsError, old_name, release_staging,
                                     remove_stale_staging, staging_dir)

__all__ = ["OutputExistsError", "backup_path", "staged_output"]


def _is_empty_dir(path: Path) -> bool:
    with os.scandir(path) as entries:
        return next(entries, None) is None


def _occupied(path: Path) -> bool:
    """True when ``path`` holds something a rename must not replace (anything but an empty folder).

    Raises:
        NotADirectoryError: ``path`` is a file or a symbolic link (never replaced or moved).
    """
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise NotADirectoryError(errno.ENOTDIR, "exists and is not a folder", str(path))
    return path.is_dir() and not _is_empty_dir(path)


def backup_path(out_dir: str | Path) -> Path:
    """A free name beside ``out_dir`` to keep its previous contents: ``NAME.old-YYYYmmdd-HHMMSS``.

    ``-2``, ``-3``, ... is appended while the name is taken. The name is only proposed here;
    :func:`staged_output` claims it (exclusively) when it publishes.

    Args:
        out_dir: the output folder.

    Returns:
        ``out_dir.parent / "NAME.old-<local time>[-N]"`` (does not exist now).
    """
    n = 1
    while os.path.lexists(old_name(out_dir, n)):
        n += 1
    return old_name(out_dir, n)


def _make_staging(out: Path) -> Path:
    """Create an empty hidden folder beside ``out`` (mode 0777 less the umask, like mkdir)."""
    return staging_dir(out)


def _publish(staging: Path, out: Path, keep_old_as: Path | None) -> None:
    """Move a non-empty ``out`` to ``keep_old_as`` (claimed exclusively), rename ``staging`` onto ``out``."""
    release_staging(staging)  # the published folder holds only what the writer wrote
    moved = False
    if _occupied(out):
        if keep_old_as is None:
            raise OutputExistsError(out)
        os.mkdir(keep_old_as)  # claims the name: FileExistsError if anything is there
        try:
            os.rename(out, keep_old_as)  # replaces only the empty folder just made
        except BaseException:
            os.rmdir(keep_old_as)
            raise
        moved = True
    try:
        # rename(2) replaces an empty folder at ``out`` and fails on a non-empty one (a folder
        # that appeared meanwhile is therefore never overwritten).
        os.rename(staging, out)
    except BaseException:
        if moved and not os.path.lexists(out):
            os.rename(keep_old_as, out)
        raise


@contextmanager
def staged_output(out_dir: str | Path, *, keep_old_as: str | Path | None = None) -> Iterator[Path]:
    """Stage a dataset next to ``out_dir``; publish it there when the block ends without error.

    Usage::

        with staged_output(out_dir) as stage:
            ...write every file into stage...
        # out_dir now holds exactly what was written into stage

    Args:
        out_dir: the output folder. It may be absent (created, with its parents) or an empty
            folder (replaced). A folder that is not empty is refused unless ``keep_old_as``
            is given.
        keep_old_as: where to move a non-empty ``out_dir`` when publishing (must not exist;
            see :func:`backup_path`). Ignored when ``out_dir`` is absent or empty.

    Yields:
        The staging folder (``out_dir.parent/.NAME.staging-XXXXXXXX``, empty, same file system).

    Raises:
        OutputExistsError: ``out_dir`` is not empty and ``keep_old_as`` is None; checked before
            the block runs and again when publishing.
        FileExistsError: ``keep_old_as`` already exists.
        NotADirectoryError: ``out_dir`` is a file or a symbolic link.
        OSError: the staging folder cannot be created or renamed (e.g. permissions).
        Whatever the block raises: the staging folder is removed first, ``out_dir`` is untouched.
    """
    out = Path(out_dir)
    keep = Path(keep_old_as) if keep_old_as is not None else None
    if _occupied(out):
        if keep is None:
            raise OutputExistsError(out)
        if os.path.lexists(keep):
            raise FileExistsError(errno.EEXIST, "already exists", str(keep))
    remove_stale_staging(out)  # the unfinished output of a killed earlier run
    staging = _make_staging(out)
    try:
        yield staging
        _publish(staging, out, keep)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
