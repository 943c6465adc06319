"""Scoring for ``twin eval QUESTIONS.json``: parse the questions file, score the twin's answers, report.

The questions file::

    {"description": "optional free text",
     "questions": [
       {"id": "pets", "question": "Any pets?",
        "expect_documents": ["bio.txt"],          # any of these among the sources counts as a hit
        "facts_all": ["Chispa"],                  # every one must appear in the answer
        "facts_any": ["greyhound", "dog"],        # at least one must appear in the answer
        "follow_ups": [{"question": "What's its name?", "facts_all": ["Chispa"]}]},
       {"id": "salary", "question": "What salary do you expect?", "decline": true}]}

A question and its follow-ups form one conversation, asked in order in one chat session; each
follow-up is scored as a turn of its own with the id "<id>#1", "<id>#2", .... Facts are matched as
case- and accent-insensitive substrings ("matias" matches "Matías"). A question with ``decline``
must not also expect documents or facts: all that is checked is that the twin declined.

``expect_documents`` name files relative to the ingest root ("resume.md", "notes/trip.md") or
document ids exactly as stored. A file name also matches the id the loader derives from it (suffix
dropped, path slugified: "notes/Trip.md" -> "notes-trip"), and a JSON file also matches the ids of
the documents it holds when they were numbered by position ("faq.json" -> "faq-0", "faq-1", ...).

The caller runs the twin and hands in one ``TurnResult`` per turn: the answer, the ranked document
ids of its sources (best first; repeats, one per chunk, are fine), whether the twin declined (the
caller decides how to tell) and the latency. ``compute_report`` turns those into a ``Report``;
``format_report`` and ``report_as_dict`` present it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Conversation",
    "QuestionSet",
    "Rate",
    "Report",
    "Turn",
    "TurnOutcome",
    "TurnResult",
    "compute_report",
    "document_matches",
    "fact_found",
    "fold",
    "format_report",
    "load_questions",
    "parse_questions",
    "percentile",
    "report_as_dict",
]

# Ranks are counted over distinct documents; hit@3 is the widest window reported.
TOP_K = 3
FOLLOW_UP_SEPARATOR = "#"
# The loader's file types; only these suffixes are dropped when matching a file name to an id.
LOADER_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".html", ".htm", ".json")

_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
_MAX_ID_CHARS = 100
_FILE_FIELDS = frozenset({"description", "questions"})
_TURN_FIELDS = frozenset({"question", "expect_documents", "facts_all", "facts_any", "decline", "note"})
_QUESTION_FIELDS = _TURN_FIELDS | {"id", "follow_ups"}


# --- the questions file ----------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """One message to send to the twin and what its reply should contain."""

    id: str
    question: str
    expect_documents: tuple[str, ...] = ()
    facts_all: tuple[str, ...] = ()
    facts_any: tuple[str, ...] = ()
    decline: bool = False
    note: str | None = None

    @property
    def has_facts(self) -> bool:
        return bool(self.facts_all or self.facts_any)


@dataclass(frozen=True)
class Conversation:
    """A question and its follow-ups; ``turns[0]`` is the question itself. Ask them in one session."""

    id: str
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class QuestionSet:
    conversations: tuple[Conversation, ...]
    description: str | None = None

    @property
    def turns(self) -> tuple[Turn, ...]:
        """Every turn, in asking order."""
        return tuple(turn for conversation in self.conversations for turn in conversation.turns)


def load_questions(path: Path) -> QuestionSet:
    """Read and validate a questions file; every problem is a ValueError naming the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ValueError(f"{path}: cannot be read ({e.strerror or e})") from e
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: is not valid UTF-8 (bad byte at offset {e.start})") from e
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
    try:
        return parse_questions(data)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from e


def parse_questions(data: object) -> QuestionSet:
    """Validate already-decoded JSON. Errors read like "questions[3] ('pets').facts_all: must be ..."."""
    if not isinstance(data, dict):
        raise ValueError('the file must hold an object: {"questions": [...]}')
    _reject_unknown(data, _FILE_FIELDS, "the top level")
    description = data.get("description")
    if description is not None and not isinstance(description, str):
        raise ValueError("description: must be a string")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        raise ValueError("questions: must be a non-empty list of question objects")
    conversations: list[Conversation] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(questions):
        conversation = _parse_conversation(item, index)
        if conversation.id in seen:
            first = seen[conversation.id]
            raise ValueError(f"questions[{index}].id: {conversation.id!r} is already used by questions[{first}]")
        seen[conversation.id] = index
        conversations.append(conversation)
    return QuestionSet(conversations=tuple(conversations), description=description)


