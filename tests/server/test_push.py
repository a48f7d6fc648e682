"""Push rules of sync-protocol.md, each tried against the running server."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from caseclient.domain.canonical import canonical_json
from caseserver import records as record_store
from caseserver.db.tables import ledger, records
from caseserver.sync.push import PushService
from tests.helpers.clock import FakeClock
from tests.server.api import Device, World, contact_fields, mutation

NO_SUCH_RECORD = "No such record on your caseload."


def new_id() -> str:
    return str(uuid.uuid4())


def created(device: Device, case_id: str, **extra: Any) -> str:
    record_id = new_id()
    result = device.send("contact", record_id, "create", contact_fields(case_id, **extra))
    assert result["result"] == "applied"
    return record_id


# ---- idempotency and sequence ------------------------------------------------------------------

def test_replay_of_applied_is_duplicate_and_has_one_effect(world: World) -> None:
    device = world.device("po1")
    m = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=1)
    first = device.push(m)
    again = device.push(m)
    assert first["results"][0]["result"] == "applied"
    assert again["results"] == [{"mutation_id": m["mutation_id"], "result": "duplicate", "version": 1}]
    assert again["last_applied_seq"] == 1
    assert len([r for r in world.server.services.admin.all_records() if r.record_id == m["record_id"]]) == 1


def test_changed_payload_under_a_known_id_is_409_and_keeps_the_earlier_results(world: World) -> None:
    device = world.device("po1")
    first = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=1)
    device.push(first)
    before = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=2)
    changed = mutation("contact", first["record_id"], "create", contact_fields(world.case_a, notes="Other"),
                       seq=3, mutation_id=first["mutation_id"])
    after = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=3)
    response = device.push_raw([before, changed, after])
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "idempotency_mismatch" and body["mutation_id"] == first["mutation_id"]
    assert [r["result"] for r in body["results"]] == ["applied"]
    records = {r.record_id: r for r in world.server.services.admin.all_records()}
    assert records[first["record_id"]].fields["notes"] == "Discussed progress."  # nothing replaced
    assert after["record_id"] not in records


def test_seq_gap_stops_the_batch_with_expected_seq(world: World) -> None:
    device = world.device("po1")
    ok = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=1)
    gap = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=3)
    later = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=4)
    body = device.push(ok, gap, later)
    assert [r["result"] for r in body["results"]] == ["applied"]
    assert body["expected_seq"] == 2 and body["last_applied_seq"] == 1
    ids = {r.record_id for r in world.server.services.admin.all_records()}
    assert gap["record_id"] not in ids and later["record_id"] not in ids


def test_lower_seq_with_new_id_is_rejected(world: World) -> None:
    device = world.device("po1")
    device.push(mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=1))
    reused = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=1)
    body = device.push(reused)
    assert body["results"][0]["result"] == "rejected"
    assert body["results"][0]["reason"] == "sequence number already used"
    assert "expected_seq" not in body


def test_each_device_has_its_own_seq(world: World) -> None:
    laptop, tablet = world.device("po1"), world.device("po1")
    assert laptop.send("contact", new_id(), "create", contact_fields(world.case_a))["result"] == "applied"
    assert tablet.send("contact", new_id(), "create", contact_fields(world.case_a))["result"] == "applied"


def test_rejected_is_recorded_and_does_not_block_the_queue(world: World) -> None:
    device = world.device("po1")
    bad = mutation("contact", new_id(), "create", contact_fields(world.case_a, date="24/11/2026",
                                                                 colour="red"), seq=1)
    good = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=2)
    body = device.push(bad, good)
    rejected, applied = body["results"]
    assert rejected["result"] == "rejected"
    assert "fields.date" in rejected["reason"] and "fields.colour" in rejected["reason"]
    assert applied["result"] == "applied"
    assert device.push(bad)["results"] == [rejected]  # the stored answer, again
    with world.server.services.db.read() as conn:
        assert conn.execute(select(ledger.c.mutation_id).where(
            ledger.c.mutation_id == bad["mutation_id"])).scalar() == bad["mutation_id"]


@pytest.mark.parametrize(("broken", "words"), [
    ({"op": "upsert"}, "'op'"), ({"op": None}, "'op'"), ({"record_type": "pet"}, "record type"),
    ({"record_id": "not-a-uuid"}, "not a UUID"), ({"fields": []}, "fields"),
    ({"base_version": "7"}, "new record has no base version"), ({"resolves": 5}, "resolves"),
    ({"fields": {"case_id": "x", "date": 5}}, "fields.case_id"),
])
def test_broken_mutations_are_rejected_with_a_reason(world: World, broken: dict[str, Any],
                                                     words: str) -> None:
    device = world.device("po1")
    m = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=1)
    m.update(broken)
    payload = {key: m[key] for key in
               ("record_type", "record_id", "op", "base_version", "fields", "resolves")}
    m["payload_sha256"] = hashlib.sha256(canonical_json(payload).encode()).hexdigest()
    result = device.push(m)["results"][0]
    assert result["result"] == "rejected"
    assert words in result["reason"]


def test_payload_hash_is_checked(world: World) -> None:
    device = world.device("po1")
    m = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=1)
    m["fields"]["notes"] = "Changed after hashing"
    result = device.push(m)["results"][0]
    assert result == {"mutation_id": m["mutation_id"], "result": "rejected",
                      "reason": "payload hash does not match"}


@pytest.mark.parametrize("body", [
    {"mutations": [{"seq": 1}]}, {"mutations": [{"mutation_id": "x", "seq": "1"}]},
    {"mutations": [{"mutation_id": "x", "seq": True}]}, {"mutations": "all"}, {"nothing": 1}, [1, 2],
])
def test_broken_envelope_is_422_and_nothing_applied(world: World, body: Any) -> None:
    device = world.device("po1")
    good = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=1)
    if isinstance(body, dict) and isinstance(body.get("mutations"), list):
        body = {"mutations": [good, *body["mutations"]]}
    response = world.http.post("/sync/push", json=body, headers=device.headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert good["record_id"] not in {r.record_id for r in world.server.services.admin.all_records()}


def test_body_that_is_not_json_is_refused(world: World) -> None:
    device = world.device("po1")
    response = world.http.post("/sync/push", content=b"{not json", headers={
        **device.headers, "Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["error"] == "invalid_request"


def test_database_trouble_answers_retry_later_and_stops(world: World,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    device = world.device("po1")
    first = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=1)
    second = mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=2)
    real = PushService._judge

    def failing(self: PushService, *args: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(PushService, "_judge", failing)
    body = device.push(first, second)
    assert [r["result"] for r in body["results"]] == ["retry_later"]
    assert body["last_applied_seq"] == 0
    monkeypatch.setattr(PushService, "_judge", real)
    assert [r["result"] for r in device.push(first, second)["results"]] == ["applied", "applied"]


def test_database_trouble_part_way_keeps_the_earlier_mutations_and_none_of_its_own(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """One transaction per batch, a savepoint per mutation: the second fails after writing its
    record row, and only that row goes; the first stands with its ledger row."""
    device = world.device("po1")
    first, second, third = (mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=n)
                            for n in (1, 2, 3))
    real = record_store._history
    calls: list[str] = []

    def failing_second(conn: Any, stored: Any, text: str, seq: int) -> None:
        calls.append(stored.record_id)
        if stored.record_id == second["record_id"]:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        real(conn, stored, text, seq)

    monkeypatch.setattr(record_store, "_history", failing_second)
    body = device.push(first, second, third)
    assert [r["result"] for r in body["results"]] == ["applied", "retry_later"]
    assert body["last_applied_seq"] == 1
    assert calls == [first["record_id"], second["record_id"]]
    with world.server.services.db.read() as conn:
        assert record_store.get(conn, first["record_id"]) is not None
        assert record_store.get(conn, second["record_id"]) is None     # its savepoint rolled back
        assert conn.execute(select(ledger.c.mutation_id).where(
            ledger.c.client_id == device.client_id)).scalars().all() == [first["mutation_id"]]
    monkeypatch.setattr(record_store, "_history", real)
    again = device.push(first, second, third)
    assert [r["result"] for r in again["results"]] == ["duplicate", "applied", "applied"]
    assert again["last_applied_seq"] == 3


def test_a_driver_error_part_way_rolls_back_that_mutation_alone(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The push path runs its statements on the driver's cursor (decision 0037): a real error
    from the database (here a duplicate version row) is answered as database trouble, and on
    PostgreSQL the transaction carries on past it once its savepoint is rolled back."""
    device = world.device("po1")
    first, second, third = (mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=n)
                            for n in (1, 2, 3))
    real = record_store._history

    def twice_for_second(conn: Any, stored: Any, text: str, seq: int) -> None:
        real(conn, stored, text, seq)
        if stored.record_id == second["record_id"]:
            real(conn, stored, text, seq)

    monkeypatch.setattr(record_store, "_history", twice_for_second)
    body = device.push(first, second, third)
    assert [r["result"] for r in body["results"]] == ["applied", "retry_later"]
    assert body["last_applied_seq"] == 1
    with world.server.services.db.read() as conn:
        assert record_store.get(conn, first["record_id"]) is not None
        assert record_store.get(conn, second["record_id"]) is None
    monkeypatch.setattr(record_store, "_history", real)
    again = device.push(first, second, third)
    assert [r["result"] for r in again["results"]] == ["duplicate", "applied", "applied"]


