"""twin.text.sentences: the one sentence-boundary rule the chunker and the offline answerer share."""

from __future__ import annotations

import pytest

from twin.text.sentences import LIST_MARKER, sentence_starts, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I like tea. You like coffee! Do they? Yes\u2026 Fine.",
         ["I like tea.", "You like coffee!", "Do they?", "Yes\u2026", "Fine."]),
        ("Wait... Then it came.", ["Wait...", "Then it came."]),
        ("A... B came.", ["A...", "B came."]),  # an ellipsis is not an initial's period
        ("No terminal punctuation", ["No terminal punctuation"]),
        ("  Padded.   Text.  ", ["Padded.", "Text."]),
    ],
)
def test_terminal_punctuation_ends_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I met Dr. Watson today.",
        "She works at Acme Inc. Berlin office.",
        "It happened on Jan. 5 this year.",
        "Founded in Sept. 2019 in Berlin.",
        "See Fig. 3 below.",
        "Ask Mr. Smith and Mrs. Jones.",
        "(Dr. Who) is here.",
    ],
)
def test_abbreviations_do_not_end_sentences(text: str) -> None:
    assert split_sentences(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "J. R. R. Tolkien wrote it.",
        "The U.S. Army trained there.",
        "Languages, e.g. Python, are fun.",
        "\u00c9. Zola wrote novels.",
    ],
)
def test_initials_do_not_end_sentences(text: str) -> None:
    assert split_sentences(text) == [text]


def test_a_lowercase_next_word_means_the_period_was_not_a_full_stop() -> None:
    assert split_sentences("It took approx. five weeks. Done.") == ["It took approx. five weeks.", "Done."]


def test_etc_ends_a_sentence_unless_the_next_word_is_lowercase() -> None:
    assert split_sentences("Tea, coffee, etc. The best is tea.") == ["Tea, coffee, etc.", "The best is tea."]
    assert split_sentences("Tea, coffee, etc. and cake.") == ["Tea, coffee, etc. and cake."]


def test_a_number_is_not_an_initial() -> None:
    assert split_sentences("My team grew to 8. Then we shipped.") == ["My team grew to 8.", "Then we shipped."]


@pytest.mark.parametrize("closing", ['"', "'", "\u201d", "\u2019", "\u00bb", ")", "]", ".\u201d)"])
def test_closing_quotes_and_brackets_stay_with_their_sentence(closing: str) -> None:
    text = f"He said hi.{closing} Then he left."
    assert split_sentences(text) == [f"He said hi.{closing}", "Then he left."]


def test_sentence_starts_are_offsets_within_the_given_range() -> None:
    text = "Skip. First one. Second one. Outside."
    start, end = text.index("First"), text.index(" Outside")

    assert list(sentence_starts(text, start, end)) == [text.index("Second")]
    assert list(sentence_starts(text)) == [text.index(word) for word in ("First", "Second", "Outside")]


def test_trailing_whitespace_is_not_a_sentence_start() -> None:
    assert list(sentence_starts("One. Two.  ")) == [5]


@pytest.mark.parametrize("line", ["- item", "* item", "+ item", "\u2022 item", "1. item", "12) item", "3.\titem"])
def test_list_markers(line: str) -> None:
    assert LIST_MARKER.match(line) is not None


@pytest.mark.parametrize("line", ["-item", "1.5 kg", "**bold**", "-\nitem", "Item 1. done"])
def test_not_list_markers(line: str) -> None:
    assert LIST_MARKER.match(line) is None
