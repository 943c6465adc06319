"""Structure-aware, deterministic chunking of personal documents (resume, profile, notes, posts).

A document is normalised (``normalize_text``), cut into sections by its Markdown headings (ATX
``#`` and setext underlines), and each section's blocks (paragraphs, lists, fenced code) are
packed into chunks of at most ``max_chars`` characters.

Decisions worth knowing:

* Every chunk's ``content`` starts with a one-line breadcrumb of its heading path
  ("Jane Doe > Experience > Acme Corp") followed by a blank line. A bullet such as "Led the
  migration to Kubernetes" means little to an embedding, and is invisible to a full-text search
  for "Acme", unless the heading travels with it. ``heading_path`` keeps the same headings as
  data, for filters and citations.
* ``char_start``/``char_end`` delimit the chunk's body (``content`` minus the breadcrumb) in the
  normalised text: ``normalize_text(text)[c.char_start:c.char_end]`` is that body, verbatim.
* ``max_chars`` is a hard cap on the body, overlap included, because it stands in for the
  embedding model's input limit. Paragraphs are kept whole when they fit; an oversize one is cut
  at list items, then sentences, then line breaks, then words, and only a single token longer
  than a chunk is cut mid-word.
* Consecutive chunks of one section share up to ``overlap_chars`` of text, starting at a sentence
  (else word) boundary, so a fact cut in two still appears whole in one chunk. The overlap is
  dropped where it would force a paragraph that fits on its own to be split, and where a chunk
  ends with a sentence longer than the overlap: nothing was cut, and a word boundary would open
  the next chunk mid-sentence.
* Rather than appending a tiny last piece (< ``min_chars``) to a full chunk and breaking the
  cap, the cut before it moves back so the last chunk of a section gets enough text; where that
  is impossible (the paragraphs before it must stay whole) it keeps its overlap as context.
* Headings are context, not content: a heading with no text under it yields no chunk.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from twin.errors import InvalidRequest
from twin.text.sentences import LIST_MARKER, sentence_starts

BREADCRUMB_SEPARATOR = " > "


@dataclass(frozen=True)
class Chunk:
    index: int
    content: str
    heading_path: list[str]
    char_start: int
    char_end: int

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.content.encode("utf-8")).hexdigest()


# --- normalisation -------------------------------------------------------------------------

_LINE_BREAKS = re.compile(r"\r\n?|[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# Soft hyphens and zero-width characters come from PDFs and web pages; they split words for
# full-text search without being visible to anyone.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\u00ad\u200b\u2060\ufeff]")
_SPACE_LIKE = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INNER_SPACE_RUN = re.compile(r"(?<=\S) {2,}")
_BLANK_LINE_RUN = re.compile(r"\n{3,}")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})")
_FENCE_CLOSE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*")


def normalize_text(text: str) -> str:
    """The canonical form chunk offsets refer to; idempotent, so loaders may apply it first."""
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACE_LIKE.sub(" ", text)
    joined = "\n".join(_tidy_lines(text.split("\n")))
    return _BLANK_LINE_RUN.sub("\n\n", joined).strip("\n")


def _tidy_lines(lines: Sequence[str]) -> Iterator[str]:
    # Runs of spaces are layout noise in prose (PDF columns, justified text) but meaning in
    # code, so fenced blocks keep theirs.
    fence: str | None = None
    for raw in lines:
        line = raw.expandtabs(4).rstrip()
        if fence is not None:
            if _closes_fence(line, fence):
                fence = None
        else:
            fence = _opening_fence(line)
            if fence is None:
                line = _INNER_SPACE_RUN.sub(" ", line)
        yield line


def _opening_fence(line: str) -> str | None:
    match = _FENCE_OPEN.match(line)
    if match is None:
        return None
    fence = match.group(1)
    # CommonMark: a backtick fence's info string cannot contain backticks (that is inline code).
    if fence[0] == "`" and "`" in line[match.end():]:
        return None
    return fence


def _closes_fence(line: str, fence: str) -> bool:
    match = _FENCE_CLOSE.fullmatch(line)
    return match is not None and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence)


# --- outline: headings and blocks ----------------------------------------------------------

_ATX_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
# Three or more characters: a lone "--" under a line is an e-mail signature, not a heading.
_SETEXT_UNDERLINE = re.compile(r" {0,3}(={3,}|-{3,})[ \t]*")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_NOT_A_HEADING_LINE = re.compile(r"\s*(?:[-*+>|]|\d{1,9}[.)](?:\s|$))")
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Emphasis markers at word edges and code backticks; "snake_case" keeps its underscore.
_INLINE_MARKUP = re.compile(r"`|(?<!\w)[*_]+(?=\S)|(?<=\S)[*_]+(?!\w)")


class _Block(NamedTuple):
    start: int
    end: int
    is_code: bool


class _Section(NamedTuple):
    headings: tuple[str, ...]
    blocks: tuple[_Block, ...]


class _Outline:
    """Reads normalised text line by line into sections: a heading path and its body blocks."""

    def __init__(self, text: str) -> None:
        self.sections: list[_Section] = []
        self.headings: list[tuple[int, str]] = []
        self._text = text
        self._stack: list[tuple[int, str]] = []
        self._blocks: list[_Block] = []
        self._paragraph: list[tuple[int, int]] = []
        self._fence: str | None = None
        self._fence_start = 0
        self._last_end = 0
        self._read()

    def _read(self) -> None:
        start = 0
        for line in self._text.split("\n"):
            self._feed(line, start, start + len(line))
            start += len(line) + 1
        self._flush_paragraph()
        if self._fence is not None:  # unclosed fence: CommonMark runs it to the end
            self._add_block(self._fence_start, self._last_end, True)
        self._close_section()

    def _feed(self, line: str, start: int, end: int) -> None:
        if self._fence is not None:
            self._feed_code(line, end)
        elif (fence := _opening_fence(line)) is not None:
            self._flush_paragraph()
            self._fence, self._fence_start = fence, start
        elif not line.strip():
            self._flush_paragraph()
        elif (atx := _ATX_HEADING.fullmatch(line)) is not None:
            self._open_heading(len(atx.group(1)), atx.group(2) or "")
        elif (underline := _SETEXT_UNDERLINE.fullmatch(line)) and self._paragraph_can_be_heading():
            heading_start, heading_end = self._paragraph.pop()
            level = 1 if underline.group(1)[0] == "=" else 2
            self._open_heading(level, self._text[heading_start:heading_end])
        elif underline or _THEMATIC_BREAK.fullmatch(line):
            self._flush_paragraph()  # a rule separates text but is not text itself
        else:
            self._paragraph.append((start, end))
        self._last_end = end

    def _feed_code(self, line: str, end: int) -> None:
        assert self._fence is not None
        if _closes_fence(line, self._fence):
            self._add_block(self._fence_start, end, True)
            self._fence = None

    def _paragraph_can_be_heading(self) -> bool:
        # Only a one-line paragraph: under a longer one the underline is far more likely a rule
        # (or YAML front matter) than a multi-line heading.
        if len(self._paragraph) != 1:
            return False
        start, end = self._paragraph[0]
        return _NOT_A_HEADING_LINE.match(self._text, start, end) is None

    def _flush_paragraph(self) -> None:
        if self._paragraph:
            self._add_block(self._paragraph[0][0], self._paragraph[-1][1], False)
            self._paragraph = []

    def _add_block(self, start: int, end: int, is_code: bool) -> None:
        # Chunks start at text, not at the first line's indentation.
        while self._text[start].isspace():
            start += 1
        self._blocks.append(_Block(start, end, is_code))

    def _open_heading(self, level: int, raw_title: str) -> None:
        self._flush_paragraph()
        self._close_section()
        title = _plain_heading(raw_title)
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title))
        self.headings.append((level, title))

    def _close_section(self) -> None:
        if self._blocks:
            path = tuple(title for _, title in self._stack if title)
            self.sections.append(_Section(path, tuple(self._blocks)))
            self._blocks = []


def _plain_heading(raw: str) -> str:
    text = _MARKDOWN_LINK.sub(r"\1", raw)
    return " ".join(_INLINE_MARKUP.sub("", text).split())


def find_markdown_title(text: str) -> str | None:
    """The first level-1 heading (``# Title`` or ``Title`` over ``===``), ignoring code blocks."""
    outline = _Outline(normalize_text(text))
    return next((title for level, title in outline.headings if level == 1 and title), None)


# --- boundaries inside a section -----------------------------------------------------------

# Where a chunk may end, strongest first. Cutting at a stronger boundary loses less context.
_BLOCK, _UNIT, _SENTENCE, _LINE, _WORD = 4, 3, 2, 1, 0
_RANKS_STRONGEST_FIRST = (_BLOCK, _UNIT, _SENTENCE, _LINE, _WORD)

_WHITESPACE_RUN = re.compile(r"\s+")
_LINE_START = re.compile(r"\n\s*")
# List items and table rows are units a reader expects to see whole.
_UNIT_LINE = re.compile(rf"{LIST_MARKER.pattern}|\|")


class _Boundary(NamedTuple):
    start: int  # where the following text begins
    end_before: int  # where a chunk cut here ends (the preceding whitespace is not kept)
    rank: int
    splittable: bool  # inside a block too long to keep whole, so usable as a cut


def _section_boundaries(text: str, blocks: Sequence[_Block], max_chars: int) -> list[_Boundary]:
    boundaries: list[_Boundary] = []
    for i, block in enumerate(blocks):
        if i:
            boundaries.append(_Boundary(block.start, blocks[i - 1].end, _BLOCK, True))
        splittable = block.end - block.start > max_chars
        for position, rank in _inner_boundaries(text, block):
            boundaries.append(_Boundary(position, _end_before(text, position), rank, splittable))
    return boundaries


def _inner_boundaries(text: str, block: _Block) -> list[tuple[int, int]]:
    ranks = {m.end(): _WORD for m in _WHITESPACE_RUN.finditer(text, block.start, block.end)}
    for match in _LINE_START.finditer(text, block.start, block.end):
        is_unit = block.is_code or _UNIT_LINE.match(text, match.end(), block.end) is not None
        ranks[match.end()] = _UNIT if is_unit else _LINE
    if not block.is_code:
        for position in sentence_starts(text, block.start, block.end):
            ranks[position] = max(ranks.get(position, _WORD), _SENTENCE)
    return sorted(ranks.items())


def _end_before(text: str, position: int) -> int:
    end = position
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


# --- packing a section into chunk spans ----------------------------------------------------


class _Limits(NamedTuple):
    max_chars: int
    overlap_chars: int
    min_chars: int


class _SectionPacker:
    """Turns one section's blocks into (start, end) spans of the normalised text."""

    def __init__(self, text: str, blocks: Sequence[_Block], limits: _Limits) -> None:
        self._text = text
        self._blocks = blocks
        self._limits = limits
        self._end = blocks[-1].end
        self._block_starts = [block.start for block in blocks]

    # Computed on first use only: a section that fits in one chunk (most posts and notes)
    # never needs its boundaries, which cost most of the chunker's time.
    @functools.cached_property
    def _boundaries(self) -> list[_Boundary]:
        return _section_boundaries(self._text, self._blocks, self._limits.max_chars)

    # Both orderings are the same (a later boundary also ends later), so both bisect.
    @functools.cached_property
    def _starts(self) -> list[int]:
        return [b.start for b in self._boundaries]

    @functools.cached_property
    def _ends(self) -> list[int]:
        return [b.end_before for b in self._boundaries]

    def spans(self) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        resume = self._blocks[0].start  # first character not yet in any chunk
        start, consumed = resume, resume
        while resume < self._end:
            cut = self._cut(start, consumed)
            if cut is None:  # the overlap crowded out a paragraph that fits on its own
                start = resume
                cut = self._cut(start, consumed)
                assert cut is not None, "a chunk that starts at new text always has an end"
            end, resume = cut
            spans.append((start, end))
            if resume >= self._end:
                break  # nothing left to overlap into
            consumed = end
            overlap_start = self._overlap_start(start, end, resume)
            start = resume if overlap_start is None else overlap_start
        return spans

    def _cut(self, start: int, consumed: int) -> tuple[int, int] | None:
        limit = start + self._limits.max_chars
        if self._end <= limit:
            return self._end, self._end
        cut = self._best_cut(start, consumed, limit)
        if cut is not None and 0 < self._end - cut[1] < self._limits.min_chars:
            return self._rebalanced(start, consumed) or cut
        return cut

    def _rebalanced(self, start: int, consumed: int) -> tuple[int, int] | None:
        # Cut earlier so the section's last chunk gets min_chars of new text, but not so early
        # that this chunk becomes the one with too little.
        cut = self._best_cut(start, consumed, self._end - self._limits.min_chars)
        if cut is None or cut[0] - consumed < self._limits.min_chars:
            return None
        return cut

    def _best_cut(self, start: int, consumed: int, limit: int) -> tuple[int, int] | None:
        if limit <= consumed:
            return None
        low = bisect.bisect_right(self._ends, consumed)
        high = bisect.bisect_right(self._ends, limit)
        window = [b for b in self._boundaries[low:high] if b.rank == _BLOCK or b.splittable]
        # The strongest boundary wins only if it leaves the chunk at least half full; otherwise
        # a paragraph break early in the window would produce a run of tiny chunks.
        half_full = start + (limit - start) // 2
        for rank in _RANKS_STRONGEST_FIRST:
            best = next((b for b in reversed(window) if b.rank >= rank), None)
            if best is not None and best.end_before >= half_full:
                return best.end_before, best.start
        hard = self._hard_cut(limit, consumed) if self._inside_oversize_block(limit) else None
        if hard is not None:
            return hard
        if window:
            return window[-1].end_before, window[-1].start
        return None

    def _inside_oversize_block(self, position: int) -> bool:
        index = bisect.bisect_left(self._block_starts, position) - 1
        if index < 0:
            return False
        block = self._blocks[index]
        return position < block.end and block.end - block.start > self._limits.max_chars

    def _hard_cut(self, limit: int, consumed: int) -> tuple[int, int] | None:
        # Only a token longer than the room left (a URL, a hash, base64) gets here.
        end = _end_before(self._text, limit)
        if end <= consumed:
            return None
        resume = limit
        while resume < self._end and self._text[resume].isspace():
            resume += 1
        return end, resume

    def _overlap_start(self, start: int, end: int, resume: int) -> int | None:
        if self._limits.overlap_chars == 0:
            return None
        low = bisect.bisect_left(self._starts, max(start + 1, end - self._limits.overlap_chars))
        high = bisect.bisect_left(self._starts, end)
        candidates = self._boundaries[low:high]
        sentence = next((b.start for b in candidates if b.rank >= _SENTENCE), None)
        if sentence is not None:
            return sentence
        # The chunk ended where a sentence does, and its last sentence is longer than the overlap:
        # starting at a word inside it would only open the next chunk with a fragment ("cricket
        # with, badly, ..."), which no fact needs, since none was cut.
        after = bisect.bisect_left(self._starts, resume)
        clean = after < len(self._boundaries) and self._starts[after] == resume
        if clean and self._boundaries[after].rank >= _SENTENCE:
            return None
        return candidates[0].start if candidates else None


# --- public entry point --------------------------------------------------------------------


def with_breadcrumb(heading_path: Sequence[str], body: str) -> str:
    """A chunk's stored text: its heading path on the first line (it gives the embedder and the
    model the context a bare paragraph lacks), a blank line, the body. The one owner of the format."""
    breadcrumb = BREADCRUMB_SEPARATOR.join(heading_path)
    return f"{breadcrumb}\n\n{body}" if breadcrumb else body


def chunk_body(content: str, heading_path: Sequence[str]) -> str:
    """The body of a stored chunk, without the breadcrumb ``with_breadcrumb`` put on it (chunks
    that came from elsewhere, such as an Upstash import, have none and are returned whole)."""
    breadcrumb = BREADCRUMB_SEPARATOR.join(heading_path)
    prefix = f"{breadcrumb}\n\n"
    return content[len(prefix):] if breadcrumb and content.startswith(prefix) else content


def chunk_document(
    text: str,
    *,
    title: str | None = None,
    max_chars: int = 1200,
    overlap_chars: int = 150,
    min_chars: int = 200,
) -> list[Chunk]:
    """Split a document into chunks; the same arguments always give the same chunks.

    ``title`` (the document's title) heads every heading path unless the document's own first
    heading already says the same. Empty or whitespace-only text gives no chunks.
    """
    limits = _validated_limits(max_chars, overlap_chars, min_chars)
    normalised = normalize_text(text)
    if not normalised:
        return []
    root = " ".join(title.split()) if title else ""
    chunks: list[Chunk] = []
    for section in _Outline(normalised).sections:
        path = _heading_path(root, section.headings)
        for start, end in _SectionPacker(normalised, section.blocks, limits).spans():
            body = normalised[start:end]
            content = with_breadcrumb(path, body)
            chunks.append(Chunk(index=len(chunks), content=content, heading_path=list(path),
                                char_start=start, char_end=end))
    return chunks


def _validated_limits(max_chars: int, overlap_chars: int, min_chars: int) -> _Limits:
    if max_chars < 1:
        raise InvalidRequest(f"max_chars must be at least 1, got {max_chars}")
    # More than half would let each chunk add only a sliver of new text.
    if not 0 <= overlap_chars <= max_chars // 2:
        raise InvalidRequest(
            f"overlap_chars must be between 0 and half of max_chars ({max_chars // 2}), got {overlap_chars}")
    if min_chars < 0:
        raise InvalidRequest(f"min_chars must not be negative, got {min_chars}")
    return _Limits(max_chars, overlap_chars, min_chars)


def _heading_path(title: str, headings: tuple[str, ...]) -> tuple[str, ...]:
    if not title or (headings and headings[0].casefold() == title.casefold()):
        return headings
    return (title, *headings)
