"""Random schedules over real sockets: two or three laptops of one officer and the office
edit one caseload while a fault-injecting TCP proxy in front of the real server refuses
connections, drops and resets them before and after the server committed, holds requests and
answers past the client's read timeout, truncates bodies and delivers requests twice. The
laptops use the real httpx client (pool, timeouts, retries) pointed at their own proxy.

Afterwards (faults healed, every conflict settled by the officer): all copies are equal;
every mutation reached a final state; the server's idempotency ledger and its version
history agree with the laptops — nothing sent is missing, nothing was applied twice (every
version the officer's devices wrote is claimed by exactly one applied mutation), and every
conflict the server answered was shown to the officer.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from caseclient.errors import SignedOut, SyncError
from caseclient.storage.outbox import MutationState
from caseclient.storage.store import Store
from caseclient.sync.conflicts import Conflict, Pick, Rejection, dismiss, needing_attention, resolve
from caseclient.sync.engine import SyncEngine
from caseclient.sync.transport import RetryPolicy, ServerConfig, Transport
from caseserver.db.tables import ledger, record_versions
from caseserver.embedded import EmbeddedServer, embedded_server
from tests.helpers.clock import FakeClock
from tests.integration import soak_counts
from tests.integration.conftest import FAST, PASSWORD, Laptop, Office
from tests.integration.tcp_proxy import Fault, FaultProxy
from tests.integration.test_convergence import _visible

READ_TIMEOUT = 0.5                 # the laptops' read timeout; a stall outlasts it
SLOW = READ_TIMEOUT + 0.2

FAULTS = ("none", "none", "refuse", "drop", "reset_before", "reset_after", "delay", "stall", "late",
          "truncate", "duplicate", "duplicate_together")
PATHS = ("/sync/push", "/sync/push", "/sync/push", "/sync/pull", "/sync/handshake", "/auth/refresh")
# "wait": a quarter of an hour passes, so the laptops' access tokens expire and the next sync
# refreshes them (through the proxy, which may fault the refresh too).
ACTIONS = ("new", "new", "notes", "notes", "notes", "location", "location", "delete", "stray",
           "sync", "sync", "sync", "sync", "wait")
TOKEN_LIFE_PAST = 16                # minutes: past the server's 15-minute access tokens
ACTORS = ("0", "1", "2", "office")
FINAL = {MutationState.APPLIED, MutationState.DUPLICATE, MutationState.RESOLVED, MutationState.DISMISSED}


class Step(NamedTuple):
    actor: str
    action: str
    target: int
    fault: str
    path: str
    times: int                    # the fault hits this many requests in a row (3: retries run out)


step = st.builds(Step, st.sampled_from(ACTORS), st.sampled_from(ACTIONS), st.integers(0, 3),
                 st.sampled_from(FAULTS), st.sampled_from(PATHS), st.sampled_from((1, 1, 1, 2, 3)))


def fault_for(kind: str, path: str, n: int) -> Fault:
    keep = "first" if n % 2 else "second"
    if kind == "refuse":
        return Fault("refuse", label=kind)
    if kind == "delay":
        return Fault("delay", path, seconds=0.05, label=kind)
    if kind == "stall":
        return Fault("delay", path, seconds=SLOW, label=kind)
    if kind == "late":
        return Fault("delay", path, seconds=SLOW, hold=True, label=kind)
    if kind == "duplicate_together":
        return Fault("duplicate", path, keep=keep, together=True, label=kind)
    if kind == "duplicate":
        return Fault("duplicate", path, keep=keep, label=kind)
    return Fault(kind, path, label=kind)


@dataclass
class ProxiedLaptop(Laptop):
    """A laptop whose server address is its own fault proxy, with the real httpx transport."""

    proxy: FaultProxy | None = None

    def _open(self) -> None:
        assert self.proxy is not None
        self.store = Store.open(self.folder / "cases.db", self.key, backups_dir=self.folder / "backups",
                                clock=self.clock)
        config = ServerConfig(self.proxy.url, connect_timeout=2.0, read_timeout=READ_TIMEOUT)
        self.transport = Transport(config, client_id=self.store.client_id, credentials=self.credentials,
                                   retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05,
                                                     max_wait=10.0))
        self.engine = SyncEngine(self.store, self.transport, clock=self.clock, batch_size=8, page_size=10)

    def close(self) -> None:
        self.transport.close()
        self.store.close()


@dataclass
class World:
    server: EmbeddedServer
    office: Office
    laptops: list[ProxiedLaptop]
    proxies: list[FaultProxy]
    clock: FakeClock
    contacts: list[str]
    strays: list[str]
    counts: Counter[str]
    conflicts_shown: set[str]


def _office_step(world: World, s: Step, n: int) -> None:
    office = world.office
    if s.action == "new":
        contact_id = str(uuid.uuid4())
        office.server.services.admin.put_record(
            record_type="contact", record_id=contact_id, actor="OFFICE1",
            fields={"case_id": office.case_id, "contact_type": "COAP", "date": "2026-11-25",
                    "sensitive": False, "alert": False, "notes": f"office {n}"})
        world.contacts.append(contact_id)
        world.counts["edits"] += 1
        return
    known = world.contacts[s.target % len(world.contacts)] if world.contacts else None
    current = office.fields(known) if known else None
    if known is None or current is None or current["_deleted"] or s.action not in ("notes", "location",
                                                                                  "delete"):
        return
    if s.action == "delete":
        office.delete(known)
    else:
        office.edit("contact", known, **{s.action: f"office {n}"})
    world.counts["edits"] += 1


def _sync(world: World, laptop: ProxiedLaptop) -> None:
    """A sync; when the laptop was signed out (a refresh lost after the server rotated it, so
    the next one is a reuse and revokes the device), the officer signs in again, as the status
    bar asks, and nothing waiting is lost meanwhile."""
    try:
        laptop.sync()
    except SignedOut:
        world.counts["signins"] += 1
        event("signed out, signed in again")
        laptop.login()
        laptop.sync()


def _laptop_step(world: World, s: Step, n: int) -> None:
    if s.action == "wait":
        world.clock.advance(minutes=TOKEN_LIFE_PAST)
        event("access tokens expired")
        return
    index = int(s.actor) % len(world.laptops)
    laptop, proxy = world.laptops[index], world.proxies[index]
    if s.action == "sync":
        if s.fault == "refuse":
            proxy.close_idle()           # the next request needs a new connection: refused
        if s.fault != "none":
            for _ in range(s.times):
                proxy.add(fault_for(s.fault, s.path, n))
        with contextlib.suppress(SyncError):     # the fault did its work
            _sync(world, laptop)
        proxy.clear()
        return
    if s.action == "new":
        world.contacts.append(laptop.contact(notes=f"laptop {index} {n}"))
    elif s.action == "stray":      # on a case that is not on the caseload: the server refuses it
        world.strays.append(laptop.contact(case_id=str(uuid.uuid4()), notes=f"stray {n}"))
    else:
        known = world.contacts[s.target % len(world.contacts)] if world.contacts else None
        record = laptop.store.records.get("contact", known) if known else None
        if known is None or record is None or record.deleted:
            return
        if s.action == "delete":
            laptop.store.records.delete("contact", known, "Recorded in error")
        else:
            laptop.store.records.save("contact", known, {s.action: f"laptop {index} {n}"})
    world.counts["edits"] += 1


def _settle(world: World) -> None:
    """Faults healed: sync every laptop and settle whatever needs attention, until quiet."""
    for proxy in world.proxies:
        proxy.clear()
        assert proxy.wait_idle(timeout=30), "a held request never reached the server"
    for round_ in range(8):
        busy = False
        for laptop in world.laptops:
            try:
                _sync(world, laptop)
            except SyncError:
                busy = True              # a slow machine's timeout; the next round tries again
                continue
            for item in needing_attention(laptop.store):
                busy = True
                if isinstance(item, Rejection):
                    world.counts["rejections"] += 1
                    event(f"refused: {item.reason}")
                    dismiss(laptop.store, item, clock=world.clock)
                elif isinstance(item, Conflict):
                    world.counts["conflicts"] += 1
                    world.conflicts_shown.add(item.record_id)
                    pick = Pick.MINE if round_ % 2 else Pick.THEIRS
                    resolve(laptop.store, item, {d.name: pick for d in item.fields},
                            keep_deleted=True if item.deleted_by_server or item.deleted_by_me else None,
                            clock=world.clock)
            counts = laptop.store.outbox_counts()
            busy = busy or any(counts.get(state, 0) for state in (MutationState.PENDING,
                                                                  MutationState.SENDING))
        if not busy:
            break
    for _ in range(2):                   # everyone hears the last settlements
        for laptop in world.laptops:
            _sync(world, laptop)


def _server_history(server: EmbeddedServer) -> tuple[dict[tuple[str, str], dict[str, Any]],
                                                     set[tuple[str, int]]]:
    """The ledger by (client, mutation) and the versions the officer's devices wrote."""
    with server.services.db.read() as conn:
        entries = {(row.client_id, row.mutation_id): json.loads(row.result)
                   for row in conn.execute(select(ledger.c.client_id, ledger.c.mutation_id,
                                                  ledger.c.result))}
        written = {(row.record_id, row.version)
                   for row in conn.execute(select(record_versions.c.record_id, record_versions.c.version)
                                           .where(record_versions.c.changed_by == "PO1"))}
    return entries, written