def _parse_conversation(item: object, index: int) -> Conversation:
    where = f"questions[{index}]"
    if not isinstance(item, dict):
        raise ValueError(f"{where}: must be an object")
    question_id = item.get("id")
    if not isinstance(question_id, str) or not _ID_PATTERN.fullmatch(question_id) or len(question_id) > _MAX_ID_CHARS:
        raise ValueError(f"{where}.id: must be a string of letters, digits and _ . : - (starting with a letter "
                         f"or digit, at most {_MAX_ID_CHARS} characters), got {question_id!r}")
    where = f"{where} ({question_id!r})"
    _reject_unknown(item, _QUESTION_FIELDS, where)
    turns = [_parse_turn(item, question_id, where)]
    follow_ups = item.get("follow_ups", [])
    if not isinstance(follow_ups, list):
        raise ValueError(f"{where}.follow_ups: must be a list of follow-up objects")
    for number, follow_up in enumerate(follow_ups, start=1):
        follow_where = f"{where}.follow_ups[{number - 1}]"
        if not isinstance(follow_up, dict):
            raise ValueError(f"{follow_where}: must be an object")
        _reject_unknown(follow_up, _TURN_FIELDS, follow_where)
        turns.append(_parse_turn(follow_up, f"{question_id}{FOLLOW_UP_SEPARATOR}{number}", follow_where))
    return Conversation(id=question_id, turns=tuple(turns))


def _parse_turn(item: dict[str, object], turn_id: str, where: str) -> Turn:
    question = item.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError(f"{where}.question: must be a non-empty string")
    decline = item.get("decline", False)
    if not isinstance(decline, bool):
        raise ValueError(f"{where}.decline: must be true or false, got {decline!r}")
    note = item.get("note")
    if note is not None and not isinstance(note, str):
        raise ValueError(f"{where}.note: must be a string")
    turn = Turn(
        id=turn_id,
        question=question.strip(),
        expect_documents=_string_list(item, "expect_documents", where),
        facts_all=_string_list(item, "facts_all", where),
        facts_any=_string_list(item, "facts_any", where),
        decline=decline,
        note=note,
    )
    if decline and (turn.expect_documents or turn.has_facts):
        raise ValueError(f"{where}: a question with decline: true cannot also have expect_documents, facts_all "
                         "or facts_any (only the decline is checked)")
    return turn


def _string_list(item: dict[str, object], name: str, where: str) -> tuple[str, ...]:
    value = item.get(name, [])
    if not isinstance(value, list) or not all(isinstance(entry, str) and entry.strip() for entry in value):
        raise ValueError(f"{where}.{name}: must be a list of non-empty strings")
    entries = tuple(entry.strip() for entry in value if isinstance(entry, str))
    repeated = sorted({entry for entry in entries if entries.count(entry) > 1})
    if repeated:
        raise ValueError(f"{where}.{name}: repeats {repeated}")
    return entries


def _reject_unknown(item: dict[str, object], allowed: frozenset[str], where: str) -> None:
    # Rejected rather than ignored: a misspelt "fact_all" would otherwise silently check nothing.
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown fields {unknown} (allowed: {', '.join(sorted(allowed))})")


# --- matching --------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case, accents stripped, curly quotes straightened, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'").replace("\u2018", "'"))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


def fact_found(fact: str, answer: str) -> bool:
    return fold(fact) in fold(answer)


def _slugify(text: str) -> str:
    # The loader's rule for turning a path part into part of a document id.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def document_matches(expected: str, document_id: str) -> bool:
    """Whether a source's document id is the expected document (see the module docstring)."""
    if document_id == expected or document_id.startswith(expected + FOLLOW_UP_SEPARATOR):
        return True  # "faq.json" is also each document it holds: "faq.json#0", "faq.json#1", ...
    path = expected.replace("\\", "/")
    stem, dot, suffix = path.rpartition(".")
    if not dot or "/" in suffix or f".{suffix.lower()}" not in LOADER_SUFFIXES:
        return False
    slug = "-".join(part for part in map(_slugify, stem.split("/")) if part)
    if not slug:
        return False
    if document_id == slug:
        return True
    if suffix.lower() == "json":
        rest = document_id.removeprefix(f"{slug}-")
        return rest != document_id and rest.isdigit()
    return False


