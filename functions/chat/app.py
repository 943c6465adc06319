"""Chat Lambda: the visitors' page and widget, GET /api/profile, POST /api/chat and GET /api/health.

event -> Mangum -> FastAPI router (twin.api.chat_routes) -> twin.chat.service -> SQL -> PostgreSQL.
"""

import gc

gc.disable()  # until the end of init: twin.runtime.finish_init says why

from twin import runtime  # noqa: E402

# With TWIN_WARMUP=1: connect and import the chat modules on a daemon thread while FastAPI imports.
runtime.start_warmup()

from twin.api import chat_routes, page_routes, profile_routes  # noqa: E402
from twin.aws.handlers import http_handler  # noqa: E402

handler = http_handler(page_routes.router, profile_routes.router, chat_routes.router, title="digital-twin chat")
runtime.finish_init()
