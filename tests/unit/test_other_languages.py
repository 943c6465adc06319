"""Common questions in other languages are read as the English question they mean (twin.chat.other_languages)."""

from __future__ import annotations

import pytest

from twin.chat.intents import read_topics
from twin.chat.other_languages import in_english


@pytest.mark.parametrize(("question", "english"), [
    ("¿A qué te dedicas?", "What do you do for a living?"),
    ("А где ты сейчас работаешь?", "What do you do for a living?"),
    ("Hiện tại chị đang làm công việc gì?", "What do you do for a living?"),
    ("Kia ora! He aha tāu mahi ināianei?", "What do you do for a living?"),
    ("Beth wyt ti'n ei wneud?", "What do you do for a living?"),
    ("무슨 일을 하세요?", "What do you do for a living?"),
    ("お仕事は何ですか？", "What do you do for a living?"),
    ("Ne iş yapıyorsun?", "What do you do for a living?"),
    ("Cad as duit ó dhúchas?", "Where are you from originally?"),
    ("Hvor vokste du opp?", "Where are you from originally?"),
    ("Waar kom je vandaan?", "Where are you from originally?"),
    ("어디 사세요?", "Where do you live?"),
    ("Ble wyt ti'n byw?", "Where do you live?"),
    ("Har du kjæledyr?", "Do you have any pets?"),
    ("Czy masz dzieci?", "Do you have any children or siblings?"),
    ("Cén bia is fearr leat?", "What's your favourite food?"),
    ("Co robisz w wolnym czasie?", "What are your hobbies? What do you do for fun?"),
    ("Sei sposata?", "Are you married?"),
])
def test_a_common_question_in_another_language_is_read_in_english(question: str, english: str) -> None:
    assert in_english(question) == english


@pytest.mark.parametrize("question", ["What do you do?", "Where's the shop, exactly?", "Any pets?",
                                      "Is May Thursday free?", "How long have you lived on Long Island?"])
def test_an_english_question_is_left_as_it_is(question: str) -> None:
    assert in_english(question) == question


def test_the_topic_of_a_question_in_another_language_is_read_from_its_english() -> None:
    assert read_topics("Hvor bor du?").asks("home")
