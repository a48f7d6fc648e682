"""Run the registered benchmarks, print one table and save it as JSON.

    python -m benchmarks [--quick] [--out DIR] [NAME ...]

Each registered module exposes ``run(quick: bool) -> list[BenchRow]``. To add one,
add its name to :data:`REGISTERED`. ``--quick`` uses tiny sizes: it proves the
benchmarks work (CI) and its figures mean nothing. The JSON goes to
``DIR/<UTC timestamp>.json`` (default ``bench-results/``). Exit status: 1 when a
benchmark broke, or — full runs only — when a row misses its target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO, cast

from benchmarks.table import BenchRow, render, save_json

REGISTERED: tuple[str, ...] = (
    "autosave",     # save_draft commit latency beside plain sqlite3 (issue 3)
    "unlock",       # passphrase → open store beside Argon2id alone (issue 3)
    "keystroke",    # last key in the contact editor → text on disk (issue 9)
    "scale",        # 100,000 contacts: unlock → caseload shown, notes search, peak RSS (issue 9)
    "sync",         # first pull vs raw transfer, push 2,000, no-op sync, UI-thread stall (issues 5, 9)
    "assessment",   # a long assessment opened in its editor window (issue 9)
)

Runner = Callable[[bool], list[BenchRow]]


def load(name: str) -> Runner:
    module = importlib.import_module(f"benchmarks.{name}")
    return cast(Runner, module.run)


def run_all(names: Sequence[str], quick: bool, log: TextIO) -> tuple[list[BenchRow], list[str]]:
    """Rows of every benchmark that ran, and the names of those that broke."""
    rows: list[BenchRow] = []
    broken: list[str] = []
    for name in names:
        print(f"running {name}{' (quick)' if quick else ''} …", file=log, flush=True)
        try:
            rows.extend(load(name)(quick))
        except Exception as error:  # noqa: BLE001 - one broken benchmark must not hide the others
            print(f"benchmark {name} failed: {type(error).__name__}: {error}", file=log)
            broken.append(name)
    return rows, broken


def main(argv: Sequence[str] | None = None, *, out: TextIO = sys.stdout,
         log: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that it works")
    parser.add_argument("--out", type=Path, default=Path("bench-results"),
                        help="folder for the JSON results (default: bench-results)")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all of {', '.join(REGISTERED)})")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in REGISTERED]
    if unknown:
        parser.error(f"no benchmark called {', '.join(unknown)}; choose from {', '.join(REGISTERED)}")
    rows, broken = run_all(args.names or REGISTERED, args.quick, log)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = args.out / f"{stamp}{'-quick' if args.quick else ''}.json"
    save_json(rows, target)
    print(render(rows), file=out)
    print(f"\nsaved {target}", file=out)
    missed = [row.measure for row in rows if row.passed is False]
    if broken:
        return 1
    return 1 if missed and not args.quick else 0


if __name__ == "__main__":
    raise SystemExit(main())
