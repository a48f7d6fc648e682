"""Officers as the server knows them, and their wire form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from caseserver.db.tables import officers

GRADES = ("PO", "PSO", "SPO")


@dataclass(frozen=True)
class Officer:
    staff_code: str
    username: str
    name: str
    grade: str
    team: str
    active: bool = True

    @property
    def is_spo(self) -> bool:
        return self.grade == "SPO"

    def wire(self) -> dict[str, Any]:
        return {"staff_code": self.staff_code, "name": self.name, "grade": self.grade,
                "team": self.team}


def _officer(row: Any) -> Officer:
    m = row._mapping
    return Officer(m["staff_code"], m["username"], m["name"], m["grade"], m["team"], bool(m["active"]))


def by_staff_code(conn: Connection, staff_code: str) -> Officer | None:
    row = conn.execute(select(officers).where(officers.c.staff_code == staff_code)).first()
    return None if row is None else _officer(row)


def by_username(conn: Connection, username: str) -> tuple[Officer, str] | None:
    """The officer and their password hash."""
    row = conn.execute(select(officers).where(officers.c.username == username)).first()
    return None if row is None else (_officer(row), row._mapping["password_hash"])


def all_officers(conn: Connection) -> list[Officer]:
    return [_officer(row) for row in conn.execute(select(officers).order_by(officers.c.staff_code))]
