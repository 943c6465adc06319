"""Text folded for matching by pattern: case and accents dropped, so "¿A qué te dedicas?" meets
the pattern "a que te dedicas"; a curly apostrophe is a straight one, and the Turkish dotless i
(U+0131) an i."""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return folded.replace("\u2019", "'").replace("\u0131", "i")
