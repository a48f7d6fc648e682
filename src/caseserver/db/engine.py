"""The database handle: one engine, read transactions and serialised write transactions.

Every write transaction starts by taking the next commit sequence number from the
one-row ``commit_counter`` and keeps that row locked until it commits (PostgreSQL:
the row lock of ``UPDATE``; SQLite: ``BEGIN IMMEDIATE``, which serialises writers).
So sequence numbers are committed in order and a reader that sees counter value W
sees every transaction up to W — see docs/decisions/0010.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select

from caseserver.db.tables import commit_counter

_BEGIN_OPTION = "caseserver_begin"
# Built once: a push runs these for every mutation, and building a statement costs more
# than SQLite takes to run it.
_NEXT_SEQ = (commit_counter.update().where(commit_counter.c.id == 1)
             .values(value=commit_counter.c.value + 1).returning(commit_counter.c.value))
_COMMITTED_SEQ = select(commit_counter.c.value).where(commit_counter.c.id == 1)


@dataclass
class WriteTx:
    conn: Connection
    seq: int


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine: Engine = create_engine(
                url, connect_args={"timeout": 60, "check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction on one consistent snapshot."""
        options: dict[str, Any] = {} if self.is_sqlite else {"isolation_level": "REPEATABLE READ"}
        with self.engine.connect().execution_options(**options) as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[WriteTx]:
        """A write transaction holding the next commit sequence number until it commits."""
        with self.engine.connect().execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}) as conn, \
                conn.begin():
            seq = conn.execute(_NEXT_SEQ).scalar_one()
            yield WriteTx(conn, int(seq))

    def committed_seq(self, conn: Connection) -> int:
        return int(conn.execute(_COMMITTED_SEQ).scalar_one())


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event emits BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")
