"""Answer quality offline (no key): fictional people in five formats each, paraphrased questions, `twin eval`.

Sofía (tests/quality/corpus, tests/quality/questions.json) was written for this suite and the
answerer tuned on her; the forty-two in tests/quality/more/ were written by helpers who had not read the
answering code, and each was measured as a held-out set before it joined. The thresholds are what
the shipped offline embedder and answerer reach on each, so a change that makes answers worse
fails here. By hand:
`twin ingest tests/quality/corpus --twin sofia && twin eval tests/quality/questions.json --twin sofia`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class Person:
    name: str
    corpus: Path
    questions: Path
    fact_rate: float  # at least
    false_declines: int  # at most
    declined: int | None = None  # questions to decline that are declined, at least (None: all)
    hit_at_3: float = 0.9  # at least
    introduces_itself: bool = True  # its "Who are you?" answer holds the expected name and job


def _held_out(name: str, **thresholds: Any) -> Person:
    return Person(name, HERE / "more" / name / "corpus", HERE / "more" / name / "questions.json", **thresholds)


# Katrin and Njeri were measured before tuning (stop 9), Jagoda and Bao before stop 10's tuning,
# Akosua and Inés midway, Clodagh and Ros at its end, Tomasz, Priya, Amara and Lucas at the start of
# stop 11, Oluwaseun, Henrike, Mateo, Aroha, Dmitri and Lucía at the start of stop 12, Siobhán,
# Kwame, Anh Thư and Rafael later in it (see the issue notes); all were tuned on after that first
# measurement. Every threshold
# below is what they reach now, a little below where a figure is a rate.
PEOPLE = [
    Person("sofia", HERE / "corpus", HERE / "questions.json", fact_rate=0.92, false_declines=1),
    _held_out("katrin", fact_rate=0.95, false_declines=1),
    _held_out("njeri", fact_rate=0.90, false_declines=1),
    _held_out("jagoda", fact_rate=0.78, false_declines=1),
    _held_out("bao", fact_rate=0.81, false_declines=1),
    _held_out("akosua", fact_rate=0.81, false_declines=2),
    _held_out("ines", fact_rate=0.87, false_declines=1),
    _held_out("clodagh", fact_rate=0.64, false_declines=1, hit_at_3=0.7),
    _held_out("ros", fact_rate=0.67, false_declines=1),
    _held_out("tomasz", fact_rate=0.81, false_declines=1),
    _held_out("priya", fact_rate=0.86, false_declines=1),
    _held_out("amara", fact_rate=0.85, false_declines=2),
    _held_out("lucas", fact_rate=0.83, false_declines=2, hit_at_3=0.85),
    # Measured once at the end of stop 11 before anything was tuned on them, then their introductions were mended.
    _held_out("yusuf", fact_rate=0.77, false_declines=1, declined=5),
    _held_out("marit", fact_rate=0.91, false_declines=1, hit_at_3=0.85),
    _held_out("chen", fact_rate=0.77, false_declines=1, declined=5),
    _held_out("fatima", fact_rate=0.78, false_declines=3),
    # Measured once at the start of stop 12 (on c6f5989) before anything was tuned on them, then tuned on.
    _held_out("oluwaseun", fact_rate=0.74, false_declines=2, hit_at_3=0.65),
    _held_out("henrike", fact_rate=0.74, false_declines=3, hit_at_3=0.85),
    _held_out("mateo", fact_rate=0.67, false_declines=3, hit_at_3=0.85),
    _held_out("aroha", fact_rate=0.79, false_declines=3, hit_at_3=0.85),
    _held_out("dmitri", fact_rate=0.84, false_declines=3),
    _held_out("lucia", fact_rate=0.63, false_declines=1),
    # Written later in stop 12 and measured once on a7159c5 before anything was tuned on them, then tuned on.
    # Siobhán's "two-minute version of how you got here" wants her first career, which her introduction leaves out.
    _held_out("siobhan", fact_rate=0.72, false_declines=1, hit_at_3=0.8, introduces_itself=False),
    _held_out("kwame", fact_rate=0.72, false_declines=1, hit_at_3=0.95),
    _held_out("anhthu", fact_rate=0.82, false_declines=2, hit_at_3=0.85),
    _held_out("rafael", fact_rate=0.79, false_declines=1, hit_at_3=0.95),
    # Written at the start of stop 13 and measured once on 1d42794 before anything was tuned on them, then tuned on.
    _held_out("keiko", fact_rate=0.59, false_declines=5, hit_at_3=0.75),
    _held_out("graham", fact_rate=0.71, false_declines=3, hit_at_3=0.8),
    _held_out("minji", fact_rate=0.71, false_declines=3, hit_at_3=0.85),
    _held_out("sunna", fact_rate=0.66, false_declines=3, hit_at_3=0.85),
    # Written at the start of stop 14 and measured once on 694c453 before anything was tuned on them, then tuned on.
    _held_out("henrik", fact_rate=0.71, false_declines=2),
    _held_out("olumide", fact_rate=0.84, false_declines=2),
    _held_out("priyanka", fact_rate=0.79, false_declines=1),
    _held_out("valentina", fact_rate=0.74, false_declines=2),
    # Written at the start of stop 23 and measured once on e1cd47c before anything was tuned on them, then tuned on.
    _held_out("ewan", fact_rate=0.63, false_declines=4, declined=5),
    _held_out("noor", fact_rate=0.76, false_declines=2, declined=5, hit_at_3=0.85),
    _held_out("paulo", fact_rate=0.67, false_declines=2),
    _held_out("thandiwe", fact_rate=0.64, false_declines=1),
    # Written at the start of stop 25 and measured once on cb08e5f before anything was tuned on them, then tuned on.
    _held_out("bartek", fact_rate=0.74, false_declines=1),
    _held_out("deniz", fact_rate=0.76, false_declines=1, hit_at_3=0.85),
    _held_out("leilani", fact_rate=0.65, false_declines=2),
    _held_out("marisol", fact_rate=0.66, false_declines=5, hit_at_3=0.85),
    # Written at the start of stop 26 and measured once on 5be8509 before anything was tuned on them, then tuned on.
    _held_out("ilse", fact_rate=0.70, false_declines=3, hit_at_3=0.88),
    _held_out("kofi", fact_rate=0.70, false_declines=1),
    _held_out("yara", fact_rate=0.78, false_declines=2),
]


@pytest.fixture(scope="module", params=PEOPLE, ids=lambda person: person.name)
def person(request: pytest.FixtureRequest) -> Person:
    chosen: Person = request.param
    return chosen


@pytest.fixture(scope="module")
def report(person: Person, migrated_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Report]:
    settings = replace(Settings(), database_url=migrated_db_url, data_dir=tmp_path_factory.mktemp("q"),
                       embedder="minilm")
    database = Database(settings, migrated_db_url)
    rt = runtime.Runtime(settings=settings, database=database)
    twin_id = f"{person.name}-eval"
    try:
        documents = load_paths([person.corpus]).documents
        ingest_documents(db=database, settings=settings, twin_id=twin_id, documents=documents, embedder=rt.embedder)
        yield evaluate(rt.chat_service, load_questions(person.questions), twin_id=twin_id)
    finally:
        database.close()


def test_paraphrased_questions_find_the_right_document_in_the_top_three(report: Report, person: Person) -> None:
    assert (report.hit_at_3.value or 0) >= person.hit_at_3, report.hit_at_3


def test_offline_answers_hold_the_expected_facts(report: Report, person: Person) -> None:
    assert (report.fact_rate.value or 0) >= person.fact_rate, report.fact_rate


def test_questions_the_notes_cannot_answer_are_declined(report: Report, person: Person) -> None:
    wanted = report.declined_correctly.total if person.declined is None else person.declined
    assert report.declined_correctly.hits >= wanted, [
        o.id for o in report.outcomes if o.decline_expected and not o.declined]


def test_answerable_questions_are_rarely_declined(report: Report, person: Person) -> None:
    assert report.false_declines <= person.false_declines, [
        o.id for o in report.outcomes if o.declined and not o.decline_expected]


def test_questions_about_the_person_as_a_whole_are_answered_with_the_name(report: Report, person: Person) -> None:
    by_id = {o.id: o for o in report.outcomes}
    asked = [turn for turn in ("who", "hi", "name", "greeting", "about", "about_yourself", "intro") if turn in by_id]
    if not asked:
        pytest.skip("this set asks no introduction question")
    if not person.introduces_itself:
        pytest.xfail(f"known miss on {person.name}: see PEOPLE")
    for turn in asked:  # its name or job is in the answer (where its source ranks is hit@3's business)
        assert by_id[turn].facts_ok, (turn, by_id[turn].reasons)
        assert not by_id[turn].declined, turn
