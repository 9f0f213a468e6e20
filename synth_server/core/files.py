"""Bounded reading and atomic writing of the project's files (JSON, npz, whole files).

Every file a user or a checkpoint owns is written through :func:`write_atomic` (temporary file in
the same folder, ``fsync``, ``os.replace``): a crash leaves the old file or the new one, never a
half-written one, and a symlinked path stays a symlink (the bytes go to its target). Every JSON
file the program reads goes through :func:`read_json`: bounded size, no NaN/Infinity, bounded
integers and nesting depth, one-line :class:`FileFormatError` otherwise.
"""
from __future__ import annotations

import errno
import glob
import hashlib
import json
import logging
import os
import shlex
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any, Optional, Union

log = logging.getLogger(__name__)
PathLike = Union[str, "os.PathLike[str]"]
MAX_JSON_BYTES = 16 * 1024 * 1024
MAX_JSON_DEPTH = 32
MAX_INT_DIGITS = 19  # int64


class FileFormatError(ValueError):
    """A file that cannot be read as what it should be; ``str()`` is one line naming the file."""


class OutputExistsError(FileExistsError):
    """An output folder (a dataset, a model directory) already holds something and nothing
    allowed replacing it (no ``--force``/``keep_old_as``, no ``--resume``); nothing was read,
    written or moved.

    Args:
        path: the refused output folder.
        message: the one line ``str()`` gives; default ``"<path> exists and is not empty"``.
    Attributes:
        path: the refused output folder (``pathlib.Path``).
    """

    def __init__(self, path: PathLike, message: str = "") -> None:
        super().__init__(errno.EEXIST, message or "exists and is not empty", str(path))
        self.path = Path(path)
        self.message = message or f"{self.path} exists and is not empty"

    def __str__(self) -> str:
        return self.message


