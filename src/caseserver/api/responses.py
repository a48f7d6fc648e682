"""JSON answers that can always be written: UTF-8 as usual, and ASCII escapes when a
string echoed from a request holds something UTF-8 cannot carry (a lone surrogate)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse


class ApiJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            escaped = json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
            return escaped.encode("ascii")
