"""The caseload's figures from SQL over indexes equal those of every contact decoded.

CaseloadService once decoded every contact of the store to count, per case, the
appointments needing an outcome, the next appointment and the unsent contacts
(too slow at 100,000 contacts). ``decoded_summaries`` below is that computation,
kept as the reference; seeded random stores with ordinary and odd values (dates
that are no date, times Python and SQLite read differently, deleted, drafted and
unsent contacts, around "now") must give the same summaries; so must the same rows
written by the save path of migration 0007 (no contact columns) and migrated.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from pathlib import Path
from typing import Any

import pytest

from caseclient.domain.records import Contact, Person, Register
from caseclient.domain.reference import ReferenceData
from caseclient.services.caseload import CaseloadService, CaseSummary, _risk_level
from caseclient.services.clock import local_naive
from caseclient.storage.database import Database
from caseclient.storage.migrate import migrate
from caseclient.storage.records import StoredRecord
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change, reference_changes, register_change

NOW = dt.datetime(2026, 11, 24, 12, 0)      # the local_clock fixture's local time
TYPES = ("COAP", "CHVS", "CUPW", "CTEL", "CEMT", "COTH", None, 7, "", "coap")
OUTCOMES = ("ATTC", "NA", "", None, None, None, 3, ["ATTC"], {"code": "ATTC"})
ODD_DATES = ("2026-02-30", "0000-01-01", "2026-W48-2", "2026-11-2", "26-11-2024", "2026/11/25",
             20261125, True, None, "", "2026-11-24T09", "9999-12-31", "2026-13-01", {"d": 1})
ODD_TIMES = (None, None, "9:00", "24:00", "12:60", "1200", "12", "12:00:00", "11:59:59",
             "12:00:01", "garbage", 900, False, "", "12:00:00.5", ["12:00"])


def decoded_summaries(store: Store, caseload: CaseloadService, clock: FakeClock,
                      wanted: dict[str, str | None]) -> list[CaseSummary]:
    """The former CaseloadService._summaries: every contact read and decoded."""
    repo = store.records
    reference: ReferenceData = caseload.reference()
    now = local_naive(clock)
    appointment_codes = {code for code, t in reference.contact_types.items() if t.is_appointment}
    contacts: dict[str, list[StoredRecord]] = {}
    for stored in repo.all("contact", include_deleted=True):
        if stored.case_id in wanted:
            contacts.setdefault(stored.case_id, []).append(stored)
    registers: dict[str, list[Register]] = {}
    for stored in repo.all("register"):
        if stored.case_id in wanted:
            registers.setdefault(stored.case_id, []).append(
                Register.from_fields(stored.id, stored.fields))
    out: list[CaseSummary] = []
    for case_id, snippet in wanted.items():
        record = repo.get("case", case_id)
        if record is None or record.deleted:
            continue
        person = Person.from_fields(record.id, record.fields)
        stored_contacts = contacts.get(case_id, [])
        live = [Contact.from_fields(c.id, c.fields) for c in stored_contacts if not c.deleted]
        appointments = [c for c in live if c.contact_type in appointment_codes]
        upcoming = sorted(s for c in appointments if (s := c.starts_at()) is not None and s > now)
        needs_outcome = sum(1 for c in appointments
                            if c.outcome is None and (s := c.starts_at()) is not None and s <= now)
        unsent = sum(1 for c in stored_contacts if c.dirty)
        out.append(CaseSummary(case_id, person.crn, person.display_name, person.tier,
                               _risk_level(registers.get(case_id, []), reference),
                               upcoming[0] if upcoming else None, needs_outcome, unsent, snippet))
    return out


def _date(rng: random.Random) -> Any:
    if rng.random() < 0.15:
        return rng.choice(ODD_DATES)
    return (NOW.date() + dt.timedelta(days=rng.randint(-6, 6))).isoformat()


def _time(rng: random.Random) -> Any:
    if rng.random() < 0.3:
        return rng.choice(ODD_TIMES)
    return f"{rng.randint(0, 23):02d}:{rng.choice((0, 0, 30, 59)):02d}"


def _contact_fields(rng: random.Random, case_id: str) -> dict[str, Any]:
    fields = {"case_id": case_id, "contact_type": rng.choice(TYPES), "date": _date(rng),
              "start_time": _time(rng), "notes": rng.choice(("", "Rang about housing.", None))}
    outcome = rng.choice(OUTCOMES)
    if outcome is not None or rng.random() < 0.5:
        fields["outcome"] = outcome
    for name in [n for n in fields if n != "case_id" and rng.random() < 0.05]:
        del fields[name]                       # a field missing altogether
    return fields


def _fill(store: Store, rng: random.Random) -> list[str]:
    cases = [case_change(f"X{n:06d}", rng.choice(("Ann", "Bob", "Zoë")), f"Person{n}",
                         tier=rng.choice(("A1", "C1", None)))
             for n in range(8)]
    case_ids = [str(c["record_id"]) for c in cases]
    gone = case_change("Z000001", "Gone", "Away")
    changes = [*reference_changes(), *cases, {**gone, "deleted": True}]
    for case_id in case_ids:
        for _ in range(rng.randint(0, 3)):
            changes.append(register_change(case_id, rng.choice(("RRSH", "RSTF", "RMAP")),
                                           rng.choice(("HIGH", "LOW", "VERY_HIGH", "2", None)),
                                           ended=rng.random() < 0.2))
    contact_ids: list[str] = []
    for case_id in [*case_ids, str(gone["record_id"])]:
        for _ in range(rng.randint(0, 25)):
            contact_id = str(uuid.uuid4())
            contact_ids.append(contact_id)
            changes.append({"record_type": "contact", "record_id": contact_id, "version": 1,
                            "fields": _contact_fields(rng, case_id),
                            "deleted": rng.random() < 0.1})
    store.records.apply_server_records(changes)
    for contact_id in rng.sample(contact_ids, len(contact_ids) // 4):
        current = store.records.require("contact", contact_id)
        if current.deleted:
            continue
        if rng.random() < 0.3:
            store.records.delete("contact", contact_id, "Recorded twice")    # unsent deletion
        else:
            changed = _contact_fields(rng, str(current.case_id))
            store.records.save("contact", contact_id, {k: v for k, v in changed.items()
                                                       if k != "case_id"})
    for case_id in rng.sample(case_ids, 3):
        draft = store.records.create_draft("contact", str(uuid.uuid4()), case_id,
                                           _contact_fields(rng, case_id))
        if rng.random() < 0.5:
            store.records.finish("contact", draft.id)
    return case_ids


@pytest.mark.parametrize("seed", range(12))
def test_summaries_from_the_indexes_equal_every_contact_decoded(
        store: Store, caseload: CaseloadService, local_clock: FakeClock, seed: int) -> None:
    rng = random.Random(seed)
    case_ids = _fill(store, rng)
    expected = decoded_summaries(store, caseload, local_clock, {i: None for i in case_ids})
    assert caseload.cases() == sorted(expected, key=lambda s: (s.name.lower(), s.crn))
    assert any(s.next_appointment for s in expected) and any(s.needs_outcome for s in expected)
    assert any(s.unsent for s in expected)
    # Search hands over the cases found, in the order found, with their snippets.
    wanted = {case_ids[n]: f"snippet {n}" for n in rng.sample(range(len(case_ids)), 4)}
    assert caseload._found(wanted.items()) == decoded_summaries(store, caseload, local_clock, wanted)


OLD_COLUMNS = ("rid, record_type, id, case_id, fields, version, server_shadow, dirty, draft, deleted, "
               "updated_at")


@pytest.mark.parametrize("seed", range(4))
def test_summaries_of_a_migrated_store_equal_every_contact_decoded(
        store: Store, caseload: CaseloadService, local_clock: FakeClock, tmp_path: Path,
        key_pragma: str, seed: int) -> None:
    """The rows of a filled store copied into a store at version 7 (0007's save path wrote no
    contact columns), then opened: migration 0008 fills the columns the summaries read."""
    case_ids = _fill(store, random.Random(seed))
    expected = decoded_summaries(store, caseload, local_clock, {i: None for i in case_ids})
    old = Database.open(tmp_path / "old.db", key_pragma)
    migrate(old, tmp_path / "backups", target=7)
    with old.transaction() as conn:
        conn.executemany(f"INSERT INTO records ({OLD_COLUMNS}) VALUES ({', '.join('?' * 11)})",
                         store.db.query(f"SELECT {OLD_COLUMNS} FROM records"))
    old.close()
    migrated = Store.open(tmp_path / "old.db", key_pragma, backups_dir=tmp_path / "backups",
                          clock=local_clock)
    try:
        service = CaseloadService(lambda: migrated, local_clock)
        assert service.cases() == sorted(expected, key=lambda s: (s.name.lower(), s.crn))
        assert decoded_summaries(migrated, service, local_clock, {i: None for i in case_ids}) == expected
    finally:
        migrated.close()


def test_the_time_now_divides_due_from_upcoming_to_the_minute(
        store: Store, caseload: CaseloadService, local_clock: FakeClock) -> None:
    """Appointments today either side of noon, at noon itself, and tomorrow at midnight."""
    case = case_change()
    case_id = str(case["record_id"])
    times = ("11:59", "12:00", "12:00:01", "12:01", None)
    changes = [*reference_changes(), case]
    for time in times:
        changes.append({"record_type": "contact", "record_id": str(uuid.uuid4()), "version": 1,
                        "fields": {"case_id": case_id, "contact_type": "COAP",
                                   "date": "2026-11-24", "start_time": time}})
    changes.append({"record_type": "contact", "record_id": str(uuid.uuid4()), "version": 1,
                    "fields": {"case_id": case_id, "contact_type": "CHVS", "date": "2026-11-25"}})
    store.records.apply_server_records(changes)
    [summary] = caseload.cases()
    assert summary.needs_outcome == 3                      # 11:59, 12:00 and midnight today
    assert summary.next_appointment == dt.datetime(2026, 11, 24, 12, 0, 1)
    assert [summary] == decoded_summaries(store, caseload, local_clock, {case_id: None})