def test_a_batch_reads_its_records_once_and_sees_its_own_writes(world: World) -> None:
    """Records are read for the whole batch before it is judged (decision 0037): a record the
    batch creates, then updates, then deletes is judged each time against what the batch wrote."""
    device = world.device("po1")
    record_id = new_id()
    fields = contact_fields(world.case_a)
    body = device.push(
        mutation("contact", record_id, "create", fields, seq=1),
        mutation("contact", record_id, "update", {"notes": "Changed."}, seq=2, base_version=1),
        mutation("contact", record_id, "update", {"notes": "Stale."}, seq=3, base_version=1),
        mutation("contact", record_id, "delete", {}, seq=4, base_version=2),
        mutation("contact", record_id, "create", fields, seq=5))
    assert [(r["result"], r.get("version")) for r in body["results"]] == [
        ("applied", 1), ("applied", 2), ("conflict", 2), ("applied", 3), ("conflict", 3)]


def test_a_batch_commits_once_and_in_order(world: World) -> None:
    """A batch takes one commit sequence number, after the one before it; each mutation keeps
    its own outcome (a rejection in the middle leaves the others applied)."""
    device = world.device("po1")
    before = created(device, world.case_a)
    batch = [mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=2),
             mutation("contact", new_id(), "create", contact_fields(world.case_b), seq=3),  # not theirs
             mutation("contact", new_id(), "create", contact_fields(world.case_a), seq=4)]
    body = device.push(*batch)
    assert [r["result"] for r in body["results"]] == ["applied", "rejected", "applied"]
    with world.server.services.db.read() as conn:
        seqs = {record_id: conn.execute(select(records.c.commit_seq).where(
            records.c.record_id == record_id)).scalar() for record_id in
            (before, batch[0]["record_id"], batch[2]["record_id"])}
        assert seqs[batch[0]["record_id"]] == seqs[batch[2]["record_id"]] > seqs[before]
        assert world.server.services.db.committed_seq(conn) == seqs[batch[0]["record_id"]]
        assert conn.execute(select(records.c.record_id).where(
            records.c.record_id == batch[1]["record_id"])).first() is None
    changes, _ = device.pull_all()
    pulled = [c["record_id"] for c in changes if c["record_type"] == "contact"]
    assert pulled[-2:] == sorted([batch[0]["record_id"], batch[2]["record_id"]])  # one position each


