from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from twin.evaluation.metrics import (
    QuestionSet,
    TurnResult,
    compute_report,
    document_matches,
    format_report,
    load_questions,
    parse_questions,
    percentile,
    report_as_dict,
)

REPO = Path(__file__).resolve().parents[2]

SAMPLE = {
    "questions": [
        {"id": "job", "question": "What do you do?", "expect_documents": ["resume.md"],
         "facts_all": ["engineer"], "facts_any": ["Acme", "backend"]},
        {"id": "pets", "question": "Any pets?", "expect_documents": ["bio.txt"], "facts_all": ["Miso"],
         "follow_ups": [{"question": "What breed?", "expect_documents": ["faq.json"], "facts_any": ["tabby"]}]},
        {"id": "salary", "question": "What salary do you expect?", "decline": True},
    ]
}


def sample() -> QuestionSet:
    return parse_questions(SAMPLE)


def test_follow_ups_become_their_own_turns_with_numbered_ids() -> None:
    questions = sample()
    assert [turn.id for turn in questions.turns] == ["job", "pets", "pets#1", "salary"]
    assert [len(conversation.turns) for conversation in questions.conversations] == [1, 2, 1]


@pytest.mark.parametrize(("data", "message"), [
    ({"questions": []}, "questions: must be a non-empty list"),
    ({"questions": [{"id": "a b", "question": "x"}]}, "questions[0].id"),
    ({"questions": [{"id": "a", "question": "x"}, {"id": "a", "question": "y"}]},
     "questions[1].id: 'a' is already used by questions[0]"),
    ({"questions": [{"id": "a", "question": "x", "fact_all": ["y"]}]}, "unknown fields ['fact_all']"),
    ({"questions": [{"id": "a", "question": "x", "facts_any": "cat"}]},
     "questions[0] ('a').facts_any: must be a list of non-empty strings"),
    ({"questions": [{"id": "a", "question": "x", "decline": "yes"}]}, "questions[0] ('a').decline"),
    ({"questions": [{"id": "a", "question": "x", "decline": True, "facts_all": ["y"]}]}, "cannot also have"),
    ({"questions": [{"id": "a", "question": "x", "follow_ups": [{"question": " "}]}]},
     "questions[0] ('a').follow_ups[0].question: must be a non-empty string"),
    ({"questions": [{"id": "a", "question": "x", "follow_ups": [{"question": "y", "id": "b"}]}]},
     "follow_ups[0]: unknown fields ['id']"),
])
def test_invalid_questions_name_the_question_and_field(data: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_questions(data)
    assert message in str(caught.value)


def test_load_questions_reports_bad_json_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    path.write_text('{"questions": [', encoding="utf-8")
    with pytest.raises(ValueError, match=r"q\.json: invalid JSON at line 1"):
        load_questions(path)


def test_file_names_match_the_ids_the_loader_derives() -> None:
    assert document_matches("resume.md", "resume.md")
    assert document_matches("resume.md", "resume")
    assert document_matches("notes/Trip to Köln.md", "notes-trip-to-koln")
    assert document_matches("faq.json", "faq-3")
    assert not document_matches("faq.json", "faq-old")
    assert not document_matches("resume.md", "resume-2")
    assert not document_matches("bio.txt", "resume")


def test_perfect_answers_score_full_marks() -> None:
    report = compute_report(sample(), [
        TurnResult("job", "I'm a backend ENGINEER.", ("resume", "resume", "bio"), False, 100),
        TurnResult("pets", "My cat is called Miso.", ("bio",), False, 200),
        TurnResult("pets#1", "She's a tabby.", ("faq-0",), False, 300),
        TurnResult("salary", "I'd rather not say.", (), True, 400),
    ])
    assert (report.hit_at_1.value, report.hit_at_3.value, report.mrr) == (1.0, 1.0, 1.0)
    assert report.fact_rate.value == 1.0
    assert report.declined_correctly.value == 1.0
    assert report.false_declines == 0
    assert report.misses == ()
    assert report.latency_p50_ms == 250


def test_ranks_count_distinct_documents_and_feed_mrr() -> None:
    report = compute_report(sample(), [
        # resume only third once the repeated "bio" chunks collapse into one document
        TurnResult("job", "backend engineer", ("bio", "bio", "about", "resume"), False),
        TurnResult("pets", "Miso", ("x1", "x2", "x3", "bio"), False),
        TurnResult("pets#1", "tabby", (), False),
        TurnResult("salary", "", (), True),
    ])
    assert report.hit_at_1.value == 0.0
    assert (report.hit_at_3.hits, report.hit_at_3.total) == (1, 3)
    assert report.mrr == pytest.approx((1 / 3 + 1 / 4 + 0) / 3)
    reasons = {outcome.id: outcome.reasons for outcome in report.misses}
    assert reasons["pets"] == ("expected bio.txt in the top 3 sources; first at rank 4",)
    assert reasons["pets#1"] == ("expected faq.json in the top 3 sources; no sources",)
    assert "job" not in reasons


def test_facts_are_case_and_accent_insensitive_and_need_one_of_facts_any() -> None:
    data = {"questions": [
        {"id": "brother", "question": "Siblings?", "facts_all": ["Matias"], "facts_any": ["Valparaiso", "Chile"]},
        {"id": "food", "question": "Food?", "facts_all": ["pastel", "choclo"], "facts_any": ["corn", "maize"]},
    ]}
    report = compute_report(parse_questions(data), [
        TurnResult("brother", "Mi hermano MATÍAS vive en Valparaíso.", (), False),
        TurnResult("food", "Pastel de papas.", (), False),
    ])
    assert (report.fact_rate.hits, report.fact_rate.total) == (1, 2)
    assert report.misses[0].reasons == ("missing facts_all: choclo", "none of facts_any: corn, maize")


def test_declines_are_scored_both_ways() -> None:
    report = compute_report(sample(), [
        TurnResult("job", "I don't know.", ("resume",), True),
        TurnResult("pets", "Miso", ("bio",), False),
        TurnResult("pets#1", "tabby", ("faq-1",), False),
        TurnResult("salary", "About a million.", (), False),
    ])
    assert report.false_declines == 1
    assert report.declined_correctly.value == 0.0
    reasons = {outcome.id: outcome.reasons for outcome in report.misses}
    assert reasons["salary"] == ("answered instead of declining",)
    assert "declined an answerable question" in reasons["job"]
    assert report.hit_at_1.value == 1.0  # retrieval is still credited when the answer was a decline


def test_errors_count_as_failures_and_are_left_out_of_latency() -> None:
    report = compute_report(sample(), [
        TurnResult("job", "", (), False, 5000, error="HTTP 500"),
        TurnResult("pets", "Miso", ("bio",), False, 100),
        TurnResult("pets#1", "tabby", ("faq-1",), False, 300),
        TurnResult("salary", "", (), True, 200),
    ])
    assert report.errors == 1
    assert (report.fact_rate.hits, report.fact_rate.total) == (2, 3)
    assert report.hit_at_1.hits == 2
    assert report.latency_p95_ms == pytest.approx(290)
    assert report.misses[0].reasons == ("error: HTTP 500",)


def test_results_must_cover_every_turn_exactly_once() -> None:
    complete = [TurnResult(turn.id, "", (), False) for turn in sample().turns]
    with pytest.raises(ValueError, match=r"no result for 1 turn\(s\): pets#1"):
        compute_report(sample(), [result for result in complete if result.id != "pets#1"])
    with pytest.raises(ValueError, match="not in the questions file: nope"):
        compute_report(sample(), [*complete, TurnResult("nope", "", (), False)])
    with pytest.raises(ValueError, match="two results for turn 'job'"):
        compute_report(sample(), [*complete, complete[0]])


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([10.0], 95) == 10.0
    assert percentile([40.0, 10.0, 20.0, 30.0], 50) == 25.0
    assert percentile([float(v) for v in range(1, 101)], 95) == pytest.approx(95.05)


def test_format_report_shows_metrics_and_each_miss_reason() -> None:
    report = compute_report(sample(), [
        TurnResult("job", "backend engineer", ("resume",), False, 120),
        TurnResult("pets", "a dog", ("bio",), False, 80),
        TurnResult("pets#1", "tabby", ("faq-1",), False, 90),
        TurnResult("salary", "", (), True, 60),
    ])
    text = format_report(report)
    assert "4 turns: 3 answerable, 1 to decline" in text
    assert re.search(r"^  fact rate +0\.67  2/3$", text, re.MULTILINE)
    assert re.search(r"^  latency p50 +85 ms$", text, re.MULTILINE)
    assert "misses (1):" in text
    assert re.search(r"^  pets +Any pets\?$", text, re.MULTILINE)
    assert "- missing facts_all: Miso" in text


def test_report_as_dict_is_json_serialisable() -> None:
    report = compute_report(sample(), [TurnResult(turn.id, "", (), turn.decline) for turn in sample().turns])
    data = json.loads(json.dumps(report_as_dict(report)))
    assert data["summary"]["hit_at_1"] == {"value": 0.0, "hits": 0, "total": 3}
    assert data["summary"]["latency_ms"] == {"p50": None, "p95": None}
    assert [turn["id"] for turn in data["turns"]] == ["job", "pets", "pets#1", "salary"]
    assert {miss["id"] for miss in data["misses"]} == {"job", "pets", "pets#1"}


@pytest.mark.parametrize("name", ["tests/quality/questions.json", "examples/eval/questions.json"])
def test_shipped_question_files_are_valid(name: str) -> None:
    questions = load_questions(REPO / name)
    assert len(questions.turns) >= 12
    assert any(turn.decline for turn in questions.turns)
