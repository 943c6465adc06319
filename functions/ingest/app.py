"""Ingest Lambda: POST /api/ingest, GET /api/documents, DELETE /api/documents/{id}.

event -> Mangum -> FastAPI router (twin.api.ingest_routes) -> twin.ingest.service -> SQL -> PostgreSQL.
"""

import gc

gc.disable()  # until the end of init: twin.runtime.finish_init says why

from twin import runtime  # noqa: E402
from twin.api import ingest_routes  # noqa: E402
from twin.aws.handlers import http_handler  # noqa: E402

handler = http_handler(ingest_routes.router, title="digital-twin ingest")
runtime.finish_init()
