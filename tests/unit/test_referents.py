"""Who "he", "she" or "you two" is in a follow-up about a relative (twin.chat.referents)."""

from __future__ import annotations

from twin.chat.referents import resolve_referents


def test_he_after_a_question_about_marriage_is_the_husband_the_answer_named() -> None:
    history = [("user", "Are you married?"), ("assistant", "We married in Meknès in 2014 [2]."),
               ("user", "Where did you two meet?"),
               ("assistant", "In 2012 I met Mehdi Chraibi at a friend's iftar in the Raval [4].")]
    assert resolve_referents("What does he do?", history) == "What does he (Mehdi) do?"


def test_she_is_the_relative_of_her_gender_not_the_first_person_named() -> None:
    history = [("user", "Are you an only child?"),
               ("assistant", "Callum (b. 1996) -- my son [1]. Fiona -- my kid sister, two years younger [1].")]
    assert resolve_referents("What does she do for work?", history) == "What does she (Fiona) do for work?"


def test_her_before_a_noun_is_possessive() -> None:
    history = [("user", "Do you have any sisters?"), ("assistant", "My sister Niamh is a sound engineer [1].")]
    assert resolve_referents("What's her job?", history) == "What's her (Niamh's) job?"


def test_a_pronoun_sentence_after_a_name_says_whom_he_is() -> None:
    history = [("user", "Are you in a relationship?"),
               ("assistant", "I met Owen in 2016 at a ceilidh [4]. He's from Swansea [4].")]
    assert resolve_referents("And what does he do for work?", history) == "And what does he (Owen) do for work?"


def test_you_two_is_the_twin_and_the_partner() -> None:
    history = [("user", "Who's your partner?"),
               ("assistant", "I live with my husband, the architect Daniel Mwangi [2].")]
    assert resolve_referents("How did you two meet?", history) == "How did you and Daniel meet?"
    history = [("user", "Are you married?"), ("assistant", "Spouse: Katja [6]. Cat: Kefir [6].")]
    assert resolve_referents("How did you two meet?", history) == "How did you and Katja meet?"


def test_a_pronoun_after_a_question_not_about_relatives_is_left_alone() -> None:
    # "she" is the twin, asked about in the third person.
    history = [("user", "Where is Amara based?"), ("assistant", "I live in Nairobi with my husband Daniel [2].")]
    assert resolve_referents("What does she do?", history) == "What does she do?"


def test_a_pronoun_no_answer_ties_to_a_named_relative_is_left_alone() -> None:
    history = [("user", "Do you have a sister?"), ("assistant", "I have an older sister who lives in Oslo [1].")]
    assert resolve_referents("What's her name?", history) == "What's her name?"
    assert resolve_referents("What does he do?", []) == "What does he do?"


def test_the_twins_own_name_is_never_the_referent() -> None:
    history = [("user", "Are you married?"), ("assistant", "I met Ana Lima at university [1].")]
    assert resolve_referents("What does she do?", history, own_name="Ana Lima") == "What does she do?"
