"""Structured JSON (a profile, a list of talks, an export of awards) as text a twin can quote.

A JSON object that is not a document (no ``content``) and not an FAQ entry (no ``question`` /
``answer``) is data its owner wants the twin to know: ``{"name": ..., "headline": ...,
"talks": [...]}``. It becomes Markdown-like text with one line per fact, so the chunker keeps a
nested list under its own heading and the offline answerer quotes one line, not the whole file:

    Name: Bao Ngo

    Location: city: Toronto; country: Canada

    ## Talks
    - title: Postgres Is a Perfectly Good Queue; event: Maple Go Conf; year: 2023

Keys are shown as words ("open_source" -> "Open source", "startDate" -> "Start date").
"""

from __future__ import annotations

import difflib
import json
import re

__all__ = ["MAX_DEPTH", "data_title", "data_to_text", "misspelt_field"]

# Deeper than this, a value is shown as compact JSON on its own line.
MAX_DEPTH = 4
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_Scalar = str | int | float | bool | None


def _label(key: str) -> str:
    words = _CAMEL.sub(" ", key).replace("_", " ").replace("-", " ").split()
    text = " ".join(words).lower()
    return text[:1].upper() + text[1:] if text else key


def _scalar(value: _Scalar) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _shown(value: object) -> bool:
    return value not in (None, "", [], {})


def _inline(value: dict[str, object]) -> str:
    """A flat object on one line: "city: Toronto; country: Canada"."""
    return "; ".join(f"{_label(k).lower()}: {_scalar(v)}" for k, v in value.items()  # type: ignore[arg-type]
                     if _shown(v))


def _item(value: object) -> str:
    if _is_scalar(value):
        return _scalar(value)  # type: ignore[arg-type]
    if isinstance(value, dict) and all(_is_scalar(v) for v in value.values()):
        return _inline(value)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _lines(data: dict[str, object], depth: int) -> list[str]:
    facts: list[str] = []
    sections: list[str] = []
    for key, value in data.items():
        if not _shown(value):
            continue
        label = _label(str(key))
        if _is_scalar(value):
            facts.append(f"{label}: {_scalar(value)}")  # type: ignore[arg-type]
        elif isinstance(value, dict) and all(_is_scalar(v) for v in value.values()):
            facts.append(f"{label}: {_inline(value)}")
        elif isinstance(value, list) and all(_is_scalar(v) for v in value):
            facts.append(f"{label}: " + ", ".join(_scalar(v) for v in value if _shown(v)))
        elif depth >= MAX_DEPTH:
            facts.append(f"{label}: {_item(value)}")
        else:
            sections += ["", f"{'#' * min(depth + 2, 6)} {label}"]
            if isinstance(value, dict):
                sections += _lines(value, depth + 1)
            else:
                assert isinstance(value, list)
                for entry in value:
                    if isinstance(entry, dict) and any(not _is_scalar(v) for v in entry.values()):
                        sections += ["", *_lines(entry, depth + 1)]
                    elif _shown(entry):
                        sections.append(f"- {_item(entry)}")
    # A blank line between facts keeps each its own unit: joined lines read as one wrapped sentence.
    return [line for i, fact in enumerate(facts) for line in ([fact] if i == 0 else ["", fact])] + sections


def data_to_text(data: dict[str, object]) -> str:
    """``data`` as one fact per paragraph, nested lists and objects under headings of their own."""
    return "\n".join(_lines(data, 0)).strip()


def data_title(data: dict[str, object]) -> str | None:
    """The object's own ``title``, else its ``name`` ("Bao Ngo" for a profile)."""
    for key in ("title", "name"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def misspelt_field(keys: list[str], fields: tuple[str, ...]) -> str | None:
    """A key that looks like a misspelt document field ("contents", "contnet"): rejected, not
    taken for data, so a typo never turns a document into a list of key: value lines."""
    for key in keys:
        if key in fields:
            continue
        if difflib.get_close_matches(key.casefold(), fields, n=1, cutoff=0.8):
            return key
    return None
