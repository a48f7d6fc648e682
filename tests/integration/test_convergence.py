"""Random schedules: two laptops of one officer and the office edit the same caseload while
requests and answers are lost, the server fails and replies arrive garbled. Afterwards
(faults healed, every conflict settled by the officer) all copies are equal, nothing the
officer sent is missing, and every mutation reached a final state."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from caseclient.errors import SyncError
from caseclient.storage.outbox import MutationState
from caseclient.sync.conflicts import Conflict, Pick, Rejection, dismiss, needing_attention, resolve
from caseserver.embedded import embedded_server
from tests.helpers.clock import FakeClock
from tests.integration.conftest import FAST, PASSWORD, Laptop, Office

FAULTS = ("none", "none", "lose_request", "lose_response", "status_500", "truncate")
ACTIONS = ("new", "notes", "notes", "location", "delete", "sync", "sync", "sync", "stray")
ACTORS = ("A", "B", "office")

step = st.tuples(st.sampled_from(ACTORS), st.sampled_from(ACTIONS), st.integers(0, 2),
                 st.sampled_from(FAULTS))


def _visible(fields: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in fields.items() if v is not None and not k.startswith("_")}


def _run(schedule: list[tuple[str, str, int, str]], folder: Path) -> None:
    clock = FakeClock()
    with embedded_server(folder / "server.db", settings=FAST, clock=clock) as server:
        admin = server.services.admin
        admin.add_officer(staff_code="PO1", username="po1", password=PASSWORD, name="Officer PO1",
                          grade="PO", team="North")
        case_id = str(uuid.uuid4())
        admin.put_record(record_type="case", record_id=case_id,
                         fields={"crn": "A000001", "first_name": "Alex", "last_name": "Example",
                                 "officer_code": "PO1"})
        office = Office(server, clock, case_id, case_id)
        laptops = {name: Laptop(folder / name, office, clock) for name in ("A", "B")}
        try:
            for laptop in laptops.values():
                laptop.login()
                laptop.sync()
            contacts: list[str] = []
            strays: list[tuple[Laptop, str]] = []    # on a case not on the caseload: refused
            for n, (actor, action, target, fault) in enumerate(schedule):
                known = contacts[target % len(contacts)] if contacts else None
                if actor == "office":
                    current = office.fields(known) if known else None
                    if current is None or current["_deleted"]:
                        continue
                    if action == "delete":
                        office.delete(known)  # type: ignore[arg-type]
                    elif action in ("notes", "location"):
                        office.edit("contact", known, **{action: f"office {n}"})  # type: ignore[arg-type]
                    continue
                laptop = laptops[actor]
                if action == "new":
                    contacts.append(laptop.contact(notes=f"{actor} {n}"))
                elif action == "stray":
                    strays.append((laptop, laptop.contact(case_id=str(uuid.uuid4()), notes=f"stray {n}")))
                elif action == "sync":
                    if fault != "none":
                        laptop.faults.plan("/sync/push" if n % 2 else "/sync/pull", fault)
                    with contextlib.suppress(SyncError):   # the fault did its work
                        laptop.sync()
                    laptop.faults.faults.clear()
                elif known is not None:
                    record = laptop.store.records.get("contact", known)
                    if record is None or record.deleted:
                        continue
                    if action == "delete":
                        laptop.store.records.delete("contact", known, "Recorded in error")
                    else:
                        laptop.store.records.save("contact", known, {action: f"{actor} {n}"})
            # heal: no more faults; the officer settles everything that needs attention
            settled = 0
            rejected: set[str] = set()      # records whose refused change the officer dismissed
            for _round in range(6):
                for laptop in laptops.values():
                    laptop.sync()
                    for item in needing_attention(laptop.store):
                        settled += 1
                        event(f"needs attention: {type(item).__name__}")
                        if isinstance(item, Rejection):
                            rejected.add(item.record_id)
                            event(f"refused: {item.reason}")
                            dismiss(laptop.store, item, clock=clock)
                        elif isinstance(item, Conflict):
                            pick = Pick.MINE if _round % 2 else Pick.THEIRS
                            resolve(laptop.store, item, {d.name: pick for d in item.fields},
                                    keep_deleted=True if item.deleted_by_server or item.deleted_by_me
                                    else None, clock=clock)
            for laptop in laptops.values():
                laptop.sync()
            event("something needed attention" if settled else "nothing needed attention")
            event(f"strays: {min(len(strays), 2)}{'+' if len(strays) > 2 else ''}")
            for laptop, stray in strays:
                assert stray in rejected
                assert office.fields(stray) is None
                assert [m.state for m in laptop.store.records.mutations("contact", stray)] == [
                    MutationState.DISMISSED]
            for laptop in laptops.values():
                final = {MutationState.APPLIED, MutationState.DUPLICATE, MutationState.RESOLVED,
                         MutationState.DISMISSED}
                for contact_id in contacts:
                    for mutation in laptop.store.records.mutations("contact", contact_id):
                        assert mutation.state in final, mutation.state
                for contact_id in contacts:
                    central = office.fields(contact_id)
                    local = laptop.store.records.get("contact", contact_id)
                    if central is None:
                        # only a create the server refused (and the officer dismissed) is absent
                        assert contact_id in rejected, "a finished contact never reached the server"
                        continue
                    assert local is not None
                    assert local.deleted == central["_deleted"]
                    assert local.version == central["_version"]
                    if not local.deleted:
                        assert _visible(dict(local.fields)) == _visible(central)
        finally:
            for laptop in laptops.values():
                laptop.close()


# CI runs a few schedules; a soak run sets CASECLIENT_SYNC_SCHEDULES (e.g. 500).
EXAMPLES = int(os.environ.get("CASECLIENT_SYNC_SCHEDULES", "12"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=8, max_size=40))
def test_random_edits_under_random_faults_converge(schedule: list[tuple[str, str, int, str]]) -> None:
    with tempfile.TemporaryDirectory(prefix=f"conv-{secrets.token_hex(4)}-") as folder:
        _run(schedule, Path(folder))
