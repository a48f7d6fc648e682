"""The FastAPI application: ``create_app(settings, clock=...)``.

All routes live under ``/api/v1``; the OpenAPI document is served at
``/api/v1/openapi.json``. The app applies migrations when it is made (they are
idempotent) and closes its database when it shuts down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from caseclient import __version__
from caseserver import API_PREFIX
from caseserver.api import errors, routes_auth, routes_sync
from caseserver.api.responses import ApiJSONResponse
from caseserver.clock import Clock, system_clock
from caseserver.services import Services
from caseserver.settings import Settings

DESCRIPTION = ("The reference central case system for Caseclient. This API is sync protocol v1 "
               "(docs/sync-protocol.md); where they differ, that page wins.")


def create_app(settings: Settings, *, clock: Clock = system_clock,
               services: Services | None = None) -> FastAPI:
    built = services or Services.build(settings, clock=clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if services is None:  # we made them, we close them
            built.close()

    app = FastAPI(title="caseserver", version=__version__, description=DESCRIPTION,
                  openapi_url=f"{API_PREFIX}/openapi.json", docs_url=None, redoc_url=None,
                  lifespan=lifespan, default_response_class=ApiJSONResponse)
    app.state.services = built
    errors.install(app)
    app.include_router(routes_auth.router, prefix=API_PREFIX)
    app.include_router(routes_sync.router, prefix=API_PREFIX)
    return app
