"""A fault-injecting httpx transport around the real one: requests lost before the server,
responses lost after it committed, server errors, and bodies that are not what they claim."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Fault:
    """One planned fault for the next request whose path ends with ``path``."""

    path: str
    kind: str            # lose_request | lose_response | status_500 | truncate | not_json | html
    before: Callable[[], Any] | None = None     # run just before the request goes (e.g. a clock jump)


class FaultyTransport(httpx.BaseTransport):
    def __init__(self) -> None:
        self._real = httpx.HTTPTransport()
        self.faults: list[Fault] = []
        self.seen: list[str] = []

    def plan(self, path: str, kind: str, before: Callable[[], Any] | None = None) -> None:
        self.faults.append(Fault(path, kind, before))

    def _take(self, path: str) -> Fault | None:
        for fault in self.faults:
            if path.endswith(fault.path):
                self.faults.remove(fault)
                return fault
        return None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.seen.append(path)
        fault = self._take(path)
        if fault is not None and fault.before is not None:
            fault.before()
        if fault is not None and fault.kind == "lose_request":
            raise httpx.ConnectError("connection dropped before the request arrived", request=request)
        response = self._real.handle_request(request)
        if fault is None or fault.kind == "before_only":
            return response
        body = response.read()
        response.close()
        if fault.kind == "lose_response":
            raise httpx.ReadError("connection reset after the server answered", request=request)
        if fault.kind == "status_500":
            return httpx.Response(500, content=b'{"error": "internal", "detail": "Oops."}',
                                  headers={"content-type": "application/json"})
        if fault.kind == "truncate":
            return httpx.Response(response.status_code, content=body[: len(body) // 2],
                                  headers={"content-type": "application/json"})
        if fault.kind == "not_json":
            return httpx.Response(response.status_code, content=b"{'changes': [}",
                                  headers={"content-type": "application/json"})
        if fault.kind == "html":
            return httpx.Response(response.status_code, content=b"<html><body>Proxy sign-in</body></html>",
                                  headers={"content-type": "text/html; charset=utf-8"})
        raise AssertionError(f"unknown fault {fault.kind}")

    def close(self) -> None:
        self._real.close()
