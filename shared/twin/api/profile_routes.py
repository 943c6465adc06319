"""Route: GET /api/profile, what the visitors' page and the widget show before the first question."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from twin import runtime
from twin.api.responses import errors
from twin.validation import validate_twin_id

router = APIRouter(tags=["chat"])


class PublicProfileOut(BaseModel):
    twin_id: str
    display_name: str
    persona: str
    mode: str = Field(description="offline (extractive answers, no model) or openai")
    documents: int
    suggested_questions: list[str]
    streaming: bool = Field(description="whether POST /api/chat/stream is served here")


def _profile(twin_id: str) -> dict[str, Any]:
    from twin.access.twins import public_profile
    from twin.chat.suggestions import suggested_questions

    found, suggestions = runtime.database().run(
        lambda conn: (public_profile(conn, twin_id), suggested_questions(conn, twin_id)))
    return PublicProfileOut(twin_id=found.twin_id, display_name=found.display_name, persona=found.persona,
                            mode="openai" if runtime.settings().uses_openai else "offline",
                            documents=found.documents, suggested_questions=suggestions,
                            streaming=runtime.settings().streaming).model_dump()


@router.get("/api/profile", summary="The twin's public profile: name, persona, mode, suggested questions",
            response_model=PublicProfileOut, responses=errors(400, 404, 503))
async def profile(twin_id: str | None = Query(None, description="defaults to the server's default twin")
                  ) -> JSONResponse:
    twin = validate_twin_id(twin_id) if twin_id is not None else runtime.settings().default_twin
    return JSONResponse(await run_in_threadpool(_profile, twin))
