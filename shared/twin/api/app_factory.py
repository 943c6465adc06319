"""Builds a FastAPI app whose every error is JSON ``{"error": {"code", "message"}}``."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from twin import __version__
from twin.errors import RateLimited, TwinError, error_body

logger = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                   details: dict[str, Any] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


async def _twin_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TwinError)
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers = {**exc.headers, "Retry-After": str(exc.retry_after)}
    if exc.status >= 500:
        logger.error("request failed: %s (%s) %s", exc.message, exc.code, exc.private_detail, exc_info=exc)
    return error_response(exc.status, exc.code, exc.message, headers, exc.details)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    return error_response(400, "invalid_request", f"{where or 'request'}: {first.get('msg', 'invalid')}")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "route_not_found", 405: "method_not_allowed"}
    message = str(exc.detail) if exc.status_code != 404 else f"no route for {request.method} {request.url.path}"
    return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), message,
                          dict(exc.headers or {}))


_INTERNAL = json.dumps(error_body("internal_error", "the service failed to handle this request; it was logged"))


class CatchUnexpected:
    """Answers an unexpected exception with the JSON 500 envelope and keeps the connection.

    Starlette's own handler re-raises after responding, which makes the server drop the
    keep-alive connection; a client should only see one failed request, not a reset socket.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                return  # headers are out; nothing valid can be sent any more
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": _INTERNAL.encode()})


def _openapi_with(app: FastAPI, models: Sequence[type[BaseModel]]) -> Any:
    """FastAPI's schema plus the request models the routes validate themselves (see ``json_request_body``)."""
    from fastapi.openapi.utils import get_openapi
    from pydantic.json_schema import models_json_schema

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes,
                             description=app.description)
        _, defs = models_json_schema([(m, "validation") for m in models],
                                     ref_template="#/components/schemas/{model}")
        schema.setdefault("components", {}).setdefault("schemas", {}).update(defs.get("$defs", {}))
        app.openapi_schema = schema
        return schema

    return openapi


def create_app(*routers: APIRouter, title: str = "digital-twin", docs: bool = True,
               request_models: Sequence[type[BaseModel]] = (), cors_origins: Sequence[str] = ()) -> FastAPI:
    app = FastAPI(
        title=title,
        version=__version__,
        description="A digital twin: answers about a person, in their voice, from their documents, with sources.",
        docs_url=None,  # served from the package instead of a CDN (twin.api.docs_routes)
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    for router in routers:
        app.include_router(router)
    if docs:
        from twin.api.docs_routes import router as docs_router

        app.include_router(docs_router)
    app.add_exception_handler(TwinError, _twin_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    if cors_origins:
        from twin.api.cors import TwinCORS

        app.add_middleware(TwinCORS, origins=cors_origins)
    # Added last, so outermost: even a failure inside another middleware is a JSON 500.
    app.add_middleware(CatchUnexpected)
    if docs:
        app.openapi = _openapi_with(app, request_models)  # type: ignore[method-assign]
    return app
