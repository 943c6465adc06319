"""The local server: the page, every route (ingest, documents, chat, stream, health) and /docs in one app.

The same app runs under the Lambda Web Adapter for streaming on AWS (see template.yaml), so
`twin serve` reproduces that setup: uvicorn in front of this app.
"""

from __future__ import annotations

from fastapi import FastAPI

from twin import runtime
from twin.api import chat_routes, ingest_routes, page_routes, profile_routes, stream_routes
from twin.api.app_factory import create_app


def build_local_app() -> FastAPI:
    return create_app(page_routes.router, ingest_routes.router, chat_routes.router, stream_routes.router,
                      profile_routes.router, title="digital-twin (local)",
                      request_models=[*ingest_routes.REQUEST_MODELS, *chat_routes.REQUEST_MODELS],
                      cors_origins=runtime.settings().cors_origins)
