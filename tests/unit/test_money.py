"""Questions about money are answered by a stated sum only (twin.chat.offline.money)."""

from __future__ import annotations

import pytest

from twin.chat.offline.money import asks_current_pay, asks_for_a_sum, states_a_sum, states_an_expectation


@pytest.mark.parametrize("question", [
    "How much did the Spangen pilot cost?", "How much money has WobbleBoard made?",
    "What's your day rate as a consultant?", "How much do you earn at your current job?",
    "How much venture money has Fjordwatt raised so far?",
])
def test_questions_only_a_sum_answers(question: str) -> None:
    assert asks_for_a_sum(question)


@pytest.mark.parametrize("question", [
    "How much money did that save?", "By how much did you cut the alarms?", "How many people report to you?",
    "How long did the migration take?", "What do you do for a living?",
])
def test_questions_a_percentage_or_a_count_answers_are_not_sum_questions(question: str) -> None:
    assert not asks_for_a_sum(question)


@pytest.mark.parametrize(("text", "is_sum"), [
    ("£58,000 to £65,000 base, plus pension", True), ("CAD 120 an hour or CAD 900 a day", True),
    ("around $95k", True), ("a budget of 2 million euros", True), ("I bake 48 loaves every Saturday", False),
    ("1,200 downloads across both stores", False), ("cut non-actionable alarms by 42%", False),
])
def test_a_sum_is_a_number_with_a_currency(text: str, is_sum: bool) -> None:
    assert states_a_sum(text) is is_sum


def test_todays_pay_is_not_the_pay_someone_hopes_for() -> None:
    assert asks_current_pay("How much are you paid at Kitebox right now?")
    assert asks_current_pay("What's your salary at KestrelDB?")
    assert asks_current_pay("What are you earning in your current job?")
    assert not asks_current_pay("What salary are you hoping for?")
    assert not asks_current_pay("What would you want to earn in your next role?")
    assert states_an_expectation("I'm looking for £58,000 to £65,000 base")
    assert states_an_expectation("Salary expectations: £60k")
    assert not states_an_expectation("I earn £52,000 at Kitebox")


def test_a_sum_raised_or_a_budget_is_not_answered_by_some_other_sum() -> None:
    donation = "Last Christmas I sent the 6,200 kroner from the market to the lifeboat station."
    assert not states_a_sum(donation, "How much venture money has Fjordwatt raised so far?")
    assert states_a_sum("Fjordwatt raised a €4 million seed round in 2023.", "How much has Fjordwatt raised?")
    assert asks_for_a_sum("What's the total budget of the Ombre & Eau programme?")
    assert not states_a_sum(donation, "What's the total budget of the programme?")
    assert states_a_sum("The programme's budget is 12 million dirhams a year.", "What's the total budget?")
