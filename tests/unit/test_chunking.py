from __future__ import annotations

import hashlib
import itertools
import random

import pytest

from twin.errors import InvalidRequest
from twin.ingest.chunking import Chunk, chunk_document, find_markdown_title, normalize_text

RESUME = """# Jane Doe

Backend engineer in Berlin.

## Experience

### Acme Corp

- Led the migration to Kubernetes.
- Cut cloud costs by 30%.

### Globex

Built the billing pipeline in Go.

Education
---------

MSc Computer Science, TU Berlin.
"""


def body(chunk: Chunk) -> str:
    """The chunk's text without its breadcrumb line."""
    if not chunk.heading_path:
        return chunk.content
    breadcrumb = " > ".join(chunk.heading_path) + "\n\n"
    assert chunk.content.startswith(breadcrumb)
    return chunk.content[len(breadcrumb):]


def sentences(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = ["data", "model", "pipeline", "team", "customer", "latency", "budget", "release", "system"]
    return [
        " ".join(rng.choice(words) for _ in range(rng.randint(5, 14))).capitalize() + "."
        for _ in range(count)
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t \r\n", "\u200b\u00a0"])
def test_empty_or_whitespace_text_gives_no_chunks(text: str) -> None:
    assert chunk_document(text) == []


def test_markdown_headings_become_heading_paths() -> None:
    chunks = chunk_document(RESUME)

    assert [c.heading_path for c in chunks] == [
        ["Jane Doe"],
        ["Jane Doe", "Experience", "Acme Corp"],
        ["Jane Doe", "Experience", "Globex"],
        ["Jane Doe", "Education"],
    ]
    assert chunks[1].content == (
        "Jane Doe > Experience > Acme Corp\n\n- Led the migration to Kubernetes.\n- Cut cloud costs by 30%."
    )
    assert [c.index for c in chunks] == [0, 1, 2, 3]


def test_heading_lines_are_context_not_body() -> None:
    chunks = chunk_document(RESUME)

    assert all("#" not in body(c) and "---" not in body(c) for c in chunks)
    assert body(chunks[3]) == "MSc Computer Science, TU Berlin."


def test_document_title_heads_the_path_unless_the_first_heading_repeats_it() -> None:
    notes = chunk_document("Intro text.\n\n## Travel\n\nKöln in May.", title="  My   Notes ")
    assert [c.heading_path for c in notes] == [["My Notes"], ["My Notes", "Travel"]]
    assert notes[0].content == "My Notes\n\nIntro text."

    resume = chunk_document(RESUME, title="jane doe")
    assert resume[1].heading_path == ["Jane Doe", "Experience", "Acme Corp"]


def test_headings_inside_code_fences_hashtags_and_rules_are_not_headings() -> None:
    text = (
        "## Snippets\n\n```bash\n# install\npip install twin\n```\n\n"
        "#python is fun\n\nFirst line\nsecond line\n---\n\nMore text."
    )
    chunks = chunk_document(text)

    assert [c.heading_path for c in chunks] == [["Snippets"]]
    assert "# install" in chunks[0].content
    assert "#python is fun" in chunks[0].content


def test_inline_markup_is_stripped_from_heading_paths() -> None:
    chunks = chunk_document("## **Work** at [Acme](https://acme.example) ##\n\nShipped things.")
    assert chunks[0].heading_path == ["Work at Acme"]


def test_plain_text_without_headings_packs_paragraphs() -> None:
    text = "First paragraph.\r\n\r\nSecond   paragraph.\n\n\n\nThird paragraph."
    chunks = chunk_document(text)

    assert len(chunks) == 1
    assert chunks[0].heading_path == []
    assert chunks[0].content == "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    paragraphs = [" ".join(sentences(6, seed=i)) for i in range(8)]
    assert all(200 < len(p) < 600 for p in paragraphs)
    chunks = chunk_document("\n\n".join(paragraphs), max_chars=1200, overlap_chars=150)

    assert len(chunks) > 2
    for chunk in chunks:
        assert body(chunk).endswith(tuple(paragraphs)), "a chunk ended inside a paragraph"
        assert len(body(chunk)) <= 1200


def test_long_paragraph_is_split_at_sentence_boundaries_with_overlap() -> None:
    paragraph = " ".join(sentences(60))
    chunks = chunk_document(paragraph, max_chars=400, overlap_chars=120, min_chars=0)

    assert len(chunks) > 3
    for previous, chunk in itertools.pairwise(chunks):
        assert body(previous).endswith(".")
        assert body(chunk)[0].isupper(), "a chunk started mid-sentence"
        overlap = previous.char_end - chunk.char_start
        assert 0 < overlap <= 120
        shared = paragraph[chunk.char_start:previous.char_end]
        assert body(previous).endswith(shared)
        assert body(chunk).startswith(shared)


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    paragraph = "I met Dr. Watson and J. R. Smith at the U.S. lab on Jan. 5 today. " * 30
    chunks = chunk_document(paragraph, max_chars=300, overlap_chars=0, min_chars=0)

    assert len(chunks) > 3
    assert all(body(c).startswith("I met Dr. Watson") and body(c).endswith("today.") for c in chunks)


def test_sentence_longer_than_a_chunk_is_split_at_word_boundaries() -> None:
    words = [f"word{i}" for i in range(300)]
    chunks = chunk_document(" ".join(words), max_chars=200, overlap_chars=30, min_chars=0)

    assert len(chunks) > 5
    vocabulary = set(words)
    for chunk in chunks:
        assert set(body(chunk).split()) <= vocabulary, "a word was cut in two"
    assert {w for c in chunks for w in body(c).split()} == vocabulary


def test_token_longer_than_a_chunk_is_cut_hard() -> None:
    token = "x" * 450
    chunks = chunk_document(f"See {token} here.", max_chars=100, overlap_chars=0, min_chars=0)

    assert all(len(body(c)) <= 100 for c in chunks)
    assert "".join(body(c) for c in chunks).replace(" ", "") == f"See{token}here."


def test_list_items_stay_whole_when_a_list_is_split() -> None:
    # Sentence breaks inside the items are weaker cut points than the item boundaries.
    items = [f"- Item {i}: shipped {'many ' * (i % 5)}features. Fixed bugs {i}" for i in range(40)]
    chunks = chunk_document("\n".join(items), max_chars=300, overlap_chars=0, min_chars=0)

    assert len(chunks) > 3
    for chunk in chunks:
        assert all(line in items for line in body(chunk).split("\n"))


def test_short_paragraph_shares_a_chunk_with_the_start_of_an_oversize_one() -> None:
    short = "Summary: backend engineer."
    long = " ".join(sentences(40))
    chunks = chunk_document(f"{short}\n\n{long}", max_chars=400, overlap_chars=50, min_chars=0)

    assert body(chunks[0]).startswith(f"{short}\n\n")
    assert len(body(chunks[0])) > 200


def test_code_block_that_fits_stays_whole() -> None:
    code = "```python\ndef add(a, b):\n\n    return a  +  b\n```"
    text = "## Code\n\n" + " ".join(sentences(8)) + "\n\n" + code + "\n\n" + " ".join(sentences(8, seed=2))
    chunks = chunk_document(text, max_chars=300, overlap_chars=50, min_chars=0)

    holding = [c for c in chunks if "def add" in c.content]
    assert holding
    assert all(code in c.content for c in holding), "the code block was split or reformatted"


def test_overlap_is_dropped_rather_than_splitting_a_paragraph_that_fits() -> None:
    first = " ".join(sentences(12, seed=1))[:600].rsplit(" ", 1)[0] + "."
    second = " ".join(sentences(30, seed=2))[:1150].rsplit(" ", 1)[0] + "."
    text = f"{first}\n\n{second}"
    chunks = chunk_document(text, max_chars=1200, overlap_chars=150)

    assert [body(c) for c in chunks] == [first, second]


def test_tiny_trailing_piece_gets_enough_text_instead_of_standing_alone() -> None:
    paragraph = " ".join(sentences(40))
    max_chars = len(paragraph) - 60  # a greedy cut would leave a ~60-character tail
    chunks = chunk_document(paragraph, max_chars=max_chars, overlap_chars=0, min_chars=200)

    assert len(chunks) == 2
    assert len(body(chunks[-1])) >= 200
    assert all(len(body(c)) <= max_chars for c in chunks)


@pytest.mark.parametrize(
    ("max_chars", "overlap", "min_chars"), [(80, 20, 0), (300, 150, 50), (1200, 150, 200)]
)
def test_chunks_never_exceed_max_chars_plus_breadcrumb(max_chars: int, overlap: int, min_chars: int) -> None:
    rng = random.Random(max_chars)
    pieces = [
        "# Title", "## Section", "### Sub", "Heading\n=======", RESUME, "```\ncode line\n\n  indented\n```",
        " ".join(sentences(30)), "https://example.com/" + "a" * 250, "- one\n- two\n- three",
        "Dr. Who met Mr. X. Then they left!", "word " * 120,
    ]
    text = "\n\n".join(rng.choice(pieces) for _ in range(60))
    normalised = normalize_text(text)

    chunks = chunk_document(text, max_chars=max_chars, overlap_chars=overlap, min_chars=min_chars)

    assert chunks
    for chunk in chunks:
        breadcrumb = " > ".join(chunk.heading_path)
        extra = len(breadcrumb) + 2 if breadcrumb else 0
        assert len(chunk.content) <= max_chars + extra
        assert body(chunk) == normalised[chunk.char_start:chunk.char_end]
        assert body(chunk) == body(chunk).strip()


def test_every_body_character_lands_in_some_chunk() -> None:
    text = RESUME + "\n\n## Long\n\n" + " ".join(sentences(80)) + "\n\n" + "x" * 900
    normalised = normalize_text(text)
    chunks = chunk_document(text, max_chars=250, overlap_chars=60, min_chars=40)

    covered = {i for c in chunks for i in range(c.char_start, c.char_end)}
    heading_chars = {
        i
        for start, line in _lines_with_offsets(normalised)
        if line.startswith("#") or set(line) <= {"-", "="} or line in {"Education"}
        for i in range(start, start + len(line))
    }
    missing = [i for i, ch in enumerate(normalised) if not ch.isspace() and i not in covered | heading_chars]
    assert missing == []


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    lines, start = [], 0
    for line in text.split("\n"):
        lines.append((start, line))
        start += len(line) + 1
    return lines


def test_offsets_point_into_the_normalised_text() -> None:
    text = "Title\r\n=====\r\n\r\nCaf\u00e9\u00a0au   lait.\tNice.\r\n"
    chunks = chunk_document(text)

    normalised = normalize_text(text)
    assert [normalised[c.char_start:c.char_end] for c in chunks] == ["Café au lait. Nice."]
    assert chunks[0].content == "Title\n\nCafé au lait. Nice."


def test_chunking_is_deterministic() -> None:
    text = RESUME + "\n\n## Notes\n\n" + " ".join(sentences(100))
    first = chunk_document(text, title="CV", max_chars=300, overlap_chars=80)
    second = chunk_document(text, title="CV", max_chars=300, overlap_chars=80)

    assert first == second
    assert [c.content_hash for c in first] == [c.content_hash for c in second]
    assert len({c.content_hash for c in first}) == len(first)


def test_content_hash_is_sha256_of_content() -> None:
    chunk = chunk_document("## Skills\n\nPython, Go, SQL.")[0]
    assert chunk.content_hash == hashlib.sha256(b"Skills\n\nPython, Go, SQL.").hexdigest()


def test_normalisation_unifies_whitespace_keeps_code_and_is_idempotent() -> None:
    text = "\ufeffA\u00a0 b\u200bc  d\r\n\r\n\r\n\r\nnext\tline   \r```\nx  =  1\n```\f"
    normalised = normalize_text(text)

    assert normalised == "A bc d\n\nnext line\n```\nx  =  1\n```"
    assert normalize_text(normalised) == normalised


@pytest.mark.parametrize(
    ("max_chars", "overlap_chars", "min_chars", "message"),
    [
        (0, 0, 0, "max_chars"),
        (100, 51, 0, "overlap_chars"),
        (100, -1, 0, "overlap_chars"),
        (100, 10, -5, "min_chars"),
    ],
)
def test_invalid_sizes_are_rejected(max_chars: int, overlap_chars: int, min_chars: int, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        chunk_document("Some text.", max_chars=max_chars, overlap_chars=overlap_chars, min_chars=min_chars)


def test_first_level_one_heading_is_the_markdown_title() -> None:
    assert find_markdown_title("Intro\n\n## Not this\n\n# Jane *Doe*\n\n# Later") == "Jane Doe"
    assert find_markdown_title("Jane Doe\n========\n\ntext") == "Jane Doe"
    assert find_markdown_title("```\n# not a title\n```\n\nplain") is None


def test_chunk_body_strips_exactly_the_breadcrumb_with_breadcrumb_wrote() -> None:
    from twin.ingest.chunking import chunk_body, with_breadcrumb

    assert chunk_body(with_breadcrumb(["CV", "Work"], "I build things."), ["CV", "Work"]) == "I build things."
    # A chunk that never had a breadcrumb (an imported one) keeps its first line.
    assert chunk_body("First line\n\nsecond", ["CV"]) == "First line\n\nsecond"
