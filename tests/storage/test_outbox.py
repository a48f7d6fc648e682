"""Choosing and numbering a push batch: read in chunks, numbered in one go."""

from __future__ import annotations

import uuid

import pytest

from caseclient.storage import meta, outbox
from caseclient.storage.store import Store
from tests.helpers.clock import FakeClock
from tests.helpers.records import case_change


def queue(store: Store, clock: FakeClock, record_id: str, op: str, base_version: int | None = None) -> str:
    if store.records.get("contact", record_id) is None:
        case = case_change(crn=f"X{abs(hash(record_id)) % 1_000_000:06d}")
        store.records.apply_server_records([case, {
            "record_type": "contact", "record_id": record_id, "version": 1, "changed_by": "PO1",
            "fields": {"case_id": case["record_id"], "contact_type": "COAP", "notes": "held"}}])
    with store.db.transaction() as conn:
        mutation = outbox.enqueue(conn, record_type="contact", record_id=record_id, op=op,
                                  base_version=base_version, fields={"notes": op}, now=clock(), absorb=False)
    return mutation.mutation_id


def test_a_batch_is_chosen_across_chunks_one_mutation_per_record(store: Store, clock: FakeClock) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    create_first = queue(store, clock, first, "create")
    for _ in range(3):      # later edits of the same record wait for the create's answer
        queue(store, clock, first, "update", base_version=1)
    create_second = queue(store, clock, second, "create")
    with store.db.transaction() as conn:
        # limit 2 reads 4 rows at a time: the second record's create is in the second chunk
        assert [m.mutation_id for m in outbox.next_batch(conn, 2)] == [create_first, create_second]
        assert [m.mutation_id for m in outbox.next_batch(conn, 1)] == [create_first]


def test_mark_sending_numbers_new_mutations_in_the_order_given(store: Store, clock: FakeClock) -> None:
    ids = [queue(store, clock, str(uuid.uuid4()), "create") for _ in range(4)]
    with store.db.transaction() as conn:
        outbox.mark_sending(conn, [ids[1]], clock())
        outbox.mark_sending(conn, [ids[3], ids[1], ids[0]], clock())   # ids[1] keeps its number
        sent = outbox.get_many(conn, [ids[3], ids[2], ids[1], ids[0]])
        assert [m.mutation_id for m in sent] == [ids[3], ids[2], ids[1], ids[0]]
        assert [m.wire_seq for m in sent] == [2, None, 1, 3]
        assert [m.attempts for m in sent] == [1, 0, 2, 1]
        assert meta.get(conn, outbox.NEXT_WIRE_SEQ) == "4"
        assert outbox.get_many(conn, [str(uuid.uuid4())]) == []


def test_a_marked_batch_is_returned_as_it_is_read_back(store: Store, clock: FakeClock) -> None:
    """``mark_batch_sending`` hands back what ``get_many`` reads after ``mark_sending``: for a
    first offer (an update given its base on the way) and for a batch offered before."""
    records = [str(uuid.uuid4()) for _ in range(3)]
    queue(store, clock, records[0], "create")
    queue(store, clock, records[1], "update")            # no base yet: next_batch gives it one
    queue(store, clock, records[2], "update", base_version=1)
    for _round in range(2):
        with store.db.transaction() as conn:
            batch = outbox.next_batch(conn, 10)
            marked = outbox.mark_batch_sending(conn, batch, clock())
            assert marked == outbox.get_many(conn, [m.mutation_id for m in batch])
        assert [m.wire_seq for m in marked] == [1, 2, 3]
        assert [m.attempts for m in marked] == [_round + 1] * 3
        assert marked[1].base_version == 1
        with store.db.transaction() as conn:
            outbox.revert_sending(conn)                  # as at start-up: offered again, numbers kept
    with store.db.transaction() as conn:
        batch = outbox.next_batch(conn, 10)
        with pytest.raises(ValueError):
            outbox.mark_batch_sending(conn, batch + batch[:1], clock())
