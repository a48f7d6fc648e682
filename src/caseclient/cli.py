"""The ``caseclient`` command line. Thin: parses arguments, calls services, prints.

Passphrases come from getpass (or standard input when it is not a terminal, for
scripts); they are never echoed, logged or accepted as arguments.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from typing import TextIO

from caseclient import __version__, diagnostics
from caseclient.config import AppPaths
from caseclient.errors import KnownError
from caseclient.storage.kdf import KdfParams
from caseclient.storage.vault import KeyVault

MIN_PASSPHRASE = 10


def _read_secret(prompt: str, stdin: TextIO) -> str:
    if stdin.isatty():
        return getpass.getpass(prompt)
    line = stdin.readline()
    return line.rstrip("\r\n")


def _cmd_init(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from caseclient.services.session import SessionService  # noqa: PLC0415 - Qt only when needed

    paths = AppPaths.resolve(args.home)
    first = _read_secret("Choose a passphrase: ", stdin)
    second = _read_secret("Type it again: ", stdin)
    if first != second:
        out.write("The two passphrases are different. Nothing was set up.\n")
        return 2
    if len(first) < MIN_PASSPHRASE:
        out.write(f"Use at least {MIN_PASSPHRASE} characters. Nothing was set up.\n")
        return 2
    session = SessionService(paths, KeyVault(paths.key_file, params=args.kdf))
    recovery_key = session.set_up(first)
    session.lock()
    out.write("Profile set up.\n\n")
    out.write("Your recovery key (shown once — write it down and keep it safe):\n\n")
    out.write(f"    {recovery_key}\n\n")
    out.write("It unlocks this profile if you forget your passphrase.\n")
    return 0


def _cmd_doctor(args: argparse.Namespace, out: TextIO, _stdin: TextIO) -> int:
    paths = AppPaths.resolve(args.home)
    for name, value in diagnostics.report(paths):
        out.write(f"{name + ':':18} {value}\n")
    if not args.self_test:
        return 0
    out.write("\nSelf-test:\n")

    def show(check: diagnostics.Check) -> None:
        detail = f" ({check.detail})" if check.detail else ""
        out.write(f"  {'ok  ' if check.ok else 'FAIL'} {check.name}{detail}\n")
        out.flush()

    checks = diagnostics.self_test(show)
    failed = [c for c in checks if not c.ok]
    out.write("Self-test passed.\n" if not failed else f"Self-test FAILED: {len(failed)} check(s).\n")
    return 0 if not failed else 1


def _cmd_app(args: argparse.Namespace, _out: TextIO, _stdin: TextIO) -> int:
    from caseclient.app import build  # noqa: PLC0415 - Qt only when needed
    from caseclient.ui.main import run  # noqa: PLC0415

    return run(build(AppPaths.resolve(args.home)), [sys.argv[0], *args.qt_args])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="caseclient",
                                     description="Offline-first case recording for probation officers.")
    parser.add_argument("--version", action="version", version=f"caseclient {__version__}")
    parser.add_argument("--home", help="keep the whole profile in this folder "
                                       "(default: $CASECLIENT_HOME, else the system's folders)")
    commands = parser.add_subparsers(dest="command")
    app = commands.add_parser("app", help="start the desktop app (the default)")
    app.add_argument("qt_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    commands.add_parser("init", help="set up the encrypted profile and show the recovery key")
    doctor = commands.add_parser("doctor", help="report SQLCipher, keychain and profile facts")
    doctor.add_argument("--self-test", action="store_true",
                        help="prove on a throwaway profile that the store encrypts and reopens")
    return parser


HANDLERS = {"app": _cmd_app, "init": _cmd_init, "doctor": _cmd_doctor}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         stdin: TextIO | None = None, *, kdf: KdfParams | None = None) -> int:
    """Run one command. ``kdf`` fixes the key-derivation cost (tests); else it is calibrated."""
    args = build_parser().parse_args(argv)
    args.kdf = kdf
    if args.command is None:
        args.command, args.qt_args = "app", []
    output = out or sys.stdout
    try:
        return HANDLERS[args.command](args, output, stdin or sys.stdin)
    except KnownError as error:
        output.write(error.plain() + "\n")
        return 2
