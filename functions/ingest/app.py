"""Ingest Lambda: POST /api/ingest, GET /api/documents, DELETE /api/documents/{id}.

event -> Mangum -> FastAPI router (twin.api.ingest_routes) -> twin.ingest.service -> SQL -> PostgreSQL.
"""

from twin.api import ingest_routes
from twin.aws.handlers import http_handler

handler = http_handler(ingest_routes.router, title="digital-twin ingest")
