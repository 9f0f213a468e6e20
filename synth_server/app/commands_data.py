"""``synth-server dataset toy|soundfont|folder``: write a dataset through a staging folder
(:mod:`synth_server.data.staging`); the flags are parsed in :mod:`synth_server.app.cli`."""
from __future__ import annotations

import argparse
import signal
import time
from pathlib import Path
from typing import Any

from synth_server.app.console import _fail, _say


def _int_list(text: str) -> tuple[int, ...]:
    """'0,11,40-42' -> (0, 11, 40, 41, 42); 'none' or '' -> ()."""
    values: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        if not part or part.lower() == "none":
            continue
        lo, sep, hi = part.partition("-")
        try:
            values += list(range(int(lo), int(hi) + 1)) if sep else [int(part)]
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected integers like 0,11,40-42, got {text!r}") from None
    return tuple(values)


def _raise_interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def cmd_dataset(args: argparse.Namespace) -> int:
    """Write a dataset through a staging folder; a non-empty --out is kept aside only with --force.

    Returns the exit status: 0, 2 on an error (one line on stderr), 130 when interrupted
    (Ctrl-C or SIGTERM); on an error or interruption --out is left as it was.
    """
    from synth_server.core.files import OutputExistsError
    from synth_server.data.staging import backup_path

    started = time.perf_counter()
    keep_old_as = backup_path(args.out) if args.force else None
    try:
        previous_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    except ValueError:  # not the main thread: SIGTERM keeps its default action
        previous_term = None
    try:
        if args.kind == "toy":
            from synth_server.data.toy_pyo import load_factors, render_toy_dataset

            out = render_toy_dataset(args.out, sample_rate=args.sample_rate, duration_s=args.duration,
                                     seed=args.seed, preset=args.preset, plots=not args.no_plots,
                                     progress=not args.quiet, keep_old_as=keep_old_as)
            _say(f"wrote toy dataset ({len(load_factors(out))} files, preset {args.preset}) to {out} "
                 f"in {time.perf_counter() - started:.1f} s")
        elif args.kind == "soundfont":
            from synth_server.data import soundfont

            given = {"sf2": args.sf2, "programs": args.programs, "pitches": args.pitches,
                     "velocities": args.velocities, "heldout_programs": args.heldout_programs}
            summary = soundfont.render_soundfont_dataset(
                args.out, **{k: v for k, v in given.items() if v is not None},
                sample_rate=args.sample_rate, duration_s=args.duration, hold_s=args.hold,
                gain=args.gain, progress=not args.quiet, keep_old_as=keep_old_as)
            _say(f"wrote {summary['written']} notes ({summary['train']} train, {summary['heldout']} "
                 f"held out, {summary['seconds']:.1f} s) to {summary['out_dir']} in "
                 f"{summary['render_s']:.1f} s; train on {Path(args.out) / 'train'}"
                 + (f"; {len(summary['silent'])} silent notes skipped" if summary["silent"] else ""))
        else:
            from synth_server.data.audio_folder import NoUsableAudioError, import_audio_folder

            try:
                report = import_audio_folder(args.path, args.out, sample_rate=args.sample_rate,
                                             top_db=args.top_db, min_duration_s=args.min_duration,
                                             progress=not args.quiet, keep_old_as=keep_old_as)
            except NoUsableAudioError as exc:
                for source, reason in exc.report.skipped:
                    _say(f"skipped {source}: {reason}")
                return _fail(f"{exc}; {args.out} left as it was")
            for source, reason in report.skipped:
                _say(f"skipped {source}: {reason}")
            _say(report.summary())
    except OutputExistsError as exc:
        return _fail(f"dataset {args.kind}: {exc.path} is not empty; nothing written (--force "
                     "keeps it beside the new dataset under a new name)")
    except KeyboardInterrupt:
        _fail(f"dataset {args.kind}: interrupted; {args.out} left as it was")
        return 130
    except (RuntimeError, ValueError, OSError) as exc:
        message = (str(exc).splitlines() or [type(exc).__name__])[0]
        return _fail(f"dataset {args.kind}: {message}; {args.out} left as it was")
    finally:
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
    if keep_old_as is not None and keep_old_as.is_dir():
        _say(f"kept the previous {args.out} as {keep_old_as}")
    return 0
