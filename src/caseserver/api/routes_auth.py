"""Health and sign-in: the requests that need no bearer token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from caseserver.api import models
from caseserver.api.deps import ServicesDep
from caseserver.api.responses import ApiJSONResponse as JSONResponse

router = APIRouter()

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": models.Error, "description": "The body is not readable JSON"},
    401: {"model": models.Error, "description": "invalid_credentials / invalid_refresh_token"},
    403: {"model": models.Error, "description": "client_in_use / device_revoked"},
    422: {"model": models.InvalidRequest, "description": "The body is not in the expected form"},
    429: {"model": models.Error, "description": "too_many_attempts, with Retry-After"},
    503: {"model": models.Error, "description": "The database is busy; try again"},
}


@router.get("/health", response_model=models.Health, responses={503: _ERRORS[503]})
def health() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.post("/auth/login", response_model=models.Tokens, responses=_ERRORS)
def login(body: models.LoginRequest, request: Request, svc: ServicesDep) -> JSONResponse:
    address = request.client.host if request.client else "unknown"
    return JSONResponse(svc.auth.login(username=body.username, password=body.password,
                                       client_id=body.client_id, device_name=body.device_name,
                                       address=address))


@router.post("/auth/refresh", response_model=models.Tokens,
             responses={k: v for k, v in _ERRORS.items() if k != 429})
def refresh(body: models.RefreshRequest, svc: ServicesDep) -> JSONResponse:
    return JSONResponse(svc.auth.refresh(refresh_token=body.refresh_token, client_id=body.client_id))
