"""A fault-injecting TCP proxy on loopback, in front of an HTTP/1.1 server (the embedded
caseserver), so the real httpx client — its connection pool, timeouts and retries — meets
faults at the socket level rather than inside a transport wrapper.

    with FaultProxy(server.base_url) as proxy:
        proxy.plan("reset_after", path="/sync/push")     # the next push: committed, answer lost
        ServerConfig(proxy.url) ...

The proxy reads each request off the client's keep-alive connection (Content-Length or
chunked framing), decides on a fault for that one request, and forwards it to the server on
a fresh upstream connection. The kinds:

- ``refuse``: a new connection is reset as soon as it is accepted, before any request;
- ``drop``: the request is read and never forwarded; the connection closes (FIN);
- ``reset_before``: as ``drop``, but the connection is reset (RST);
- ``reset_after``: the server answers in full (it has committed), the client gets a reset;
- ``delay``: the answer is held back ``seconds`` (past the client's read timeout: a timeout
  after the commit); with ``hold`` the request is held back instead, so it reaches the
  server late — after the client gave up, and perhaps after its retry;
- ``truncate``: the status line, the headers and part of the body, then the connection closes;
- ``duplicate``: the request bytes go to the server twice (one after the other, or
  ``together`` on two connections at once); the client gets one of the answers.

Faults come from a FIFO plan (matched by path suffix) and, when the plan has none, from an
optional ``policy`` callable. Only methods, paths and fault kinds are counted — never bodies.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import BinaryIO
from urllib.parse import urlsplit

KINDS = ("refuse", "drop", "reset_before", "reset_after", "delay", "truncate", "duplicate")
MAX_HEAD = 64 * 1024


class ProxyError(Exception):
    """The bytes on one side were not HTTP/1.1 the proxy can frame; the connection closes."""


@dataclass(frozen=True)
class Fault:
    kind: str
    path: str = ""                # a path suffix; "" matches every request
    seconds: float = 0.0          # delay
    fraction: float = 0.5         # truncate: how much of the body gets through
    keep: str = "second"          # duplicate: which answer the client gets ("first" | "second")
    together: bool = False        # duplicate: both deliveries at once, on two connections
    hold: bool = False            # delay: hold the request back rather than the answer
    label: str = ""               # counted under this name instead of the kind

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}")


@dataclass(frozen=True)
class RequestHead:
    method: str
    path: str                     # without the query


@dataclass
class Message:
    """One framed HTTP message: the head as received and the body as framed on the wire."""

    start: bytes                  # the request or status line, without CRLF
    headers: list[tuple[str, str]]
    head: bytes                   # start line, headers and the blank line, as received
    body: bytes                   # the body bytes as on the wire (chunk framing kept)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    @property
    def raw(self) -> bytes:
        return self.head + self.body

    @property
    def closes(self) -> bool:
        return (self.header("connection") or "").lower() == "close"


Policy = Callable[[RequestHead | None], Fault | None]


def _read_head(stream: BinaryIO) -> tuple[bytes, list[tuple[str, str]], bytes] | None:
    """The start line and headers; None on a clean end of stream before any byte."""
    lines: list[bytes] = []
    size = 0
    while True:
        line = stream.readline(MAX_HEAD + 1)
        if not line:
            if lines:
                raise ProxyError("the stream ended inside a message head")
            return None
        if not lines and line in (b"\r\n", b"\n"):
            continue                      # tolerated between messages (RFC 9112 § 2.2)
        size += len(line)
        if size > MAX_HEAD:
            raise ProxyError("message head too long")
        lines.append(line)
        if line in (b"\r\n", b"\n"):
            break
    headers: list[tuple[str, str]] = []
    for line in lines[1:-1]:
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise ProxyError("a header line without a colon")
        headers.append((name.strip(), value.strip()))
    return lines[0].rstrip(b"\r\n"), headers, b"".join(lines)


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) != size:
        raise ProxyError("the stream ended inside a body")
    return data


def _read_chunked(stream: BinaryIO) -> bytes:
    parts: list[bytes] = []
    while True:
        line = stream.readline(MAX_HEAD)
        if not line.endswith(b"\n"):
            raise ProxyError("the stream ended inside a chunk size")
        parts.append(line)
        size = int(line.split(b";", 1)[0].strip() or b"x", 16)
        if size == 0:
            while True:                   # trailers, up to the blank line
                trailer = stream.readline(MAX_HEAD)
                if not trailer.endswith(b"\n"):
                    raise ProxyError("the stream ended inside the trailers")
                parts.append(trailer)
                if trailer in (b"\r\n", b"\n"):
                    return b"".join(parts)
        parts.append(_read_exact(stream, size + 2))


def read_message(stream: BinaryIO, *, response_to: str | None = None) -> Message | None:
    """One request (``response_to`` None) or the response to a request of that method."""
    got = _read_head(stream)
    if got is None:
        return None
    start, headers, head = got
    message = Message(start, headers, head, b"")
    if response_to is not None:
        parts = start.split(b" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if response_to == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return message
    encoding = (message.header("transfer-encoding") or "").lower()
    length = message.header("content-length")
    if "chunked" in encoding:
        message.body = _read_chunked(stream)
    elif length is not None:
        if not length.isdigit():
            raise ProxyError("a Content-Length that is not a number")
        message.body = _read_exact(stream, int(length))
    elif response_to is not None:
        message.body = stream.read()      # delimited by the end of the connection
        message.headers.append(("Connection", "close"))
    return message


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER on, zero seconds)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class FaultProxy:
    """A threaded TCP proxy on 127.0.0.1 with per-request planned faults."""

    def __init__(self, upstream_url: str, *, policy: Policy | None = None,
                 upstream_timeout: float = 30.0) -> None:
        parts = urlsplit(upstream_url)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError("the proxy speaks plain HTTP to a host:port upstream")
        self._upstream = (parts.hostname, parts.port)
        self._upstream_timeout = upstream_timeout
        self.policy = policy
        self._plan: list[Fault] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._clients: dict[socket.socket, bool] = {}   # client connection → a request in hand
        self._threads: list[threading.Thread] = []
        self.injected: Counter[str] = Counter()         # fault kind → times injected
        self.requests: list[tuple[str, str, str]] = []  # (method, path, fault kind or "")
        self.errors: list[str] = []                     # framing problems (should stay empty)
        self.upstream_deliveries = 0                    # requests written to the server
        self.connections = 0                            # client connections accepted and served
        self._busy = 0                                  # requests being handled
        self._idle = threading.Condition(self._lock)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"fault-proxy:{self.port}",
                                          daemon=True)
        self._acceptor.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- planning ------------------------------------------------------------------------
    def plan(self, kind: str, path: str = "", **options: object) -> Fault:
        return self.add(Fault(kind, path, **options))  # type: ignore[arg-type]

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._plan.append(fault)
        return fault

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no request is being handled (a held one has reached the server)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def close_idle(self) -> int:
        """Close the client connections with no request in hand, as a server's keep-alive
        timeout (or a NAT box) would: the client's next request needs a new connection."""
        with self._lock:
            idle = [sock for sock, busy in self._clients.items() if not busy]
        for sock in idle:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return len(idle)

    def clear(self) -> None:
        with self._lock:
            self._plan.clear()

    @property
    def planned(self) -> list[Fault]:
        with self._lock:
            return list(self._plan)

    def _take(self, head: RequestHead | None) -> Fault | None:
        with self._lock:
            for fault in self._plan:
                if (head is None and fault.kind == "refuse") or (
                        head is not None and fault.kind != "refuse" and head.path.endswith(fault.path)):
                    self._plan.remove(fault)
                    break
            else:
                fault = None
        if fault is None and self.policy is not None:
            fault = self.policy(head)
            if fault is not None and (fault.kind == "refuse") != (head is None):
                fault = None              # refusal happens at accept, the others per request
        if fault is not None:
            with self._lock:
                self.injected[fault.label or fault.kind] += 1
        return fault

    # ---- life --------------------------------------------------------------------------------
    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._stopping.set()
        self._acceptor.join(timeout=5)
        self._listener.close()
        with self._lock:
            clients = list(self._clients)
        for sock in clients:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(timeout=5)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._take(None) is not None:
                _reset(sock)
                continue
            sock.settimeout(None)
            with self._lock:
                self.connections += 1
                self._clients[sock] = False
                self._threads = [t for t in self._threads if t.is_alive()]
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True,
                                      name=f"fault-proxy:{self.port}:conn")
            self._threads.append(thread)
            thread.start()

    # ---- one client connection -------------------------------------------------------------
    def _serve(self, sock: socket.socket) -> None:
        stream = sock.makefile("rb")
        reset = False
        try:
            reset = self._exchange_all(sock, stream)
        except (ProxyError, ValueError) as error:
            if not self._stopping.is_set():
                self.errors.append(f"{type(error).__name__}: {error}")
        except OSError:
            pass                          # the client went away (or the proxy is closing)
        finally:
            stream.close()
            with self._lock:
                self._clients.pop(sock, None)
            if reset:
                _reset(sock)
            else:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _exchange_all(self, sock: socket.socket, stream: BinaryIO) -> bool:
        """Serve requests until the connection ends; True when it must end with a reset."""
        while not self._stopping.is_set():
            request = read_message(stream)
            if request is None:
                return False
            method, _sp, rest = request.start.decode("latin-1").partition(" ")
            head = RequestHead(method, rest.split(" ", 1)[0].split("?", 1)[0])
            with self._lock:
                self._busy += 1
                self._clients[sock] = True
            try:
                outcome = self._exchange(sock, request, head)
            finally:
                with self._idle:
                    self._busy -= 1
                    if sock in self._clients:
                        self._clients[sock] = False
                    self._idle.notify_all()
            if outcome != "keep":
                return outcome == "reset"
        return False

    def _exchange(self, sock: socket.socket, request: Message, head: RequestHead) -> str:
        """One request and its fault: "keep" the connection, "close" it, or "reset" it."""
        fault = self._take(head)
        kind = fault.kind if fault is not None else ""
        with self._lock:
            self.requests.append((head.method, head.path, kind))
        if kind == "drop":
            return "close"
        if kind == "reset_before":
            return "reset"
        if fault is not None and kind == "delay" and fault.hold and self._stopping.wait(fault.seconds):
            return "reset"
        response = self._deliver(request, head.method, fault)
        if kind == "reset_after":
            return "reset"
        if fault is not None and kind == "delay" and not fault.hold and self._stopping.wait(fault.seconds):
            return "reset"
        if fault is not None and kind == "truncate":
            body = response.body[: int(len(response.body) * fault.fraction)]
            if len(body) == len(response.body) and body:
                body = body[:-1]
            sock.sendall(response.head + body)
            return "close"
        sock.sendall(response.raw)
        return "close" if request.closes or response.closes else "keep"

    def _deliver(self, request: Message, method: str, fault: Fault | None) -> Message:
        if fault is None or fault.kind != "duplicate":
            return self._forward(request, method)
        if not fault.together:
            first = self._forward(request, method)
            second = self._forward(request, method)
        else:
            answers: list[Message | BaseException] = [ProxyError("no answer"), ProxyError("no answer")]

            def one(index: int) -> None:
                try:
                    answers[index] = self._forward(request, method)
                except (OSError, ProxyError) as error:
                    answers[index] = error

            threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            got = [a for a in answers if isinstance(a, Message)]
            for answer in answers:
                if isinstance(answer, BaseException):
                    raise answer
            first, second = got
        return first if fault.keep == "first" else second

    def _forward(self, request: Message, method: str) -> Message:
        """The request to the server on a fresh connection; its whole answer."""
        with socket.create_connection(self._upstream, timeout=self._upstream_timeout) as upstream:
            upstream.sendall(request.raw)
            with self._lock:
                self.upstream_deliveries += 1
            with upstream.makefile("rb") as stream:
                response = read_message(stream, response_to=method)
        if response is None:
            raise ProxyError("the server closed the connection without answering")
        return response
