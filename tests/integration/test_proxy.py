"""The fault-injecting TCP proxy itself, against a tiny HTTP/1.1 server that counts what
reaches it, with the real httpx client (its pool and timeouts) on the other side."""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.integration.tcp_proxy import Fault, FaultProxy, RequestHead


class Tiny(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: Counter[str] = Counter()
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Tiny

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, payload: dict[str, Any], *, chunked: bool = False) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 7):
                piece = body[start:start + 7]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.received[self.path] += 1
            count = self.server.received[self.path]
        if self.path == "/empty":
            self.send_response(204)
            self.end_headers()
            return
        self._answer({"path": self.path, "count": count, "padding": "x" * 2000},
                     chunked=self.path == "/chunked")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.received[self.path] += 1
            self.server.bodies.append(body)
            count = self.server.received[self.path]
        self._answer({"count": count, "echo": json.loads(body)})


@pytest.fixture
def tiny() -> Iterator[Tiny]:
    server = Tiny()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def proxy(tiny: Tiny) -> Iterator[FaultProxy]:
    with FaultProxy(tiny.url) as made:
        yield made
        assert made.errors == []


@pytest.fixture
def client(proxy: FaultProxy) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=proxy.url, timeout=httpx.Timeout(5.0)) as made:
        yield made


def test_requests_pass_through_on_one_keep_alive_connection(
        tiny: Tiny, proxy: FaultProxy, client: httpx.Client) -> None:
    for n in range(3):
        assert client.post("/push", json={"n": n}).json() == {"count": n + 1, "echo": {"n": n}}
    assert client.get("/chunked").json()["padding"] == "x" * 2000
    assert client.get("/empty").status_code == 204
    assert [r[:2] for r in proxy.requests] == [("POST", "/push")] * 3 + [("GET", "/chunked"),
                                                                        ("GET", "/empty")]
    assert proxy.injected == Counter() and proxy.upstream_deliveries == 5
    assert proxy.connections == 1                             # the client kept its connection


