"""Asks a twin every question of a question set, the way a visitor would, and scores the answers.

Each conversation runs in one chat session (follow-ups see the previous turns), through the same
``ChatService`` the API uses, with the answer cache bypassed so the figures measure the current
code and documents rather than yesterday's cached answers.
"""

from __future__ import annotations

import time
import uuid

from twin.chat.schemas import ChatRequest
from twin.chat.service import ChatService
from twin.errors import TwinError
from twin.evaluation.metrics import QuestionSet, Report, TurnResult, compute_report


def ask_all(service: ChatService, questions: QuestionSet, *, twin_id: str) -> list[TurnResult]:
    results: list[TurnResult] = []
    for conversation in questions.conversations:
        session: uuid.UUID | None = None
        for turn in conversation.turns:
            started = time.perf_counter()
            try:
                response = service.answer(ChatRequest(message=turn.question, session_id=session), twin_id=twin_id,
                                          use_cache=False)
            except TwinError as e:
                results.append(TurnResult(id=turn.id, answer="", error=f"{e.code}: {e.message}"))
                continue
            session = uuid.UUID(response.session_id)
            results.append(TurnResult(
                id=turn.id, answer=response.answer, sources=tuple(s["document_id"] for s in response.sources),
                declined=not response.answered, latency_ms=(time.perf_counter() - started) * 1000))
    return results


def evaluate(service: ChatService, questions: QuestionSet, *, twin_id: str) -> Report:
    return compute_report(questions, ask_all(service, questions, twin_id=twin_id))