def write_atomic(path: PathLike, data: bytes, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path`` atomically (temp file beside the target, fsync, rename).

    A symlink at ``path`` is kept: the data replaces the file it points to.

    Args:
        path: destination file. Its folder must exist.
        data: the complete new contents.
        mode: permission bits of the new file.
    Returns:
        The path actually written (the symlink's target when ``path`` is a symlink).
    Raises:
        OSError: the folder is missing or not writable, the disk is full, a symlink loop
            (ELOOP; the link is never replaced by a file)... the old file is then untouched and
            no temporary file is left behind.
    """
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    if target.is_symlink():  # realpath stops at a loop
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable; a folder that cannot be opened is not an error
        dir_fd = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return target
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
    return target


def read_bytes(path: PathLike, max_bytes: int) -> bytes:
    """The whole file, refused before reading when it is larger than ``max_bytes``.

    Raises:
        FileFormatError: missing, not a regular file, or too large.
    """
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(f"{path}: missing")
    size = path.stat().st_size
    if size > max_bytes:
        raise FileFormatError(f"{path}: {size} bytes, larger than the {max_bytes} allowed")
    with open(path, "rb") as fh:  # read(n) allocates n bytes first: ask for the size, + 1
        data = fh.read(min(size, max_bytes) + 1)
        if len(data) > size:  # grew since stat: read on, within the bound
            data += fh.read(max_bytes + 1 - len(data))
    if len(data) > max_bytes:
        raise FileFormatError(f"{path}: larger than the {max_bytes} bytes allowed")
    return data


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"integer of {len(text)} digits")
    return int(text)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _depth(value: Any, limit: int) -> int:
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def parse_json(text: Union[str, bytes], where: str = "JSON") -> Any:
    """Parse JSON text with the bounds of :func:`read_json` (no NaN/Infinity, integers of at
    most 19 digits, nesting at most 32 deep).

    Raises:
        FileFormatError: ``"<where>: not valid JSON (...)"``.
    """
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        data = json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except RecursionError:
        raise FileFormatError(f"{where}: not valid JSON (nested too deep)") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise FileFormatError(f"{where}: not valid JSON ({str(exc).splitlines()[0][:120]})") \
            from None
    if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise FileFormatError(f"{where}: not valid JSON (nested deeper than {MAX_JSON_DEPTH})")
    return data


def read_json(path: PathLike, max_bytes: int = MAX_JSON_BYTES, want_object: bool = True) -> Any:
    """Read a bounded JSON file (see :func:`parse_json`).

    Args:
        path: the file.
        max_bytes: refuse larger files without reading them.
        want_object: the top level must be a JSON object (dict).
    Raises:
        FileFormatError: missing, too large, invalid, or not an object (one line).
    """
    data = parse_json(read_bytes(path, max_bytes), str(path))
    if want_object and not isinstance(data, dict):
        raise FileFormatError(f"{path}: expected a JSON object")
    return data


def json_bytes(document: Any, indent: int = 1) -> bytes:
    """``document`` as UTF-8 JSON bytes; NaN or Infinity refused (ValueError) so that every file
    written can be read back by :func:`read_json`."""
    return json.dumps(document, indent=indent, allow_nan=False).encode("utf-8")


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data`` (hashlib)."""
    return hashlib.sha256(data).hexdigest()


STAGING_OWNER = ".synth-server-staging.json"  #: the owner record inside a staging folder


def _process_identity(pid: int) -> Optional[str]:
    """``"<boot id>:<start time in clock ticks>"`` of a running process (Linux ``/proc``; a
    reused PID has another start time, a PID after a reboot another boot id); None when the
    process does not exist or ``/proc`` cannot tell."""
    try:
        with open(f"/proc/{int(pid)}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", "replace")
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            boot = fh.read().strip()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()  # after "pid (comm) ": field 3 is fields[0]
    return f"{boot}:{fields[19]}" if len(fields) > 19 else None


def _owner_running(owner: dict[str, Any]) -> bool:
    """True when the process recorded in a staging folder's owner record still runs (the same
    process: PID, and where ``/proc`` tells, boot and start time), or when that cannot be
    ruled out (another user's process, an unreadable record)."""
    pid = owner.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the PID exists
    except ProcessLookupError:
        return False
    except OSError:  # exists, another user's
        return True
    identity = owner.get("identity")
    current = _process_identity(pid)
    if isinstance(identity, str) and current is not None:
        return current == identity  # a reused PID is another process
    return True


def staging_dir(out_dir: PathLike) -> Path:
    """A fresh empty hidden folder beside ``out_dir`` (same file system, so it can be renamed
    onto it in one step): ``out_dir.parent/.NAME.staging-XXXXXXXX``, mode 0777 less the umask.

    It holds one file besides what the caller writes, the owner record :data:`STAGING_OWNER`
    (this process's PID, host and start time), so that a later run can tell a folder left by a
    killed process (:func:`remove_stale_staging`). Call :func:`release_staging` before the
    folder is published or starts holding anything that is not this run's own output.

    Raises:
        OSError: the parent folder cannot be created or written.
    """
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.staging-"))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes it 0700
    pid = os.getpid()
    owner = {"pid": pid, "host": socket.gethostname(), "identity": _process_identity(pid),
             "created": time.strftime("%Y-%m-%d %H:%M:%S"), "out": str(out)}
    write_atomic(staging / STAGING_OWNER, json_bytes(owner), mode=0o600)
    return staging


def release_staging(staging: PathLike) -> None:
    """Remove the owner record from a staging folder: from now on it may hold what must never
    be deleted unseen (the published output, a previous model swapped out of its place), so a
    later run only reports it (:func:`remove_stale_staging`)."""
    try:
        os.unlink(Path(staging) / STAGING_OWNER)
    except FileNotFoundError:
        pass


def remove_stale_staging(out_dir: PathLike) -> list[str]:
    """Clear the staging folders (:func:`staging_dir`) of ``out_dir`` left by killed processes.

    A folder ``.NAME.staging-*`` beside ``out_dir`` whose owner record names a process of this
    host that no longer runs (PID gone, or reused by another process) holds only that run's
    unfinished output: it is deleted. A folder without a readable owner record (its owner was
    publishing, or swapping a previous model out of the way, when it died) or of another host
    is left as it is and reported, and so is a hidden ``.NAME.old-*`` folder (the previous
    directory a swap without renameat2 moves aside before deleting it: a process killed in
    between leaves it). A folder whose owner still runs is not touched. Links are never
    followed.

    Args:
        out_dir: the output folder a command is about to write.
    Returns:
        One line per folder deleted or reported (also logged as warnings).
    """
    out = Path(out_dir)
    messages: list[str] = []
    try:
        candidates = sorted(out.parent.glob(f".{glob.escape(out.name)}.staging-*"))
        # the hidden previous folder a swap without renameat2 makes (train/module.py): never
        # owned, so only ever reported
        candidates += sorted(out.parent.glob(f".{glob.escape(out.name)}.old-*"))
    except OSError:
        return messages
    for folder in candidates:
        if folder.is_symlink() or not folder.is_dir():
            continue
        try:
            owner = read_json(folder / STAGING_OWNER, max_bytes=4096)
        except (FileFormatError, OSError):
            owner = None
        if owner is not None and owner.get("host") == socket.gethostname():
            if _owner_running(owner):
                continue
            shutil.rmtree(folder, ignore_errors=True)
            if folder.exists():
                messages.append(f"{folder}: the unfinished output of process {owner.get('pid')} "
                                f"(no longer running) could not be removed; remove it with: "
                                f"rm -r {shlex.quote(str(folder))}")
            else:
                messages.append(f"removed {folder}: the unfinished output of process "
                                f"{owner.get('pid')} (started {owner.get('created')}), which "
                                "no longer runs")
            continue
        why = "of another host" if owner is not None else "with no owner record"
        messages.append(f"{folder} is left from an earlier run ({why}); it may hold a model or "
                        f"dataset: look inside, then remove it with: rm -r "
                        f"{shlex.quote(str(folder))}")
    for message in messages:
        log.warning("%s", message)
    return messages


def old_name(out_dir: PathLike, n: int = 1) -> Path:
    """The n-th name beside ``out_dir`` under which its previous contents are kept:
    ``NAME.old-YYYYmmdd-HHMMSS`` (local time), then ``-2``, ``-3``..."""
    out = Path(out_dir)
    stem = f"{out.name}.old-{time.strftime('%Y%m%d-%H%M%S')}"
    return out.parent / (stem if n == 1 else f"{stem}-{n}")


def reserve_old_name(out_dir: PathLike) -> Path:
    """Claim a free :func:`old_name` by creating it as an empty folder (``os.mkdir`` fails on
    an existing name, so an older copy is never clobbered); a folder renamed onto the empty
    reservation replaces it in one step.

    Raises:
        OSError: the parent folder cannot be written; FileExistsError: no free name.
    """
    for n in range(1, 10000):
        candidate = old_name(out_dir, n)
        try:
            os.mkdir(candidate)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"{Path(out_dir).parent}: no free name for {old_name(out_dir)}")