def _check(world: World) -> None:
    office = world.office
    entries, written = _server_history(world.server)
    claimed: set[tuple[str, int]] = set()
    known: set[tuple[str, str]] = set()
    for laptop in world.laptops:
        client = laptop.store.client_id
        for record_id in world.contacts + world.strays:
            for mutation in laptop.store.records.mutations("contact", record_id):
                assert mutation.state in FINAL, mutation.state
                known.add((client, mutation.mutation_id))
                entry = entries.get((client, mutation.mutation_id))
                if mutation.state in (MutationState.APPLIED, MutationState.DUPLICATE):
                    # the laptop holds it as taken: the server's ledger says so too
                    assert entry is not None, "a mutation taken as sent is unknown to the server"
                    assert entry["result"] in ("applied", "duplicate"), entry["result"]
                    if entry["result"] == "applied":
                        claimed.add((record_id, entry["version"]))
                elif entry is not None and entry["result"] == "conflict":
                    assert mutation.state is MutationState.RESOLVED
                    assert record_id in world.conflicts_shown, "a conflict was never shown"
                elif entry is not None and entry["result"] == "rejected":
                    assert mutation.state is MutationState.DISMISSED
        # every answer the server gave this device belongs to a mutation the device still knows
        for (entry_client, mutation_id), entry in entries.items():
            if entry_client == client:
                assert (client, mutation_id) in known, f"the server holds a {entry['result']} " \
                                                       "mutation the laptop forgot"
    # each version the officer's devices wrote is the answer to an applied mutation: a replay
    # applied again would write a version no ledger entry accounts for (a no-op change is
    # answered with the current version, so one version may be claimed more than once)
    contact_versions = {(r, v) for r, v in written if r in set(world.contacts)}
    assert contact_versions <= claimed, "a version on the server no mutation accounts for"
    for contact_id in world.contacts:
        central = office.fields(contact_id)
        assert central is not None, "a contact the officer finished never reached the server"
        for laptop in world.laptops:
            local = laptop.store.records.get("contact", contact_id)
            assert local is not None
            assert local.deleted == central["_deleted"]
            assert local.version == central["_version"]
            if not local.deleted:
                assert _visible(dict(local.fields)) == _visible(central)
    for stray in world.strays:
        assert office.fields(stray) is None
    for proxy in world.proxies:
        assert proxy.errors == []


