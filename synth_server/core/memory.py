"""Giving freed heap memory back to the operating system.

A long-running server allocates a lot for a short while (compiling or loading the kernel,
reading a checkpoint, decoding a model's maps) and frees it again; glibc's allocator keeps
such freed pages for later instead of returning them, so the resident memory stays high.
``malloc_trim(0)`` (glibc, malloc(3)) returns them. It is called once start-up is done and after
each model the loader reads, never on the audio path.
"""
from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any, Optional

_libc: Optional[Any] = None
_looked = False


def release_free_heap() -> bool:
    """Return the allocator's free pages to the OS (glibc ``malloc_trim(0)``).

    Returns:
        True when memory was released; False when nothing could be (another C library, or
        nothing free at the top of the heap). Never raises.
    """
    global _libc, _looked
    if not _looked:
        _looked = True
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _libc = lib if hasattr(lib, "malloc_trim") else None
        except OSError:
            _libc = None
    if _libc is None:
        return False
    try:
        return bool(_libc.malloc_trim(0))
    except OSError:
        return False
