"""What every ``synth-server`` command prints: one ``synth-server: ...`` line on stdout, one
``synth-server: error: ...`` line on stderr (exit status 2), and the command line it was given
(recorded in the files a command writes)."""
from __future__ import annotations

import shlex
import sys
from typing import Optional, Sequence


def _say(message: str) -> None:
    print(f"synth-server: {message}", flush=True)


def _fail(message: str) -> int:
    print(f"synth-server: error: {message}", file=sys.stderr, flush=True)
    return 2


def _command_line(argv: Optional[Sequence[str]]) -> str:
    args = list(sys.argv[1:] if argv is None else argv)
    return shlex.join(["synth-server", *args])
