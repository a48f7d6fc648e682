"""Eight devices pushing and pulling at once: every puller ends with exactly the
server's final state, sees each record version at most once and in increasing
order (so nothing committed late was skipped), and every replay is a duplicate."""

from __future__ import annotations

import random
import threading
import uuid
from typing import Any

import httpx

from caseserver.records import StoredRecord
from tests.server.api import Device, World, contact_fields, mutation

CLIENTS = 8
ROUNDS = 6
BATCH = 3


def _worker(world: World, index: int, shared: list[str], barrier: threading.Barrier,
            outcome: dict[int, Any]) -> None:
    rng = random.Random(index)
    with httpx.Client(base_url=world.server.api_url, timeout=60) as http:
        device = Device(http, str(uuid.uuid4()))
        assert device.login("po1").status_code == 200
        seen: dict[str, dict[str, Any]] = {}
        deliveries: list[tuple[str, int]] = []
        sent: list[dict[str, Any]] = []
        cursor: str | None = None

        def pull_some(limit: int) -> bool:
            nonlocal cursor
            response = device.pull_raw(cursor, limit)
            assert response.status_code == 200, response.text
            body = response.json()
            for change in body["changes"]:
                deliveries.append((change["record_id"], change["version"]))
                seen[change["record_id"]] = change
            cursor = body["next_cursor"]
            return bool(body["has_more"])

        barrier.wait()
        for _ in range(ROUNDS):
            batch = []
            for _ in range(BATCH):
                if rng.random() < 0.5:
                    batch.append(mutation("contact", str(uuid.uuid4()), "create",
                                          contact_fields(world.case_a, notes=f"client {index}"),
                                          seq=device.next_seq))
                else:
                    target = rng.choice(shared)
                    base = seen.get(target, {}).get("version", 1)
                    batch.append(mutation("contact", target, "update",
                                          {rng.choice(["notes", "location"]): f"client {index}"},
                                          seq=device.next_seq, base_version=base))
                device.next_seq += 1
            body = device.push(*batch)
            assert [r["mutation_id"] for r in body["results"]] == [m["mutation_id"] for m in batch]
            assert all(r["result"] in ("applied", "conflict") for r in body["results"])
            sent += batch
            pull_some(rng.choice([2, 5, 50]))
        barrier.wait()  # every push has committed
        while pull_some(7):
            pass
        replay = device.push(*sent)
        outcome[index] = {"seen": seen, "deliveries": deliveries, "replay": replay, "sent": sent}


def test_eight_devices_pushing_and_pulling(world: World) -> None:
    setup = world.device("po1")
    shared = [str(uuid.uuid4()) for _ in range(3)]
    for record_id in shared:
        assert setup.send("contact", record_id, "create", contact_fields(world.case_a))["result"] == "applied"
    barrier = threading.Barrier(CLIENTS)
    outcome: dict[int, Any] = {}
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            _worker(world, index, shared, barrier, outcome)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors

    final: dict[str, StoredRecord] = {r.record_id: r for r in world.server.services.admin.all_records()
                                      if r.case_id in (None, world.case_a)}
    for index in range(CLIENTS):
        result = outcome[index]
        assert {k: (v["version"], v["fields"]) for k, v in result["seen"].items()} == \
            {k: (v.version, v.fields) for k, v in final.items()}
        deliveries = result["deliveries"]
        assert len(deliveries) == len(set(deliveries)), "a version was delivered twice"
        last: dict[str, int] = {}
        for record_id, version in deliveries:
            assert version > last.get(record_id, 0), "versions went backwards"
            last[record_id] = version
        replay = result["replay"]["results"]
        assert len(replay) == len(result["sent"])
        assert {r["result"] for r in replay} <= {"duplicate", "conflict"}
        assert sum(r["result"] == "duplicate" for r in replay) >= 1
