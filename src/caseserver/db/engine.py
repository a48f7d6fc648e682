"""The database handle: one engine, read transactions and serialised write transactions.

Every write transaction starts by taking the next commit sequence number from the
one-row ``commit_counter`` and keeps that row locked until it commits (PostgreSQL:
the row lock of ``UPDATE``; SQLite: ``BEGIN IMMEDIATE``, which serialises writers).
So sequence numbers are committed in order and a reader that sees counter value W
sees every transaction up to W — see docs/decisions/0010.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Executable, create_engine, event, select
from sqlalchemy.exc import DBAPIError

from caseserver.db.tables import commit_counter

_BEGIN_OPTION = "caseserver_begin"
SQLITE_CACHE_KIB = 64 * 1024
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


class DriverStatement:
    """A statement compiled once per dialect and run on the connection's DBAPI cursor.

    For the push path's per-mutation statements (decision 0037): SQLAlchemy's execution of
    an already-built statement (cache look-up, events, result set-up) still cost several
    times what SQLite takes to run it. Only for plain statements whose parameters the driver
    takes as they are (text, integers, booleans) and whose rows are read as tuples. A driver
    error is raised as SQLAlchemy's ``DBAPIError``, as ``Connection.execute`` raises it, so
    callers handle both the same way. The statement runs in the connection's transaction.
    """

    def __init__(self, statement: Executable, columns: Sequence[str] | None = None) -> None:
        """``columns``: for an INSERT or UPDATE, the columns it sets (from parameters of those names)."""
        self._statement = statement
        self._columns = list(columns) if columns is not None else None
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def _for(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._statement.compile(  # type: ignore[attr-defined]
                dialect=dialect, column_keys=self._columns)
            names = tuple(compiled.positiontup) if compiled.positional else None
            # Values the statement carries itself (a literal, a dialect's OFFSET 0 after LIMIT).
            fixed = {name: bind.value for name, bind in compiled.binds.items()
                     if not bind.required and bind.callable is None}
            found = self._compiled[dialect.name] = (compiled.string, names, fixed)
        return found

    def _run(self, conn: Connection, params: Mapping[str, Any] | Sequence[Mapping[str, Any]],
             many: bool) -> Any:
        sql, names, fixed = self._for(conn.dialect)
        rows: Sequence[Mapping[str, Any]] = params if many else [params]  # type: ignore[list-item,assignment]
        if fixed:
            rows = [{**fixed, **row} for row in rows]
        bound: list[Any] = ([tuple(row[name] for name in names) for row in rows] if names is not None
                            else list(rows))
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if many:
                cursor.executemany(sql, bound)
            elif bound[0]:
                cursor.execute(sql, bound[0])
            else:
                cursor.execute(sql)
        except conn.dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise DBAPIError.instance(sql, bound, error, conn.dialect.loaded_dbapi.Error,
                                      dialect=conn.dialect) from error
        return cursor

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> None:
        self._run(conn, params, False).close()

    def executemany(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self._run(conn, rows, True).close()

    def first(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        cursor = self._run(conn, params, False)
        try:
            row = cursor.fetchone()
        except conn.dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(self._for(conn.dialect)[0], params, error,
                                      conn.dialect.loaded_dbapi.Error, dialect=conn.dialect) from error
        finally:
            cursor.close()
        return None if row is None else tuple(row)

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        """Every row, as the driver gives them (tuples on sqlite3 and psycopg)."""
        cursor = self._run(conn, params, False)
        try:
            return cursor.fetchall()  # type: ignore[no-any-return]
        except conn.dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(self._for(conn.dialect)[0], params, error,
                                      conn.dialect.loaded_dbapi.Error, dialect=conn.dialect) from error
        finally:
            cursor.close()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event emits BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Each connection's page cache, in KiB (SQLite's default is 2 MiB): a pull reads every
    # record of a caseload, and with the default the pages it read were gone again by the next.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")
