"""The one error the services raise for the API to answer: an HTTP status, the
protocol's error code, a plain-English detail and any code-specific keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, *,
                 extra: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.detail, **self.extra}


def invalid_token() -> ApiError:
    return ApiError(401, "invalid_token", "Your sign-in has expired or is not recognised. Sign in again.")
