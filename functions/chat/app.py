"""Chat Lambda: POST /api/chat and GET /api/health.

event -> Mangum -> FastAPI router (twin.api.chat_routes) -> twin.chat.service -> SQL -> PostgreSQL.
"""

from twin.api import chat_routes
from twin.aws.handlers import http_handler

handler = http_handler(chat_routes.router, title="digital-twin chat")