def _run(schedule: list[Step], devices: int, folder: Path) -> None:
    clock = FakeClock()
    with embedded_server(folder / "server.db", settings=FAST, clock=clock) as server, \
            contextlib.ExitStack() as stack:
        admin = server.services.admin
        for code in ("PO1", "OFFICE1"):
            admin.add_officer(staff_code=code, username=code.lower(), password=PASSWORD,
                              name=f"Officer {code}", grade="PO", team="North")
        case_id = str(uuid.uuid4())
        admin.put_record(record_type="case", record_id=case_id,
                         fields={"crn": "A000001", "first_name": "Alex", "last_name": "Example",
                                 "officer_code": "PO1"})
        office = Office(server, clock, case_id, case_id)
        proxies = [stack.enter_context(FaultProxy(server.base_url)) for _ in range(devices)]
        laptops: list[ProxiedLaptop] = []
        for index, proxy in enumerate(proxies):
            laptop = ProxiedLaptop(folder / f"laptop{index}", office, clock, proxy=proxy)
            stack.callback(laptop.close)
            laptops.append(laptop)
        world = World(server, office, laptops, proxies, clock, [], [], Counter(), set())
        for laptop in laptops:
            laptop.login()
            laptop.sync()
        for n, s in enumerate(schedule):
            if s.actor == "office":
                _office_step(world, s, n)
            else:
                _laptop_step(world, s, n)
        _settle(world)
        event("conflicts shown" if world.conflicts_shown else "no conflict")
        _check(world)
        faults: Counter[str] = Counter()
        for proxy in proxies:
            faults.update(proxy.injected)
        mutations = duplicates = 0
        for laptop in laptops:
            sent, dup = soak_counts.final_states(laptop.store.outbox_counts())
            mutations, duplicates = mutations + sent, duplicates + dup
        soak_counts.record("proxy", faults=faults, schedules=1, edits=world.counts["edits"],
                           mutations=mutations, duplicates=duplicates,
                           conflicts=world.counts["conflicts"], rejections=world.counts["rejections"])


