"""The structure a PDF's text lost: section headings and dated entries, marked as Markdown.

pypdf returns lines with no blank line between a CV's "Awards" and the entries under it, so the
whole section would read as one paragraph: one chunk without a heading, one "sentence" of 400
characters for the offline answerer. A short capitalised line with no closing punctuation that
does not continue the line before it becomes ``## Awards``; a line that opens with a year
("2019 Marigold Medal ...", "2015-present Freelance ...") becomes a list item, and the lines
wrapped after it stay part of it. Prose is left as it was: its lines are long, or end a sentence.
"""

from __future__ import annotations

import re

__all__ = ["mark_structure"]

_HEADING_WORDS = 5
_HEADING_CHARS = 60
_YEAR_ENTRY = re.compile(r"^(?:19|20)\d\d(?:\s*[-\u2013\u2014/]\s*(?:(?:19|20)\d\d|present|now|today))?\s+\S",
                         re.IGNORECASE)
_CLOSING = (".", "!", "?", ":", ";", ",")
# A line ending like this goes on in the next one ("Hollin Street Gallery," / "Collingwood").
_CONTINUES = re.compile(r"(?:[,&(\u2014\u2013-]|\b(?:and|or|of|the|a|an|in|at|for|to|with))$", re.IGNORECASE)


def _is_heading(line: str, previous: str) -> bool:
    words = line.split()
    return (0 < len(words) <= _HEADING_WORDS and len(line) <= _HEADING_CHARS and line[:1].isupper()
            and not line.endswith(_CLOSING) and not _YEAR_ENTRY.match(line)
            and not (previous and _CONTINUES.search(previous)))


def mark_structure(text: str) -> str:
    """``text`` (one page) with headings as ``## ...`` lines and dated entries as ``- ...`` items."""
    out: list[str] = []
    previous = ""
    in_entry = False
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            out.append("")
            previous, in_entry = "", False
            continue
        if _is_heading(line, previous):
            out += ["", f"## {line}", ""]
            in_entry = False
        elif _YEAR_ENTRY.match(line):
            out.append(f"- {line}")
            in_entry = True
        elif in_entry:
            out[-1] += f" {line}"  # the entry wrapped onto this line
        else:
            out.append(line)
        previous = line
    return "\n".join(out)
