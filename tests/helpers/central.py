"""The real central system on loopback for widget tests: officers, a case and reference lists.

Argon2 at its cheapest so signing in takes no time (never for a real server).
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caseclient.domain.canonical import JSONValue
from caseserver.embedded import EmbeddedServer, embedded_server
from caseserver.settings import Settings
from tests.helpers.records import reference_changes

FAST = Settings(database_url="", argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1,
                login_max_failures_account=3)
PASSWORD = "correct horse battery"


@dataclass
class Central:
    server: EmbeddedServer
    case_id: str            # on PO1's caseload
    other_case_id: str      # on PO2's, so PO1's laptop may not write to it

    @property
    def url(self) -> str:
        return self.server.base_url

    def edit(self, record_type: str, record_id: str, **values: JSONValue) -> None:
        """A colleague changes a record on the central system."""
        self.server.services.admin.put_record(record_type=record_type, record_id=record_id,
                                              fields=values, actor="OFFICE1", partial=True)

    def fields(self, record_id: str) -> dict[str, Any] | None:
        for record in self.server.services.admin.all_records():
            if record.record_id == record_id:
                return {**record.fields, "_version": record.version}
        return None


@contextmanager
def running_central(database: Path) -> Iterator[Central]:
    with embedded_server(database, settings=FAST) as server:
        admin = server.services.admin
        for code in ("PO1", "PO2", "OFFICE1"):
            admin.add_officer(staff_code=code, username=code.lower(), password=PASSWORD,
                              name=f"Officer {code}", grade="PO", team="North")
        for change in reference_changes():
            admin.put_record(record_type="reference", record_id=change["record_id"], fields=change["fields"])
        ids = [str(uuid.uuid4()) for _ in range(2)]
        for case_id, crn, officer in zip(ids, ("A000001", "B000002"), ("PO1", "PO2"), strict=True):
            admin.put_record(record_type="case", record_id=case_id,
                             fields={"crn": crn, "first_name": "Alex", "last_name": "Example",
                                     "officer_code": officer})
        yield Central(server, ids[0], ids[1])


def closed_port_url() -> str:
    """An address on this machine where nothing listens (connection refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