# CI runs a few schedules; scripts/soak sets CASECLIENT_SYNC_SCHEDULES (e.g. 500).
EXAMPLES = int(os.environ.get("CASECLIENT_SYNC_SCHEDULES", "8"))


PUSH = "/sync/push"
# Every run also plays these: answers lost after the commit and requests delivered twice or
# late (the ledger answers duplicate), and the same contact edited on two laptops and in the
# office under faults (conflicts shown and settled).
REPLAYS = [Step("0", "new", 0, "none", PUSH, 1), Step("0", "sync", 0, "reset_after", PUSH, 1),
           Step("0", "new", 0, "none", PUSH, 1), Step("0", "sync", 0, "duplicate_together", PUSH, 1),
           Step("1", "sync", 0, "duplicate", PUSH, 1), Step("1", "notes", 0, "none", PUSH, 1),
           Step("1", "sync", 0, "late", PUSH, 1), Step("0", "new", 0, "none", PUSH, 1),
           Step("0", "sync", 0, "stall", PUSH, 2), Step("0", "delete", 1, "none", PUSH, 1),
           Step("0", "sync", 0, "truncate", PUSH, 3)]
CLASHES = [Step("0", "new", 0, "none", PUSH, 1), Step("0", "sync", 0, "refuse", PUSH, 1),
           Step("1", "sync", 0, "drop", "/sync/pull", 1), Step("2", "sync", 0, "none", PUSH, 1),
           Step("0", "notes", 0, "none", PUSH, 1), Step("1", "notes", 0, "none", PUSH, 1),
           Step("office", "location", 0, "none", PUSH, 1), Step("2", "delete", 0, "none", PUSH, 1),
           Step("office", "notes", 0, "none", PUSH, 1), Step("0", "sync", 0, "reset_after", PUSH, 1),
           Step("1", "sync", 0, "duplicate", PUSH, 1), Step("2", "sync", 0, "reset_before", PUSH, 2)]

REFRESH = "/auth/refresh"
# Access tokens expire mid-schedule: a refresh whose answer is lost after the server rotated the
# token (the retry is a reuse: the device is signed out and signs in again), and one dropped.
TOKENS = [Step("0", "new", 0, "none", PUSH, 1), Step("0", "sync", 0, "none", PUSH, 1),
          Step("0", "wait", 0, "none", PUSH, 1), Step("0", "notes", 0, "none", PUSH, 1),
          Step("0", "sync", 0, "reset_after", REFRESH, 1), Step("1", "notes", 0, "none", PUSH, 1),
          Step("1", "wait", 0, "none", PUSH, 1), Step("1", "sync", 0, "drop", REFRESH, 1),
          Step("0", "sync", 0, "none", PUSH, 1)]


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(step, min_size=8, max_size=40), st.integers(2, 3))
@example(REPLAYS, 2)
@example(CLASHES, 3)
@example(TOKENS, 2)
def test_random_edits_under_socket_faults_converge(schedule: list[Step], devices: int) -> None:
    with tempfile.TemporaryDirectory(prefix=f"proxy-conv-{secrets.token_hex(4)}-") as folder:
        _run(schedule, devices, Path(folder))
