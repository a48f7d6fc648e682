"""Handshake, push and pull: the authenticated sync requests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from starlette.background import BackgroundTask

from caseserver.api import models
from caseserver.api.deps import CallerDep, ServicesDep
from caseserver.api.responses import ApiJSONResponse as JSONResponse
from caseserver.clock import iso
from caseserver.sync.pull import DEFAULT_LIMIT, MAX_LIMIT

router = APIRouter(prefix="/sync")

_COMMON: dict[int | str, dict[str, Any]] = {
    400: {"model": models.Error,
          "description": "The body is not readable JSON, or X-Schema-Version is not a number"},
    401: {"model": models.Error, "description": "invalid_token"},
    422: {"model": models.InvalidRequest, "description": "The request is not in the expected form"},
    426: {"model": models.UpgradeRequired, "description": "upgrade_required"},
    503: {"model": models.Error, "description": "The database is busy; try again"},
}


@router.post("/handshake", response_model=models.Handshake, responses=_COMMON)
def handshake(body: models.HandshakeRequest, caller: CallerDep, svc: ServicesDep) -> JSONResponse:
    del body  # the app version is for the server's logs only; nothing depends on it
    return JSONResponse({
        "server_time": iso(svc.clock()), "epoch": svc.pull.epoch(),
        "min_schema": svc.settings.min_schema, "max_schema": svc.settings.max_schema,
        "officer": caller.officer.wire(), "wipe": svc.auth.device_wipe_flag(caller.client_id)})


@router.post("/push", response_model=models.PushResponse,
             responses={**_COMMON, 409: {"model": models.IdempotencyMismatch,
                                         "description": "idempotency_mismatch"}})
def push(body: models.PushRequest, caller: CallerDep, svc: ServicesDep) -> JSONResponse:
    mutations = [mutation.model_dump() for mutation in body.mutations]
    return JSONResponse(svc.push.push(caller, mutations))


@router.get("/pull", response_model=models.PullResponse,
            responses={**_COMMON, 410: {"model": models.ResyncRequired, "description": "resync_required"}})
def pull(caller: CallerDep, svc: ServicesDep,
         cursor: Annotated[str | None, Query(max_length=4096)] = None,
         limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT) -> Response:
    # The page comes as JSON text built from the records' stored JSON; response_model documents it.
    page = svc.pull.pull(caller.officer, cursor, limit)
    # The next page is read ahead once this one is sent (decision 0043).
    return Response(page.json_bytes(), media_type="application/json",
                    background=BackgroundTask(svc.pull.read_ahead, caller.officer, page, limit))
