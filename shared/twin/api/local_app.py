"""The local server: every route (ingest, documents, chat, health) in one app, with /docs."""

from __future__ import annotations

from fastapi import FastAPI

from twin.api.app_factory import create_app
from twin.api.chat_routes import router as chat_router
from twin.api.ingest_routes import router as ingest_router


def build_local_app() -> FastAPI:
    return create_app(ingest_router, chat_router, title="digital-twin (local)")
