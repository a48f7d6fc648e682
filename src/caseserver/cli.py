"""``caseserver``: migrate, seed, user add, serve, simulate-office, openapi, device, new-epoch.

The database is ``CASESERVER_DATABASE_URL`` (PostgreSQL in production) or, when it
is unset, a SQLite file in ``CASESERVER_DATA_DIR`` (default: the user data folder).
Messages are plain English; no case data, password hash or token is ever printed.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from caseserver.admin import AdminError
from caseserver.db.engine import Database
from caseserver.db.migrate import migrate, rotate_epoch
from caseserver.officers import GRADES, all_officers
from caseserver.services import Services
from caseserver.settings import Settings

OPENAPI_FILE = Path(__file__).resolve().parent / "openapi.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="caseserver", description="The reference central case system.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the database")

    seed = commands.add_parser("seed", help="load a synthetic (made-up) caseload and print its sign-ins")
    seed.add_argument("--officers", type=int, default=3)
    seed.add_argument("--cases-per-officer", type=int, default=10)
    seed.add_argument("--contacts-per-case", type=int, default=20)
    seed.add_argument("--seed", type=int, default=0)

    user = commands.add_parser("user", help="manage officers")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add an officer (password asked for, or CASESERVER_PASSWORD)")
    add.add_argument("--staff-code", required=True)
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--grade", required=True, choices=GRADES)
    add.add_argument("--team", required=True)

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    office = commands.add_parser("simulate-office", help="apply a bounded stream of edits by other staff")
    office.add_argument("--count", type=int, default=10)
    office.add_argument("--seed", type=int, default=0)

    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", type=Path, default=OPENAPI_FILE)

    device = commands.add_parser("device", help="stop a laptop or ask it to erase its profile")
    device.add_argument("action", choices=("revoke", "wipe"))
    device.add_argument("client_id")

    commands.add_parser("new-epoch", help="after a restore: every client reloads its caseload")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return _run(args, settings)
    except AdminError as error:
        print(f"caseserver: {error}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, settings: Settings) -> int:
    command: str = args.command
    if command == "openapi":
        return _openapi(args.output)
    if command == "serve":
        import uvicorn  # noqa: PLC0415 - only serving needs it

        from caseserver.api.app import create_app  # noqa: PLC0415

        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
        return 0
    if command == "migrate":
        db = Database(settings.database_url)
        try:
            migrate(db)
        finally:
            db.close()
        print("The database is up to date.")
        return 0
    if command == "new-epoch":
        db = Database(settings.database_url)
        try:
            migrate(db)
            rotate_epoch(db)
        finally:
            db.close()
        print("New epoch: every client will reload its caseload at its next sync.")
        return 0
    services = Services.build(settings)
    try:
        if command == "seed":
            return _seed(services, args)
        if command == "user":
            return _user_add(services, args)
        if command == "simulate-office":
            return _simulate_office(services, args)
        if command == "device":
            return _device(services, args)
    finally:
        services.close()
    return 2  # pragma: no cover - argparse allows no other command


def _seed(services: Services, args: argparse.Namespace) -> int:
    from caseserver.synthetic import generate  # noqa: PLC0415

    caseload = generate(officers=args.officers, cases_per_officer=args.cases_per_officer,
                        contacts_per_case=args.contacts_per_case, seed=args.seed,
                        today=services.clock().date())
    services.admin.load_caseload(caseload)
    counts = Counter(record.record_type for record in caseload.records)
    print("Loaded a synthetic caseload (made-up people, for test and demo servers only): "
          + ", ".join(f"{counts[kind]} {kind}" for kind in sorted(counts)) + ".")
    print("Sign in as (username, password, grade, team):")
    for officer in caseload.officers:
        print(f"  {officer.username}  {officer.password}  {officer.grade}  {officer.team}")
    return 0


def _user_add(services: Services, args: argparse.Namespace) -> int:
    password = os.environ.get("CASESERVER_PASSWORD") or getpass.getpass("Password for the new officer: ")
    services.admin.add_officer(staff_code=args.staff_code, username=args.username, password=password,
                               name=args.name, grade=args.grade, team=args.team)
    print(f"Officer {args.staff_code} added; they sign in as {args.username}.")
    return 0


def _simulate_office(services: Services, args: argparse.Namespace) -> int:
    from caseserver.synthetic import SyntheticOfficer, SyntheticRecord, office_edits  # noqa: PLC0415

    current = [SyntheticRecord(r.record_type, r.record_id, r.case_id, r.fields)
               for r in services.admin.all_records() if not r.deleted]
    with services.db.read() as conn:
        staff = [SyntheticOfficer(o.staff_code, o.username, "", o.name, o.grade, o.team)  # type: ignore[arg-type]
                 for o in all_officers(conn)]
    if not current or not staff:
        print("caseserver: there is no caseload yet; run `caseserver seed` first.", file=sys.stderr)
        return 1
    edits = office_edits(current, staff, count=args.count, seed=args.seed, today=services.clock().date())
    done: Counter[str] = Counter()
    skipped = 0
    for edit in edits:
        try:
            services.admin.apply_edit(edit)
        except AdminError:
            skipped += 1
        else:
            done[edit.kind] += 1
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(done.items())) or "none"
    print(f"Office edits applied: {summary}" + (f"; {skipped} no longer applicable." if skipped else "."))
    return 0


def _device(services: Services, args: argparse.Namespace) -> int:
    if args.action == "revoke":
        found = services.auth.revoke_device(args.client_id)
        message = "Device revoked: its sign-in has ended and it cannot sign in again."
    else:
        found = services.auth.set_wipe(args.client_id)
        message = "At its next sync the device will send what it holds and then erase its profile."
    if not found:
        print("caseserver: no device has that client id.", file=sys.stderr)
        return 1
    print(message)
    return 0


def openapi_document() -> dict[str, object]:
    """The app's OpenAPI document (built on a scratch database that is then removed)."""
    import tempfile  # noqa: PLC0415

    from caseserver.api.app import create_app  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="caseserver-openapi-") as folder:
        services = Services.build(Settings(database_url=f"sqlite+pysqlite:///{folder}/scratch.db"))
        try:
            document: dict[str, object] = create_app(services.settings, services=services).openapi()
        finally:
            services.close()
    return document


def openapi_text() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _openapi(output: Path) -> int:
    output.write_text(openapi_text(), encoding="utf-8")
    print(f"Wrote {output}.")
    return 0
