"""Every error answer is ``{"error", "detail", ...}`` — including FastAPI's own
validation errors, unknown paths and database trouble. Nothing answers 500 by design;
a database that is busy or down answers 503 with Retry-After."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from caseserver.api.responses import ApiJSONResponse as JSONResponse
from caseserver.errors import ApiError

log = logging.getLogger(__name__)


def _path(location: tuple[object, ...]) -> str:
    return ".".join(str(part) for part in location)


async def _api_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers)


async def _validation(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = sorted({_path(tuple(item.get("loc", ()))) for item in error.errors()})
    detail = "The request is not in the expected form: check " + ", ".join(fields[:10]) + "."
    return JSONResponse({"error": "invalid_request", "detail": detail, "fields": fields}, status_code=422)


async def _http(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    codes = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed"}
    detail = {400: "The request body is not readable JSON.",
              404: "There is nothing at this address.",
              405: "This address does not take that method."}.get(error.status_code, str(error.detail))
    return JSONResponse({"error": codes.get(error.status_code, "http_error"), "detail": detail},
                        status_code=error.status_code, headers=error.headers)


async def _database(_request: Request, error: Exception) -> JSONResponse:
    log.warning("database problem: %s", type(error).__name__)
    return JSONResponse({"error": "unavailable", "detail": "The central system is busy. Try again shortly."},
                        status_code=503, headers={"Retry-After": "2"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(DBAPIError, _database)
