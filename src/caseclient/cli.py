"""The ``caseclient`` command line. Thin: parses arguments, calls services, prints.

Passphrases come from getpass (or standard input when it is not a terminal, for
scripts); they are never echoed, logged or accepted as arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import platform
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from caseclient import __version__, diagnostics
from caseclient.config import KEYRING_SERVICE, AppPaths
from caseclient.errors import KnownError, ProfileMissing
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import SecretStore, open_secret_store
from caseclient.storage.store import Store, utc_now
from caseclient.storage.vault import KeyVault

MIN_PASSPHRASE = 10


def _read_line(prompt: str, stdin: TextIO) -> str:
    if stdin.isatty():
        return input(prompt)
    return stdin.readline().rstrip("\r\n")


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


@contextlib.contextmanager
def _unlocked(args: argparse.Namespace, stdin: TextIO) -> Iterator[Store]:
    """The profile's store, unlocked with a passphrase read from the terminal (or stdin)."""
    from caseclient.services.session import SessionService  # noqa: PLC0415 - Qt only when needed

    paths = AppPaths.resolve(args.home)
    session = SessionService(paths, KeyVault(paths.key_file, params=args.kdf))
    if not session.is_set_up():
        raise ProfileMissing()
    session.unlock(_read_secret("Passphrase: ", stdin))
    try:
        yield session.store
    finally:
        session.lock()


def _cmd_login(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from caseclient.sync import commands  # noqa: PLC0415

    secrets, warning = args.secrets or open_secret_store(KEYRING_SERVICE)
    with _unlocked(args, stdin) as store:
        username = args.username or _read_line("Username: ", stdin)
        password = _read_secret("Password: ", stdin)
        officer = commands.login(store, secrets, server_url=args.server, username=username,
                                 password=password, device_name=args.device_name,
                                 ca_bundle=args.ca_bundle, http=args.http)
    out.write(f"Signed in as {officer.name} ({officer.grade}, {officer.team}).\n")
    if warning:
        out.write(warning + "\n")
    return 0


def _cmd_sync(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from caseclient.sync import commands  # noqa: PLC0415

    secrets, _warning = args.secrets or open_secret_store(KEYRING_SERVICE)
    with _unlocked(args, stdin) as store:
        result = commands.sync_once(store, secrets, clock=utc_now, ca_bundle=args.ca_bundle,
                                    http=args.http)
    out.write(result.text + "\n")
    return result.exit_code


def _cmd_status(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from caseclient.sync import commands  # noqa: PLC0415

    secrets, _warning = args.secrets or open_secret_store(KEYRING_SERVICE)
    with _unlocked(args, stdin) as store:
        out.write(commands.status(store, secrets, clock=utc_now) + "\n")
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


def _cmd_demo(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from caseclient import demo  # noqa: PLC0415 - Qt and the reference server only when needed

    return demo.run(args.home, offline=args.offline, out=out, stdin=stdin,
                    argv=[sys.argv[0], *args.qt_args])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="caseclient",
                                     description="Offline-first case recording for probation officers.")
    parser.add_argument("--version", action="version", version=f"caseclient {__version__}")
    parser.add_argument("--home", help="keep the whole profile in this folder "
                                       "(default: $CASECLIENT_HOME, else the system's folders)")
    commands = parser.add_subparsers(dest="command")
    app = commands.add_parser("app", help="start the desktop app (the default)")
    app.add_argument("qt_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    demo = commands.add_parser("demo", help="try Caseclient on made-up cases: a local central "
                                            "system, a throwaway profile signed in to it, the app")
    demo.add_argument("--offline", action="store_true",
                      help="stop the central system after the first sync, to try an outage")
    demo.add_argument("qt_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    login = commands.add_parser("login", help="sign this laptop in to the central system")
    login.add_argument("--server", required=True, help="the central system's address, https://host[:port]")
    login.add_argument("--username", help="your username (asked when not given)")
    login.add_argument("--device-name", default=platform.node() or "laptop",
                       help="how this laptop is named on the central system")
    sync = commands.add_parser("sync", help="send waiting work and fetch changes")
    sync.add_argument("--once", action="store_true", required=True,
                      help="one sync now; exit 0 all done, 2 something waits or needs attention, "
                           "3 sign in needed, 4 a newer Caseclient is needed, 1 it failed")
    commands.add_parser("status", help="what waits to be sent, what needs attention, last sync")
    for sub in (login, sync):
        sub.add_argument("--ca-bundle", help="certificate bundle IT provided for the central system")
    commands.add_parser("init", help="set up the encrypted profile and show the recovery key")
    doctor = commands.add_parser("doctor", help="report SQLCipher, keychain and profile facts")
    doctor.add_argument("--self-test", action="store_true",
                        help="prove on a throwaway profile that the store encrypts and reopens")
    return parser


HANDLERS = {"app": _cmd_app, "demo": _cmd_demo, "login": _cmd_login, "sync": _cmd_sync,
            "status": _cmd_status, "init": _cmd_init, "doctor": _cmd_doctor}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         stdin: TextIO | None = None, *, kdf: KdfParams | None = None,
         secrets: tuple[SecretStore, str | None] | None = None,
         http: object | None = None) -> int:
    """Run one command. Tests may fix the key-derivation cost, the secret store and the
    HTTP transport (an ``httpx.BaseTransport``; only sync/ imports httpx)."""
    args = build_parser().parse_args(argv)
    args.kdf, args.secrets, args.http = kdf, secrets, http
    args.ca_bundle = getattr(args, "ca_bundle", None)
    if args.command is None:
        args.command, args.qt_args = "app", []
    output = out or sys.stdout
    try:
        return HANDLERS[args.command](args, output, stdin or sys.stdin)
    except KnownError as error:
        output.write(error.plain() + "\n")
        return 2
