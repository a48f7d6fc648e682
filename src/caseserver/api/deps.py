"""Request dependencies: the services of this app, and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from caseserver.auth.service import Caller
from caseserver.errors import ApiError, invalid_token
from caseserver.services import Services
from caseserver.settings import Settings

bearer = HTTPBearer(auto_error=False, description="Access token from /auth/login or /auth/refresh")


async def services(request: Request) -> Services:
    # async: it does no I/O, and a plain ``def`` dependency is a hop to the threadpool.
    found: Services = request.app.state.services
    return found


def check_schema(settings: Settings, header: str | None) -> None:
    try:
        version = int(header) if header is not None else None
    except ValueError:
        version = None
    if version is None:
        raise ApiError(400, "bad_request", "The X-Schema-Version header must be a whole number.")
    if not settings.min_schema <= version <= settings.max_schema:
        raise ApiError(426, "upgrade_required",
                       "This version of Caseclient is not supported by the central system. "
                       "Install the current version.",
                       extra={"min_schema": settings.min_schema, "max_schema": settings.max_schema})


def caller(svc: Annotated[Services, Depends(services)],
           credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
           x_client_id: Annotated[str | None, Header(alias="X-Client-Id")] = None,
           x_schema_version: Annotated[str | None, Header(alias="X-Schema-Version")] = None) -> Caller:
    check_schema(svc.settings, x_schema_version)
    if credentials is None or not x_client_id:
        raise invalid_token()
    return svc.auth.authenticate(credentials.credentials, x_client_id)


ServicesDep = Annotated[Services, Depends(services)]
CallerDep = Annotated[Caller, Depends(caller)]
