"""Turn files (Markdown, text, HTML, PDF, JSON) into documents ready to chunk and ingest.

Every document's ``content`` is already in ``twin.ingest.chunking.normalize_text`` form, so chunk
offsets index the stored content directly. Ids come from file paths, so loading the same folder
again updates documents in place instead of duplicating them. Every problem a file can have is an
``InvalidRequest`` that names the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path

from twin.errors import ConfigurationError, InvalidRequest
from twin.ingest.chunking import find_markdown_title, normalize_text
from twin.ingest.schemas import DocumentInput

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".html", ".htm", ".json")
# documents.document_id is CHECKed to 1..200 characters.
MAX_ID_CHARS = 200
_ID_SEPARATORS = "-_/:."


# --- finding files -------------------------------------------------------------------------


def iter_paths(paths: Sequence[Path]) -> list[Path]:
    """Files to load: folders expanded recursively (sorted, hidden entries skipped), no repeats.

    Inside a folder, unsupported files are skipped; an unsupported file named explicitly is an
    error, since the caller clearly meant it to be loaded.
    """
    files: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        for file in _expand(path):
            if (key := file.resolve()) not in seen:
                seen.add(key)
                files.append(file)
    return files


def _expand(path: Path) -> list[Path]:
    if path.is_dir():
        return _supported_files_under(path)
    if path.is_file():
        _require_supported(path)
        return [path]
    raise _file_error(path, "no such file or directory")


def _supported_files_under(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        found.extend(
            Path(directory, name) for name in filenames
            if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_SUFFIXES
        )
    # By path parts (not by string) keeps "a/z.md" before "a-b/a.md", like a file tree; casefolded
    # so "Notes/" does not jump ahead of "cv.md", the exact name breaking ties.
    return sorted(found, key=lambda file: [(part.casefold(), part) for part in file.relative_to(root).parts])


def _require_supported(path: Path) -> None:
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        kind = path.suffix or "(no suffix)"
        raise _file_error(path, f"unsupported file type {kind!r}; supported: {', '.join(SUPPORTED_SUFFIXES)}")


# --- document ids --------------------------------------------------------------------------


def document_id_for_path(path: Path, *, root: Path | None = None, id_prefix: str | None = None) -> str:
    """A stable id from the path relative to ``root`` (or the file name), suffix dropped.

    "notes/2023/Trip to Köln.md" under root "notes" becomes "2023-trip-to-koln". ``id_prefix``
    comes first, joined by "-" unless it already ends with one of ``-_/:.``.
    """
    relative = _relative_to(path, root)
    slug = "-".join(part for part in map(_slugify, [*relative.parent.parts, relative.stem]) if part)
    if not slug:  # a name with no Latin letters or digits, e.g. "履歴書.md"
        slug = "doc-" + hashlib.sha256(relative.as_posix().encode("utf-8")).hexdigest()[:12]
    prefix = (id_prefix or "").strip()
    if prefix and not prefix.endswith(tuple(_ID_SEPARATORS)):
        prefix += "-"
    return _fit_id(prefix + slug)


def _relative_to(path: Path, root: Path | None) -> Path:
    if root is not None:
        try:
            return path.relative_to(root)
        except ValueError:
            pass
    return Path(path.name)


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _fit_id(document_id: str) -> str:
    if len(document_id) <= MAX_ID_CHARS:
        return document_id
    # A hash of the whole id keeps two long ids that share a prefix distinct.
    digest = hashlib.sha256(document_id.encode("utf-8")).hexdigest()[:12]
    return f"{document_id[:MAX_ID_CHARS - len(digest) - 1]}-{digest}"


# --- loading -------------------------------------------------------------------------------


def load_paths(paths: Sequence[Path], *, id_prefix: str | None = None) -> list[DocumentInput]:
    """Load files and folders; ids inside a folder are relative to that folder.

    Two documents with one id (e.g. "cv.md" and "cv.pdf") would overwrite each other on ingest,
    so that is an error naming both sources.
    """
    documents: list[DocumentInput] = []
    seen_files: set[Path] = set()
    sources_by_id: dict[str, str | None] = {}
    for path in paths:
        root = path if path.is_dir() else None
        for file in _expand(path):
            if (key := file.resolve()) in seen_files:
                continue
            seen_files.add(key)
            for document in load_path(file, root=root, id_prefix=id_prefix):
                _claim_id(document, sources_by_id)
                documents.append(document)
    return documents


def _claim_id(document: DocumentInput, sources_by_id: dict[str, str | None]) -> None:
    if document.id is None:
        return
    if document.id in sources_by_id:
        raise InvalidRequest(
            f"{document.source}: document id {document.id!r} is also used by {sources_by_id[document.id]}",
            details={"id": document.id},
        )
    sources_by_id[document.id] = document.source


def load_path(path: Path, *, root: Path | None = None, id_prefix: str | None = None) -> list[DocumentInput]:
    """The documents in one file: one for most formats, any number for JSON."""
    _require_supported(path)
    loader = _LOADERS[path.suffix.lower()]
    return loader(path, document_id_for_path(path, root=root, id_prefix=id_prefix))


def _load_text(path: Path, document_id: str) -> list[DocumentInput]:
    content = _required_text(path, normalize_text(_read_text(path)))
    title = find_markdown_title(content) or path.stem
    return [DocumentInput(id=document_id, title=title, content=content, source=str(path), metadata={})]


def _load_html(path: Path, document_id: str) -> list[DocumentInput]:
    extractor = _HtmlText()
    extractor.feed(_read_text(path))
    extractor.close()
    content = _required_text(path, extractor.text())
    title = extractor.title or extractor.first_h1 or path.stem
    return [DocumentInput(id=document_id, title=title, content=content, source=str(path), metadata={})]


def _load_pdf(path: Path, document_id: str) -> list[DocumentInput]:
    page_texts = _pdf_page_texts(path, _read_bytes(path))
    joined = "\n\n".join(text.strip() for text in page_texts if text.strip())
    content = normalize_text(joined)
    if not content:
        raise _file_error(path, "PDF has no extractable text (a scanned PDF needs OCR first)")
    return [DocumentInput(id=document_id, title=path.stem, content=content, source=str(path),
                           metadata={"pages": len(page_texts)})]


def _pdf_page_texts(path: Path, raw: bytes) -> list[str]:
    # Imported here so that loading Markdown never pays for (or needs) the PDF library.
    try:
        from pypdf import PdfReader
    except ImportError as e:  # pragma: no cover - pypdf is a runtime dependency
        raise ConfigurationError("reading PDF files needs the pypdf package") from e
    try:
        reader = PdfReader(io.BytesIO(raw))
        # Many PDFs are "encrypted" with an empty user password just to set permissions.
        locked = reader.is_encrypted and not reader.decrypt("")
        texts = [] if locked else [page.extract_text() or "" for page in reader.pages]
    except Exception as e:
        # Damaged input makes pypdf raise anything from PdfReadError to KeyError.
        raise _file_error(path, f"PDF cannot be read ({e})") from e
    if locked:
        raise _file_error(path, "PDF is encrypted; remove its password first")
    return texts


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise _file_error(path, f"cannot be read ({e.strerror or e})") from e


def _read_text(path: Path) -> str:
    raw = _read_bytes(path)
    try:
        return raw.decode("utf-8-sig")  # -sig: editors on Windows still write a BOM
    except UnicodeDecodeError as e:
        raise _file_error(path, f"is not valid UTF-8 (bad byte at offset {e.start}); save it as UTF-8") from e


def _required_text(path: Path, content: str) -> str:
    if not content:
        raise _file_error(path, "has no text")
    return content


# --- JSON ----------------------------------------------------------------------------------

_DOCUMENT_FIELDS = ("content", "id", "metadata", "source", "title")


def _load_json(path: Path, document_id: str) -> list[DocumentInput]:
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as e:
        raise _file_error(path, f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
    documents: list[DocumentInput] = []
    labels_by_id: dict[str, str] = {}
    for position, (label, item) in enumerate(_json_items(path, data)):
        # Items without an id are numbered by position, as in the error messages.
        default_id = document_id if label == "document" else f"{document_id}-{position}"
        document = _json_document(path, label, item, default_id)
        assert document.id is not None
        if document.id in labels_by_id:
            raise _field_error(path, f"{label}.id", f"{document.id!r} repeats {labels_by_id[document.id]}.id")
        labels_by_id[document.id] = label
        documents.append(document)
    return documents


def _json_items(path: Path, data: object) -> list[tuple[str, object]]:
    if isinstance(data, dict) and "documents" in data and "content" not in data:
        data = data["documents"]
        if not isinstance(data, list):
            raise _field_error(path, "documents", "must be a list of document objects")
    if isinstance(data, list):
        if not data:
            raise _field_error(path, "documents", "is empty")
        return [(f"documents[{i}]", item) for i, item in enumerate(data)]
    if isinstance(data, dict):
        return [("document", data)]
    raise _file_error(path, 'must hold a document object, a list of them, or {"documents": [...]}')


def _json_document(path: Path, label: str, item: object, default_id: str) -> DocumentInput:
    if not isinstance(item, dict):
        raise _field_error(path, label, "must be an object")
    unknown = sorted(set(item) - set(_DOCUMENT_FIELDS))
    if unknown:
        # Rejected rather than ignored: "contents" or "tittle" would otherwise vanish silently.
        allowed = ", ".join(_DOCUMENT_FIELDS)
        raise _field_error(path, label, f"has unknown fields {unknown} (allowed: {allowed})")
    content = item.get("content")
    normalised = normalize_text(content) if isinstance(content, str) else ""
    if not normalised:
        raise _field_error(path, f"{label}.content", "must be a non-empty string")
    document_id = item.get("id", default_id)
    if not isinstance(document_id, str) or not document_id.strip() or len(document_id) > MAX_ID_CHARS:
        raise _field_error(path, f"{label}.id", f"must be a non-empty string of at most {MAX_ID_CHARS} chars")
    metadata = item.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise _field_error(path, f"{label}.metadata", "must be an object")
    title = _optional_string(path, label, item, "title")
    return DocumentInput(
        id=document_id,
        title=_collapse(title) if title and title.strip() else find_markdown_title(normalised),
        content=normalised,
        source=_optional_string(path, label, item, "source") or str(path),
        metadata=dict(metadata or {}),
    )


def _optional_string(path: Path, label: str, item: dict[str, object], field: str) -> str | None:
    value = item.get(field)
    if value is not None and not isinstance(value, str):
        raise _field_error(path, f"{label}.{field}", "must be a string")
    return value


def _field_error(path: Path, field: str, problem: str) -> InvalidRequest:
    """E.g. "people.json: documents[2].content must be a non-empty string"."""
    return InvalidRequest(f"{path}: {field} {problem}", details={"file": str(path), "field": field})


def _file_error(path: Path, problem: str) -> InvalidRequest:
    return InvalidRequest(f"{path}: {problem}", details={"file": str(path)})


# --- HTML ----------------------------------------------------------------------------------

_SKIPPED_TAGS = frozenset({"script", "style", "nav", "head", "noscript", "template", "svg"})
_HEADING_LEVELS = {f"h{level}": level for level in range(1, 7)}
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "details", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "header", "hr", "main", "ol", "p", "section", "summary",
    "table", "ul",
})
_LIST_MARKER = "\n- "
_WHITESPACE = re.compile(r"\s+")


class _HtmlText(HTMLParser):
    """Visible text of a page, with headings as Markdown "#" lines so the chunker sees structure."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self.first_h1: str | None = None
        self._out: list[str] = []
        self._skipping: list[str] = []
        self._title_parts: list[str] | None = None
        self._heading_level = 0
        self._heading_parts: list[str] = []
        self._pre_depth = 0
        self._item_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._title_parts = []
        elif tag == "body":
            # HTML lets </head> be omitted; without this the whole page would count as <head>.
            self._skipping = [name for name in self._skipping if name != "head"]
        if tag in _SKIPPED_TAGS:
            self._skipping.append(tag)
        elif not self._skipping:
            self._open(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title_parts is not None:
            self.title = self.title or _collapse(" ".join(self._title_parts)) or None
            self._title_parts = None
        if tag in _SKIPPED_TAGS:
            if tag in self._skipping:
                del self._skipping[len(self._skipping) - 1 - self._skipping[::-1].index(tag)]
        elif not self._skipping:
            self._close(tag)

    def handle_data(self, data: str) -> None:
        if self._title_parts is not None:
            self._title_parts.append(data)
        elif self._skipping:
            return
        elif self._heading_level:
            self._heading_parts.append(data)
        elif self._pre_depth:
            self._out.append(data)
        else:
            self._out.append(_WHITESPACE.sub(" ", data))

    def _open(self, tag: str) -> None:
        if tag in _HEADING_LEVELS:
            self._heading_level, self._heading_parts = _HEADING_LEVELS[tag], []
        elif self._heading_level:
            self._heading_parts.append(" ")  # markup inside a heading stays on its one line
        elif tag == "pre":
            self._break("\n\n```\n")
            self._pre_depth += 1
        elif tag == "li":
            self._item_depth += 1
            self._out.append(_LIST_MARKER)
        elif tag in ("br", "tr"):
            self._break("\n")
        elif tag in ("td", "th"):
            self._out.append(" ")
        elif tag in _BLOCK_TAGS:
            self._break("\n\n")

    def _close(self, tag: str) -> None:
        if tag in _HEADING_LEVELS and self._heading_level:
            self._emit_heading()
        elif tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
            self._out.append("\n```\n\n")
        elif tag == "li" and self._item_depth:
            self._item_depth -= 1
        elif tag in _BLOCK_TAGS and not self._heading_level:
            self._break("\n\n")

    def _emit_heading(self) -> None:
        text = _collapse(" ".join(self._heading_parts))
        if text:
            self._break(f"\n\n{'#' * self._heading_level} {text}\n\n")
            if self._heading_level == 1 and self.first_h1 is None:
                self.first_h1 = text
        self._heading_level, self._heading_parts = 0, []

    def _break(self, separator: str) -> None:
        if not separator.strip():
            # "<li><p>one</p><p>two</p>" should read "- one two": an item stays one Markdown line.
            if self._out and self._out[-1] == _LIST_MARKER:
                return
            if self._item_depth and not self._pre_depth:
                separator = " "
        self._out.append(separator)

    def text(self) -> str:
        lines: list[str] = []
        in_code = False
        for line in "".join(self._out).split("\n"):
            if line == "```":
                in_code = not in_code
            # Indentation left by the page's source layout is noise, except inside <pre>.
            lines.append(line if in_code else line.strip())
        return normalize_text("\n".join(lines))


def _collapse(text: str) -> str:
    return " ".join(text.split())


_LOADERS: dict[str, Callable[[Path, str], list[DocumentInput]]] = {
    ".md": _load_text,
    ".markdown": _load_text,
    ".txt": _load_text,
    ".html": _load_html,
    ".htm": _load_html,
    ".pdf": _load_pdf,
    ".json": _load_json,
}