def test_a_dropped_request_never_reaches_the_server(
        tiny: Tiny, proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.plan("drop", path="/push")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/push", json={"n": 1})
    assert tiny.received["/push"] == 0
    assert client.post("/push", json={"n": 2}).json()["count"] == 1   # a new connection works
    assert proxy.injected == Counter({"drop": 1})


def test_a_reset_before_forwarding_is_a_transport_error_and_nothing_arrives(
        tiny: Tiny, proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.plan("reset_before")
    with pytest.raises(httpx.TransportError):
        client.post("/push", json={"n": 1})
    assert tiny.received["/push"] == 0


def test_a_reset_after_the_server_answered_loses_only_the_answer(
        tiny: Tiny, proxy: FaultProxy, client: httpx.Client) -> None:
    client.get("/warm")                                       # the reset hits a pooled connection
    proxy.plan("reset_after", path="/push")
    with pytest.raises(httpx.ReadError):
        client.post("/push", json={"n": 1})
    assert tiny.received["/push"] == 1
    assert client.post("/push", json={"n": 1}).json()["count"] == 2


def test_a_refused_connection_fails_and_the_next_one_is_served(
        tiny: Tiny, proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.plan("refuse")
    with pytest.raises(httpx.TransportError):
        client.get("/a")
    assert tiny.received["/a"] == 0
    assert client.get("/a").json()["count"] == 1
    assert proxy.injected == Counter({"refuse": 1})


def test_idle_connections_closed_under_the_client_make_it_reconnect_into_a_refusal(
        tiny: Tiny, proxy: FaultProxy, client: httpx.Client) -> None:
    assert client.get("/a").json()["count"] == 1
    assert proxy.close_idle() == 1
    proxy.plan("refuse")
    with pytest.raises(httpx.TransportError):
        client.get("/a")                                      # a new connection, reset at once
    assert client.get("/a").json()["count"] == 2
    assert proxy.connections == 2 and proxy.injected == Counter({"refuse": 1})


def test_a_delay_past_the_read_timeout_times_out_after_the_server_committed(
        tiny: Tiny, proxy: FaultProxy) -> None:
    proxy.plan("delay", seconds=0.6)
    with httpx.Client(base_url=proxy.url, timeout=httpx.Timeout(5.0, read=0.2)) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post("/push", json={"n": 1})
        assert tiny.received["/push"] == 1
        proxy.plan("delay", seconds=0.05)
        assert client.post("/push", json={"n": 2}).json()["count"] == 2   # a short delay is fine


def test_a_held_request_reaches_the_server_after_the_client_gave_up(
        tiny: Tiny, proxy: FaultProxy) -> None:
    proxy.plan("delay", path="/push", seconds=0.5, hold=True, label="late")
    with httpx.Client(base_url=proxy.url, timeout=httpx.Timeout(5.0, read=0.1)) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post("/push", json={"n": 1})
        assert tiny.received["/push"] == 0                    # not yet: the client's retry goes first
        assert client.post("/push", json={"n": 2}).json()["count"] == 1
        assert proxy.wait_idle(timeout=5)
    assert tiny.received["/push"] == 2 and json.loads(tiny.bodies[-1]) == {"n": 1}
    assert proxy.injected == Counter({"late": 1})


@pytest.mark.parametrize("path", ["/push", "/chunked"])
def test_a_truncated_body_is_an_incomplete_message(
        tiny: Tiny, proxy: FaultProxy, client: httpx.Client, path: str) -> None:
    proxy.plan("truncate", fraction=0.5)
    with pytest.raises(httpx.RemoteProtocolError):
        if path == "/push":
            client.post(path, json={"n": 1})
        else:
            client.get(path)
    assert tiny.received[path] == 1


@pytest.mark.parametrize("together", [False, True])
@pytest.mark.parametrize("keep", ["first", "second"])
def test_duplicate_delivery_sends_the_same_bytes_twice_and_answers_once(
        tiny: Tiny, proxy: FaultProxy, client: httpx.Client, keep: str, together: bool) -> None:
    proxy.plan("duplicate", path="/push", keep=keep, together=together)
    answer = client.post("/push", json={"n": 7}).json()
    assert tiny.received["/push"] == 2 and len(tiny.bodies) == 2 and len(set(tiny.bodies)) == 1
    if not together:
        assert answer["count"] == (1 if keep == "first" else 2)
    assert client.post("/push", json={"n": 8}).json()["count"] == 3
    assert proxy.upstream_deliveries == 3


def test_planned_faults_match_by_path_in_order_and_the_policy_fills_in(
        tiny: Tiny, proxy: FaultProxy, client: httpx.Client) -> None:
    seen: list[RequestHead | None] = []

    def policy(head: RequestHead | None) -> Fault | None:
        seen.append(head)
        return Fault("drop") if head is not None and head.path == "/by-policy" else None

    proxy.policy = policy
    proxy.plan("drop", path="/push")
    assert client.get("/other").status_code == 200           # the planned drop waits for /push
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/push", json={})
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/by-policy")
    assert proxy.planned == []
    assert RequestHead("GET", "/other") in seen and None in seen   # accepts are asked too
    assert [kind for _m, _p, kind in proxy.requests] == ["", "drop", "drop"]


def test_the_proxy_closes_idle_keep_alive_connections_when_it_stops(tiny: Tiny) -> None:
    proxy = FaultProxy(tiny.url)
    with httpx.Client(base_url=proxy.url) as client:
        client.get("/a")
        proxy.close()
        with pytest.raises(httpx.TransportError):
            client.get("/a")
    with socket.socket() as probe, pytest.raises(OSError):
        probe.connect(("127.0.0.1", proxy.port))


def test_an_unknown_fault_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        Fault("lose_everything")
