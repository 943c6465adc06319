"""Answer quality offline (no key): a fictional person in five formats, paraphrased questions, `twin eval`.

The corpus (tests/quality/corpus) and questions (tests/quality/questions.json) were written for this
suite; the thresholds are what the shipped offline embedder and answerer reach, so a change that
makes answers worse fails here. Run the same thing by hand with
`twin ingest tests/quality/corpus --twin sofia && twin eval tests/quality/questions.json --twin sofia`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from twin import runtime
from twin.config import Settings
from twin.embeddings import minilm
from twin.evaluation.metrics import Report, load_questions
from twin.evaluation.runner import evaluate
from twin.ingest.loaders import load_paths
from twin.ingest.service import ingest_documents
from twin.storage.db import Database

HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.skipif(not minilm.available(), reason="the offline model (digital-twin[offline]) is absent")


@pytest.fixture(scope="module")
def report(migrated_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Report]:
    settings = replace(Settings(), database_url=migrated_db_url, data_dir=tmp_path_factory.mktemp("q"),
                       embedder="minilm")
    database = Database(settings, migrated_db_url)
    rt = runtime.Runtime(settings=settings, database=database)
    try:
        documents = load_paths([HERE / "corpus"]).documents
        ingest_documents(db=database, settings=settings, twin_id="sofia-eval", documents=documents,
                         embedder=rt.embedder)
        yield evaluate(rt.chat_service, load_questions(HERE / "questions.json"), twin_id="sofia-eval")
    finally:
        database.close()


def test_paraphrased_questions_find_the_right_document_in_the_top_three(report: Report) -> None:
    assert (report.hit_at_3.value or 0) >= 0.9, report.hit_at_3


def test_offline_answers_hold_the_expected_facts(report: Report) -> None:
    assert (report.fact_rate.value or 0) >= 0.75, report.fact_rate


def test_every_question_the_notes_cannot_answer_is_declined(report: Report) -> None:
    assert report.declined_correctly.hits == report.declined_correctly.total, report.declined_correctly


def test_answerable_questions_are_rarely_declined(report: Report) -> None:
    assert report.false_declines <= 1, [o.id for o in report.outcomes if o.declined and not o.decline_expected]


def test_greeting_and_who_are_you_are_answered_with_the_name(report: Report) -> None:
    by_id = {o.id: o for o in report.outcomes}
    for turn in ("who", "hi", "name"):
        assert by_id[turn].passed, (turn, by_id[turn].reasons)