# ---- versions, merges and conflicts ------------------------------------------------------------

def test_create_of_existing_id(world: World) -> None:
    device = world.device("po1")
    record_id = created(device, world.case_a)
    assert device.send("contact", record_id, "create", contact_fields(world.case_a))["result"] == "duplicate"
    clash = device.send("contact", record_id, "create", contact_fields(world.case_a, notes="Else"))
    assert clash["result"] == "conflict"
    assert clash["server_record"]["fields"]["notes"] == "Discussed progress."


def test_update_on_current_version(world: World) -> None:
    device = world.device("po1")
    record_id = created(device, world.case_a)
    applied = device.send("contact", record_id, "update", {"notes": "More"}, base_version=1)
    assert applied["result"] == "applied" and applied["version"] == 2
    same = device.send("contact", record_id, "update", {"notes": "More"}, base_version=2)
    assert same["result"] == "applied" and same["version"] == 2  # nothing new to keep
    ahead = device.send("contact", record_id, "update", {"notes": "x"}, base_version=9)
    assert ahead["result"] == "rejected"
    unknown = device.send("contact", new_id(), "update", {"notes": "x"}, base_version=1)
    assert unknown == {"mutation_id": unknown["mutation_id"], "result": "rejected", "reason": NO_SUCH_RECORD}


