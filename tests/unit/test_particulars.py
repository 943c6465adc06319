"""Questions after one particular detail are answered only by a sentence stating it (twin.chat.offline.particulars)."""

from __future__ import annotations

import pytest

from twin.chat.intents import read_topics
from twin.chat.offline import extractive_answer
from twin.chat.prompting import Passage, Profile

ADA = Profile(twin_id="ada", display_name="Ada Lovelace", persona="")


def _answer(question: str, *contents: str) -> tuple[bool, str]:
    passages = [Passage(number=n, document_id=f"doc-{n}", chunk_id=f"chunk-{n}", title="Notes", content=content,
                        score=1.0 / n) for n, content in enumerate(contents, start=1)]
    result = extractive_answer(question=question, passages=passages, profile=ADA, topics=read_topics(question))
    return result.answered, result.text


PHD = "Notes > PhD\n\nI did my PhD at NTNU in Trondheim on geothermal heat, and I defended it in 2019."
CHOIR = "Notes > Choir\n\nI sing alto in Vox Borealis, a Nordic choir in Brussels that rehearses on Tuesdays."


@pytest.mark.parametrize("question", ["Who supervised your PhD at NTNU?", "Who conducts Vox Borealis?",
                                      "What was the name of the professor who supervised your PhD?"])
def test_who_holds_a_role_the_notes_never_name_is_declined(question: str) -> None:
    assert not _answer(question, PHD, CHOIR)[0]


def test_who_holds_a_role_is_answered_by_the_sentence_naming_them() -> None:
    named = CHOIR + " Vox Borealis is conducted by Hanne Lund, who founded it in 2009."
    answered, text = _answer("Who conducts Vox Borealis?", named)
    assert answered
    assert "Hanne Lund" in text


MARATHONS = ("Notes > Running\n\nI've done 11 marathons: Madrid, Berlin, Lisbon and Porto. "
             "My best time came in Valencia in 2023: 2:58:47, my first under three hours.")


def test_a_finishing_time_needs_a_duration_in_the_race_asked_about() -> None:
    assert not _answer("What was your finishing time in Berlin?", MARATHONS)[0]
    answered, text = _answer("What was your finishing time in Valencia?", MARATHONS)
    assert answered
    assert "2:58:47" in text


KIDS = "Notes > Family\n\nOur daughter Lina was born in 2020 and started school last autumn. She loves drawing."


def test_which_school_needs_a_schools_name() -> None:
    assert not _answer("Which school does your daughter go to?", KIDS)[0]
    named = KIDS + " Our daughter goes to Eric Hamber Secondary, two streets away."
    answered, text = _answer("Which school does your daughter go to?", named)
    assert answered
    assert "Eric Hamber Secondary" in text


def test_a_school_in_another_place_does_not_answer_for_the_place_asked_about() -> None:
    lima = "Education\n\nProfessional Cookery Diploma, Instituto Culinario Pachacamac, Lima (2007 - 2009)."
    assert not _answer("Which cookery school did you attend in Madrid?", lima)[0]
    assert _answer("Which cookery school did you attend in Lima?", lima)[0]