def _distinct(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _first_rank(expected: Sequence[str], sources: Sequence[str]) -> int | None:
    for rank, document_id in enumerate(_distinct(sources), start=1):
        if any(document_matches(name, document_id) for name in expected):
            return rank
    return None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be between 0 and 100, got {q}")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnResult:
    """What the twin did with one turn. ``sources`` are document ids, best first."""

    id: str
    answer: str
    sources: tuple[str, ...] = ()
    declined: bool = False
    latency_ms: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class TurnOutcome:
    id: str
    question: str
    decline_expected: bool
    declined: bool
    rank: int | None  # of the first expected document among distinct sources; None if absent or not expected
    facts_ok: bool | None  # None when the turn has no facts to check
    latency_ms: float | None
    error: str | None
    reasons: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None


@dataclass(frozen=True)
class Report:
    outcomes: tuple[TurnOutcome, ...]
    hit_at_1: Rate
    hit_at_3: Rate
    mrr: float | None
    fact_rate: Rate
    declined_correctly: Rate
    false_declines: int
    answerable: int
    errors: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None

    @property
    def misses(self) -> tuple[TurnOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.passed)


def compute_report(questions: QuestionSet, results: Iterable[TurnResult]) -> Report:
    """Score one result per turn; a missing, repeated or unknown turn id is a ValueError."""
    turns = questions.turns
    by_id: dict[str, TurnResult] = {}
    for result in results:
        if result.id in by_id:
            raise ValueError(f"two results for turn {result.id!r}")
        by_id[result.id] = result
    known = {turn.id for turn in turns}
    unknown = sorted(set(by_id) - known)
    if unknown:
        raise ValueError(f"results for turns that are not in the questions file: {_some(unknown)}")
    missing = [turn.id for turn in turns if turn.id not in by_id]
    if missing:
        raise ValueError(f"no result for {len(missing)} turn(s): {_some(missing)}")
    outcomes = tuple(_score(turn, by_id[turn.id]) for turn in turns)
    return _summarise(turns, outcomes)


def _some(ids: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _score(turn: Turn, result: TurnResult) -> TurnOutcome:
    reasons: list[str] = []
    if result.error is not None:
        reasons.append(f"error: {result.error}")
    if turn.decline:
        if not result.declined and result.error is None:
            reasons.append("answered instead of declining")
        return TurnOutcome(turn.id, turn.question, True, result.declined, None, None, result.latency_ms,
                           result.error, tuple(reasons))
    if result.declined:
        reasons.append("declined an answerable question")
    rank = _first_rank(turn.expect_documents, result.sources) if turn.expect_documents else None
    if turn.expect_documents and result.error is None and (rank is None or rank > TOP_K):
        distinct = _distinct(result.sources)
        where = "no sources" if not distinct else f"got {', '.join(distinct[:TOP_K])}"
        found = f"first at rank {rank}" if rank is not None else where
        reasons.append(f"expected {' or '.join(turn.expect_documents)} in the top {TOP_K} sources; {found}")
    facts_ok: bool | None = None
    if turn.has_facts:
        absent = [fact for fact in turn.facts_all if not fact_found(fact, result.answer)]
        any_ok = not turn.facts_any or any(fact_found(fact, result.answer) for fact in turn.facts_any)
        facts_ok = result.error is None and not absent and any_ok
        if result.error is None and absent:
            reasons.append(f"missing facts_all: {', '.join(absent)}")
        if result.error is None and not any_ok:
            reasons.append(f"none of facts_any: {', '.join(turn.facts_any)}")
    return TurnOutcome(turn.id, turn.question, False, result.declined, rank, facts_ok, result.latency_ms,
                       result.error, tuple(reasons))


def _summarise(turns: Sequence[Turn], outcomes: Sequence[TurnOutcome]) -> Report:
    ranked = [outcome for turn, outcome in zip(turns, outcomes, strict=True) if turn.expect_documents]
    ranks = [outcome.rank for outcome in ranked]
    checked = [outcome.facts_ok for outcome in outcomes if outcome.facts_ok is not None]
    to_decline = [outcome for outcome in outcomes if outcome.decline_expected]
    answerable = [outcome for outcome in outcomes if not outcome.decline_expected]
    latencies = [outcome.latency_ms for outcome in outcomes if outcome.latency_ms is not None and outcome.error is None]
    return Report(
        outcomes=tuple(outcomes),
        hit_at_1=Rate(sum(1 for rank in ranks if rank == 1), len(ranks)),
        hit_at_3=Rate(sum(1 for rank in ranks if rank is not None and rank <= TOP_K), len(ranks)),
        mrr=sum(1 / rank for rank in ranks if rank is not None) / len(ranks) if ranks else None,
        fact_rate=Rate(sum(checked), len(checked)),
        declined_correctly=Rate(sum(1 for outcome in to_decline if outcome.declined and outcome.error is None),
                                len(to_decline)),
        false_declines=sum(1 for outcome in answerable if outcome.declined),
        answerable=len(answerable),
        errors=sum(1 for outcome in outcomes if outcome.error is not None),
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
    )


# --- presenting ------------------------------------------------------------------------------


def _rate_cells(rate: Rate) -> tuple[str, str]:
    value = rate.value
    return ("-" if value is None else f"{value:.2f}"), f"{rate.hits}/{rate.total}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def format_report(report: Report, *, width: int = 100) -> str:
    """A compact table for a terminal, then one line per reason for every missed turn."""
    decline_total = report.declined_correctly.total
    lines = [f"{len(report.outcomes)} turns: {report.answerable} answerable, {decline_total} to decline"
             + (f", {report.errors} failed with an error" if report.errors else "")]
    rows: list[tuple[str, str, str]] = [
        ("hit@1", *_rate_cells(report.hit_at_1)),
        (f"hit@{TOP_K}", *_rate_cells(report.hit_at_3)),
        ("MRR", "-" if report.mrr is None else f"{report.mrr:.2f}", f"over {report.hit_at_1.total}"),
        ("fact rate", *_rate_cells(report.fact_rate)),
        ("declined correctly", *_rate_cells(report.declined_correctly)),
        ("false declines", str(report.false_declines), f"of {report.answerable}"),
        ("latency p50", _ms(report.latency_p50_ms), ""),
        ("latency p95", _ms(report.latency_p95_ms), ""),
    ]
    label_width = max(len(row[0]) for row in rows)
    value_width = max(len(row[1]) for row in rows)
    lines.extend(f"  {label:<{label_width}}  {value:>{value_width}}  {extra}".rstrip() for label, value, extra in rows)
    misses = report.misses
    if not misses:
        lines.append("no misses")
        return "\n".join(lines)
    lines.append(f"misses ({len(misses)}):")
    id_width = max(len(outcome.id) for outcome in misses)
    for outcome in misses:
        lines.append(_clip(f"  {outcome.id:<{id_width}}  {outcome.question}", width))
        lines.extend(_clip(f"  {'':<{id_width}}    - {reason}", width) for reason in outcome.reasons)
    return "\n".join(lines)


def _rate_dict(rate: Rate) -> dict[str, object]:
    return {"value": rate.value, "hits": rate.hits, "total": rate.total}


def report_as_dict(report: Report) -> dict[str, object]:
    """Everything in the report as JSON-ready values (for ``--json``)."""
    return {
        "summary": {
            "turns": len(report.outcomes),
            "answerable": report.answerable,
            "errors": report.errors,
            "hit_at_1": _rate_dict(report.hit_at_1),
            "hit_at_3": _rate_dict(report.hit_at_3),
            "mrr": report.mrr,
            "fact_rate": _rate_dict(report.fact_rate),
            "declined_correctly": _rate_dict(report.declined_correctly),
            "false_declines": report.false_declines,
            "latency_ms": {"p50": report.latency_p50_ms, "p95": report.latency_p95_ms},
        },
        "turns": [
            {
                "id": outcome.id,
                "question": outcome.question,
                "passed": outcome.passed,
                "decline_expected": outcome.decline_expected,
                "declined": outcome.declined,
                "rank": outcome.rank,
                "facts_ok": outcome.facts_ok,
                "latency_ms": outcome.latency_ms,
                "error": outcome.error,
                "reasons": list(outcome.reasons),
            }
            for outcome in report.outcomes
        ],
        "misses": [{"id": outcome.id, "reasons": list(outcome.reasons)} for outcome in report.misses],
    }