def test_stale_base_merges_disjoint_fields(world: World, clock: FakeClock) -> None:
    device = world.device("po1")
    record_id = created(device, world.case_a)
    world.server.services.admin.put_record(record_type="contact", record_id=record_id,
                                           fields={"location": "Office 2"}, actor="PO2", partial=True)
    merged = device.send("contact", record_id, "update", {"notes": "Mine"}, base_version=1)
    assert merged == {"mutation_id": merged["mutation_id"], "result": "applied", "auto_merged": True,
                      "version": 3}
    same_value = device.send("contact", record_id, "update", {"location": "Office 2"}, base_version=1)
    assert same_value["result"] == "applied" and same_value["auto_merged"] is True


def test_stale_base_on_the_same_field_is_a_conflict_with_who_and_when(world: World,
                                                                      clock: FakeClock) -> None:
    device = world.device("po1")
    record_id = created(device, world.case_a)
    clock.advance(minutes=5)
    world.server.services.admin.put_record(record_type="contact", record_id=record_id,
                                           fields={"notes": "Theirs"}, actor="PO2", partial=True)
    clash = device.send("contact", record_id, "update", {"notes": "Mine"}, base_version=1)
    assert clash["result"] == "conflict"
    assert clash["changed_by"] == "PO2"
    assert clash["changed_at"].startswith("2026-11-24T10:35")
    assert clash["server_record"]["version"] == 2
    assert clash["server_record"]["fields"]["notes"] == "Theirs"
    again = device.push(mutation("contact", record_id, "update", {"notes": "Mine"}, seq=device.next_seq - 1,
                                 base_version=1, mutation_id=clash["mutation_id"]))
    assert again["results"] == [clash]  # a conflict is answered again, never dropped


def test_resolving_a_conflict(world: World) -> None:
    device = world.device("po1")
    record_id = created(device, world.case_a)
    world.server.services.admin.put_record(record_type="contact", record_id=record_id,
                                           fields={"notes": "Theirs"}, actor="PO2", partial=True)
    clash = device.send("contact", record_id, "update", {"notes": "Mine"}, base_version=1)
    settled = device.send("contact", record_id, "update", {"notes": "Mine and theirs"}, base_version=2,
                          resolves=clash["mutation_id"])
    assert settled["result"] == "applied" and settled["version"] == 3
    with world.server.services.db.read() as conn:
        assert conn.execute(select(ledger.c.resolved).where(
            ledger.c.mutation_id == clash["mutation_id"])).scalar() is True


