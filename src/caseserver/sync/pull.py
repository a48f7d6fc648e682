"""``GET /sync/pull``: the latest state of every record changed since the cursor, in
commit order, for the caller's caseload only.

Each item has a position (sequence, type rank, record id):
- a case record or its child: the later of its last commit and the commit that gave
  the caller the case — so a newly allocated case arrives whole, and a record edited
  several times arrives once, in its latest state;
- a reference list entry: its last commit;
- a "deallocated" tombstone: the commit that took the case away, while the caller
  does not hold it.
Only positions up to the committed counter W are served, read in one snapshot, and
the cursor never passes W, so a transaction that commits late cannot be skipped
(decision 0010).
"""

from __future__ import annotations

import heapq
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, exists, literal, or_, select

from caseserver.db.engine import Database
from caseserver.db.tables import access_revocations, case_access, meta, records
from caseserver.errors import ApiError
from caseserver.officers import Officer
from caseserver.records import TYPE_RANK, from_row
from caseserver.sync import cursor as cursors
from caseserver.sync.cursor import END_RANK, START, Position

DEFAULT_LIMIT = 500
MAX_LIMIT = 2000


def _after(seq: Any, rank: Any, record_id: Any, position: Position) -> ColumnElement[bool]:
    return or_(seq > position.seq,
               and_(seq == position.seq,
                    or_(rank > position.rank, and_(rank == position.rank, record_id > position.record_id))))


class PullService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def epoch(self) -> str:
        with self._db.read() as conn:
            return self._meta(conn)[0]

    @staticmethod
    def _meta(conn: Connection) -> tuple[str, str]:
        values = dict(conn.execute(select(meta.c.key, meta.c.value)).all())
        return values["epoch"], values["cursor_key"]

    def pull(self, officer: Officer, cursor: str | None, limit: int) -> dict[str, Any]:
        staff = officer.staff_code
        with self._db.read() as conn:
            epoch, key = self._meta(conn)
            if cursor is None:
                after = START
            else:
                decoded = cursors.decode(key, cursor, epoch=epoch, staff_code=staff)
                if decoded is None:
                    raise ApiError(410, "resync_required", "Your copy of the caseload must be reloaded.",
                                   extra={"epoch": epoch})
                after = decoded
            watermark = self._db.committed_seq(conn)
            items = heapq.merge(self._case_records(conn, staff, after, watermark, limit),
                                self._references(conn, after, watermark, limit),
                                self._tombstones(conn, staff, after, watermark, limit),
                                key=lambda item: item[0])
            page: list[tuple[Position, dict[str, Any]]] = []
            for item in items:
                page.append(item)
                if len(page) > limit:
                    break
        has_more = len(page) > limit
        page = page[:limit]
        last = page[-1][0] if has_more else Position(watermark, END_RANK, "")
        return {"changes": [change for _, change in page],
                "next_cursor": cursors.encode(key, epoch=epoch, staff_code=staff, position=last),
                "has_more": has_more, "epoch": epoch}

    def _case_records(self, conn: Connection, staff: str, after: Position, watermark: int,
                      limit: int) -> list[tuple[Position, dict[str, Any]]]:
        pos = case((records.c.commit_seq > case_access.c.granted_seq, records.c.commit_seq),
                   else_=case_access.c.granted_seq)
        query = (select(records, pos.label("pos"))
                 .join(case_access, and_(case_access.c.case_id == records.c.case_id,
                                         case_access.c.staff_code == staff))
                 .where(pos <= watermark, _after(pos, records.c.type_rank, records.c.record_id, after))
                 .order_by(pos, records.c.type_rank, records.c.record_id)
                 .limit(limit + 1))
        return [(Position(int(row.pos), int(row.type_rank), row.record_id), from_row(row).change())
                for row in conn.execute(query)]

    def _references(self, conn: Connection, after: Position, watermark: int,
                    limit: int) -> list[tuple[Position, dict[str, Any]]]:
        query = (select(records)
                 .where(records.c.case_id.is_(None), records.c.commit_seq <= watermark,
                        _after(records.c.commit_seq, records.c.type_rank, records.c.record_id, after))
                 .order_by(records.c.commit_seq, records.c.type_rank, records.c.record_id)
                 .limit(limit + 1))
        return [(Position(int(row.commit_seq), int(row.type_rank), row.record_id), from_row(row).change())
                for row in conn.execute(query)]

    def _tombstones(self, conn: Connection, staff: str, after: Position, watermark: int,
                    limit: int) -> list[tuple[Position, dict[str, Any]]]:
        rank = TYPE_RANK["case"]
        held = exists().where(case_access.c.case_id == access_revocations.c.case_id,
                              case_access.c.staff_code == staff)
        query = (select(access_revocations.c.case_id, access_revocations.c.revoked_seq,
                        records.c.version, records.c.changed_by, records.c.changed_at)
                 .join(records, records.c.record_id == access_revocations.c.case_id)
                 .where(access_revocations.c.staff_code == staff, ~held,
                        access_revocations.c.revoked_seq <= watermark,
                        _after(access_revocations.c.revoked_seq, literal(rank), access_revocations.c.case_id,
                               after))
                 .order_by(access_revocations.c.revoked_seq, access_revocations.c.case_id)
                 .limit(limit + 1))
        out: list[tuple[Position, dict[str, Any]]] = []
        for case_id, revoked_seq, version, changed_by, changed_at in conn.execute(query):
            change = {"record_type": "case", "record_id": case_id, "version": int(version), "deleted": True,
                      "fields": {}, "changed_by": changed_by, "changed_at": changed_at,
                      "reason": "deallocated"}
            out.append((Position(int(revoked_seq), rank, case_id), change))
        return out

