"""Questions about the person as a whole, job questions, and suggested questions built from a twin's headings."""

from __future__ import annotations

import pytest

from twin.chat.intents import WORK_QUERY, Intent, intent_of, retrieval_text
from twin.chat.suggestions import heading_is_question


@pytest.mark.parametrize(("question", "intent"), [
    ("hi!", Intent.GREETING), ("Hello there", Intent.GREETING), ("Hola", Intent.GREETING),
    ("What is your name?", Intent.NAME), ("what's your name", Intent.NAME), ("¿Cómo te llamas?", Intent.NAME),
    ("Who are you?", Intent.INTRODUCTION), ("Tell me about yourself.", Intent.INTRODUCTION),
    ("¿Quién eres?", Intent.INTRODUCTION), ("Quem é você?", Intent.INTRODUCTION),
])
def test_questions_about_the_person_as_a_whole_are_recognised(question: str, intent: Intent) -> None:
    assert intent_of(question) is intent


@pytest.mark.parametrize("question", ["Where did you study?", "Who are your clients?", "Hi, where do you live?",
                                      "What is your dog's name?"])
def test_ordinary_questions_are_not_taken_for_introductions(question: str) -> None:
    assert intent_of(question) is None


def test_job_questions_are_searched_the_way_a_resume_words_them() -> None:
    assert retrieval_text("What do you do for a living?").endswith(WORK_QUERY)
    assert retrieval_text("What do you do?").endswith(WORK_QUERY)
    assert retrieval_text("¿A qué te dedicas?").endswith(WORK_QUERY)
    assert retrieval_text("What did you do at Acme?").endswith(WORK_QUERY)
    assert retrieval_text("Where did you study?") == "Where did you study?"
    assert retrieval_text("What do you do for fun?") == "What do you do for fun?"


def test_a_heading_that_is_a_question_is_asked_as_it_is() -> None:
    assert heading_is_question("Can you start right away")
    assert not heading_is_question("Outside work")