def test_a_conflict_resolved_in_the_same_batch_is_marked_resolved(world: World) -> None:
    """The ledger rows of a batch are written together; the one a later mutation resolves is
    written before it is marked."""
    device = world.device("po1")
    record_id = created(device, world.case_a)
    world.server.services.admin.put_record(record_type="contact", record_id=record_id,
                                           fields={"notes": "Theirs"}, actor="PO2", partial=True)
    clash = mutation("contact", record_id, "update", {"notes": "Mine"}, seq=2, base_version=1)
    settle = mutation("contact", record_id, "update", {"notes": "Both"}, seq=3, base_version=2,
                      resolves=clash["mutation_id"])
    body = device.push(clash, settle)
    assert [r["result"] for r in body["results"]] == ["conflict", "applied"]
    with world.server.services.db.read() as conn:
        assert conn.execute(select(ledger.c.resolved).where(
            ledger.c.mutation_id == clash["mutation_id"])).scalar() is True


def test_delete_against_edit_is_a_conflict_both_ways(world: World) -> None:
    device = world.device("po1")
    edited = created(device, world.case_a)
    world.server.services.admin.put_record(record_type="contact", record_id=edited,
                                           fields={"notes": "Theirs"}, actor="PO2", partial=True)
    assert device.send("contact", edited, "delete", {}, base_version=1)["result"] == "conflict"

    deleted = created(device, world.case_a)
    world.server.services.admin.delete_record(deleted, actor="PO2")
    clash = device.send("contact", deleted, "update", {"notes": "Mine"}, base_version=1)
    assert clash["result"] == "conflict" and clash["server_record"]["deleted"] is True


def test_delete_is_pulled_as_a_deletion_without_reason(world: World) -> None:
    device = world.device("po1")
    record_id = created(device, world.case_a)
    result = device.send("contact", record_id, "delete", {"deleted_reason": "Recorded twice"}, base_version=1)
    assert result["result"] == "applied" and result["version"] == 2
    changes, _ = device.pull_all()
    change = next(c for c in changes if c["record_id"] == record_id)
    assert change["deleted"] is True and "reason" not in change
    assert change["fields"]["deleted_reason"] == "Recorded twice"
    assert device.send("contact", record_id, "delete", {}, base_version=2)["result"] == "duplicate"


@pytest.mark.parametrize("fields", [
    {"notes": "plain"},
    {"notes": "Ünïcödé — kept as is"},
    {"notes": "the word NaN and Infinity in text"},
    {"score": float("nan")},
    {"score": float("-inf")},
    {"notes": "broken \ud800 character"},
])
def test_one_serialisation_gives_the_ledger_hash_and_the_payload_hash(fields: dict[str, Any]) -> None:
    """``hashes`` (decision 0037) hands the ledger's hash to ``parse`` as the payload hash only
    when the two are the same; otherwise ``parse`` computes the canonical one (or rejects)."""
    from caseserver.sync.mutation import hashes, ledger_hash, parse  # noqa: PLC0415

    raw = {"mutation_id": new_id(), "seq": 1, "record_type": "contact", "record_id": new_id(),
           "op": "create", "base_version": None, "fields": fields, "resolves": None}
    ledger, canonical = hashes(raw)
    assert ledger == ledger_hash(raw)
    try:
        expected: str | None = hashlib.sha256(canonical_json(
            {k: raw[k] for k in ("record_type", "record_id", "op", "base_version", "fields", "resolves")}
        ).encode("utf-8")).hexdigest()
    except (ValueError, TypeError):
        expected = None
    if canonical is not None:
        assert canonical == expected == ledger
    raw["payload_sha256"] = expected if expected is not None else ledger
    assert parse(raw, canonical) == parse(raw)
