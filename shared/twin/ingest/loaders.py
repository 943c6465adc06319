"""Turn files (Markdown, text, HTML, PDF, JSON) into documents ready to chunk and ingest.

Every document's ``content`` is already in ``twin.ingest.chunking.normalize_text`` form, so chunk
offsets index the stored content directly.

Ids are the file's path relative to the ingest root (the folder given; for a file given by
itself, its name), with forward slashes, in NFC and with the extension: ``resume.md``,
``work/resume.md``. They do not depend on the working directory, and two ``resume.md`` in two
folders stay two documents. A JSON file holding several documents gives each its own ``id``,
else ``<path>#<n>``. ``source`` is the file's absolute path (the root resolved, the part below
it as found), which is how ``twin ingest --mirror`` knows which documents came from a folder.

Every problem a file can have is an ``InvalidRequest`` that names the file; ``load_paths``
collects them per file (``LoadResult.skipped`` and ``failed``) so one bad file never stops the
rest of a folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from twin.errors import ConfigurationError, InvalidRequest
from twin.ingest.chunking import find_markdown_title, normalize_text
from twin.ingest.pdf_layout import mark_structure
from twin.ingest.schemas import MAX_DOCUMENT_CHARS, DocumentInput
from twin.ingest.structured import data_title, data_to_text, misspelt_field
from twin.validation import check_storable

if TYPE_CHECKING:
    from pypdf import PdfReader

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".html", ".htm", ".json")
# documents.document_id is CHECKed to 1..200 characters.
MAX_ID_CHARS = 200
_ID_SEPARATORS = "-_/:.#"


class EmptyFile(InvalidRequest):
    """A file with no text in it: skipped, not failed (there is nothing in it to lose)."""

    code = "empty_document"


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
    _require_exists(path)
    if path.is_dir():
        return [file for file in _files_under(path) if _is_supported(file)]
    _require_supported(path)
    return [path]


def _require_exists(path: Path) -> None:
    if not path.is_dir() and not path.is_file():
        raise _file_error(path, "no such file or directory")


def _files_under(root: Path) -> list[Path]:
    """Every file below ``root``, of any type, hidden files and folders left out."""
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        found.extend(Path(directory, name) for name in filenames if not name.startswith("."))
    # By path parts (not by string) keeps "a/z.md" before "a-b/a.md", like a file tree; casefolded
    # so "Notes/" does not jump ahead of "cv.md", the exact name breaking ties.
    return sorted(found, key=lambda file: [(part.casefold(), part) for part in file.relative_to(root).parts])


def _is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def _unsupported(path: Path) -> str:
    return f"unsupported file type {path.suffix or '(no suffix)'!r}"


def _require_supported(path: Path) -> None:
    if not _is_supported(path):
        raise _file_error(path, f"{_unsupported(path)}; supported: {', '.join(SUPPORTED_SUFFIXES)}")


# --- document ids and sources --------------------------------------------------------------


def document_id_for_path(path: Path, *, root: Path | None = None, id_prefix: str | None = None) -> str:
    """The path relative to ``root`` (or the file name) as a stable id, extension kept.

    "notes/2023/Trip to Köln.md" under root "notes" becomes "2023/Trip to Köln.md" (NFC, forward
    slashes). ``id_prefix`` comes first, joined by "-" unless it already ends with one of
    ``-_/:.#``.
    """
    relative = unicodedata.normalize("NFC", _relative_to(path, root).as_posix())
    while relative.startswith("./"):
        relative = relative[2:]
    prefix = (id_prefix or "").strip()
    if prefix and not prefix.endswith(tuple(_ID_SEPARATORS)):
        prefix += "-"
    return _fit_id(prefix + relative)


def source_for_path(path: Path, *, root: Path | None = None) -> str:
    """The file's absolute path: the root (or the file's folder) resolved, the rest as found.

    Resolving only the root keeps a symlinked file inside the folder "inside" it, which is what
    ``--mirror`` compares against.
    """
    base = root if root is not None else path.parent
    return os.path.join(base.resolve(), _relative_to(path, root).as_posix())


def _relative_to(path: Path, root: Path | None) -> Path:
    if root is not None:
        try:
            return path.relative_to(root)
        except ValueError:
            pass
    return Path(path.name)


def _fit_id(document_id: str) -> str:
    if len(document_id) <= MAX_ID_CHARS:
        return document_id
    # A hash of the whole id keeps two long ids that share a prefix distinct.
    digest = hashlib.sha256(document_id.encode("utf-8")).hexdigest()[:12]
    return f"{document_id[:MAX_ID_CHARS - len(digest) - 1]}-{digest}"


# --- loading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileProblem:
    """A file that was not ingested, and why (``reason`` does not repeat the path)."""

    path: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


@dataclass
class LoadResult:
    """What ``load_paths`` found.

    ``skipped``: files not meant to be ingested (unsupported type inside a folder, no text);
    ``failed``: files meant to be ingested that could not be (unreadable, not UTF-8, encrypted
    or scanned PDF, over the size limit, invalid JSON, an id another file already uses).
    ``loaded_sources`` are the sources of the files that loaded; ``roots`` the folders given,
    resolved.
    """

    documents: list[DocumentInput] = field(default_factory=list)
    skipped: list[FileProblem] = field(default_factory=list)
    failed: list[FileProblem] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    loaded_sources: set[str] = field(default_factory=set)
    files: int = 0


# on_file(files done, files in all): progress while reading a large folder.
FileProgress = Callable[[int, int], None]


def load_paths(paths: Sequence[Path], *, id_prefix: str | None = None,
               on_file: FileProgress | None = None) -> LoadResult:
    """Load files and folders; ids inside a folder are relative to that folder.

    A path that does not exist is an error before anything is read (a typo must not look like
    an empty folder). Any problem with one file is recorded for that file and the rest load.
    Two documents with one id would overwrite each other on ingest, so the second file is
    failed, naming the first.
    """
    for path in paths:
        _require_exists(path)
    result = LoadResult()
    work: list[tuple[Path, Path | None]] = []
    seen_files: set[Path] = set()
    for path in paths:
        root = path if path.is_dir() else None
        if root is not None:
            result.roots.append(str(root.resolve()))
        for file in _files_under(path) if root is not None else [path]:
            if (key := file.resolve()) not in seen_files:
                seen_files.add(key)
                work.append((file, root))
    result.files = len(work)
    sources_by_id: dict[str, str | None] = {}
    for done, (file, root) in enumerate(work, start=1):
        _load_one(file, root, id_prefix, result, sources_by_id)
        if on_file is not None:
            on_file(done, len(work))
    return result


def _load_one(file: Path, root: Path | None, id_prefix: str | None, result: LoadResult,
              sources_by_id: dict[str, str | None]) -> None:
    if root is not None and not _is_supported(file):
        result.skipped.append(FileProblem(str(file), _unsupported(file)))
        return
    try:
        documents = load_path(file, root=root, id_prefix=id_prefix)
        _claim_ids(file, documents, sources_by_id)
    except EmptyFile as e:
        result.skipped.append(FileProblem(str(file), _reason(file, e)))
        return
    except InvalidRequest as e:
        result.failed.append(FileProblem(str(file), _reason(file, e)))
        return
    result.documents.extend(documents)
    result.loaded_sources.add(source_for_path(file, root=root))


def _reason(path: Path, error: InvalidRequest) -> str:
    return error.message.removeprefix(f"{path}: ")


def _claim_ids(path: Path, documents: list[DocumentInput], sources_by_id: dict[str, str | None]) -> None:
    # All of a file's ids are checked before any is claimed: a file lands whole or not at all.
    for document in documents:
        if document.id is not None and document.id in sources_by_id:
            raise _file_error(path, f"document id {document.id!r} is also used by {sources_by_id[document.id]}; "
                                    "give one of them another id (or ingest with --id-prefix)")
    for document in documents:
        if document.id is not None:
            sources_by_id[document.id] = document.source


def load_path(path: Path, *, root: Path | None = None, id_prefix: str | None = None) -> list[DocumentInput]:
    """The documents in one file: one for most formats, any number for JSON."""
    _require_supported(path)
    loader = _LOADERS[path.suffix.lower()]
    documents = loader(path, document_id_for_path(path, root=root, id_prefix=id_prefix),
                       source_for_path(path, root=root))
    for document in documents:
        where = "" if len(documents) == 1 else f"document {document.id!r} "
        if len(document.content) > MAX_DOCUMENT_CHARS:
            raise _file_error(path, f"{where}has {len(document.content):,} characters of text; the limit is "
                                    f"{MAX_DOCUMENT_CHARS:,} per document (split it into smaller files)")
        # The content is normalised (NULs and other invisible characters dropped); a title, id,
        # source or metadata value PostgreSQL cannot store fails the file with its name, not the ingest.
        try:
            check_storable({"id": document.id, "title": document.title, "source": document.source,
                            "metadata": document.metadata}, "document")
        except InvalidRequest as e:
            raise _file_error(path, f"{where}{e.message}") from e
    return documents


def _load_text(path: Path, document_id: str, source: str) -> list[DocumentInput]:
    content = _required_text(path, normalize_text(_read_text(path)))
    title = find_markdown_title(content) or path.stem
    return [DocumentInput(id=document_id, title=title, content=content, source=source, metadata={})]


def _load_html(path: Path, document_id: str, source: str) -> list[DocumentInput]:
    extractor = _HtmlText()
    extractor.feed(_read_text(path))
    extractor.close()
    content = _required_text(path, extractor.text())
    title = extractor.title or extractor.first_h1 or path.stem
    return [DocumentInput(id=document_id, title=title, content=content, source=source, metadata={})]


def _load_pdf(path: Path, document_id: str, source: str) -> list[DocumentInput]:
    page_texts, title = _pdf_page_texts(path, _read_bytes(path))
    joined = "\n\n".join(mark_structure(text.strip()) for text in page_texts if text.strip())
    content = normalize_text(joined)
    if not content:
        raise _file_error(path, "PDF has no extractable text (a scanned PDF needs OCR first)")
    return [DocumentInput(id=document_id, title=title or path.stem, content=content, source=source,
                           metadata={"pages": len(page_texts)})]


def _pdf_title(reader: PdfReader) -> str | None:
    """The document information /Title, when it says something (many tools write "untitled" or the
    file name of a Word document; those are no better than the file's stem)."""
    try:
        info = reader.metadata
        raw = info.title if info is not None else None
    except Exception:  # noqa: BLE001 - a damaged info dictionary must not cost the text
        return None
    title = " ".join(str(raw).split()) if raw else ""
    if not title or title.lower() in {"untitled", "untitled document", "microsoft word"} or \
            title.lower().endswith((".doc", ".docx", ".pdf")):
        return None
    return title[:300]


def _pdf_page_texts(path: Path, raw: bytes) -> tuple[list[str], str | None]:
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
        title = None if locked else _pdf_title(reader)
    except Exception as e:
        # Damaged input makes pypdf raise anything from PdfReadError to KeyError.
        raise _file_error(path, f"PDF cannot be read ({e})") from e
    if locked:
        raise _file_error(path, "PDF is encrypted; remove its password first")
    return texts, title


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
        raise EmptyFile(f"{path}: has no text", details={"file": str(path)})
    return content


# --- JSON ----------------------------------------------------------------------------------

_DOCUMENT_FIELDS = ("content", "id", "metadata", "source", "title")
_FAQ_FIELDS = ("answer", "id", "metadata", "question", "source")


def _load_json(path: Path, document_id: str, source: str) -> list[DocumentInput]:
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as e:
        raise _file_error(path, f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
    except RecursionError as e:
        raise _file_error(path, "JSON nested too deeply to read") from e
    documents: list[DocumentInput] = []
    labels_by_id: dict[str, str] = {}
    for position, (label, item) in enumerate(_json_items(path, data)):
        # Items without an id are numbered by position, as in the error messages.
        default_id = document_id if label == "document" else _fit_id(f"{document_id}#{position}")
        document = _json_document(path, label, item, default_id, source)
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


def _faq_entry(path: Path, label: str, item: dict[str, object]) -> dict[str, object]:
    """A question-and-answer pair, the shape FAQ exports take, as a document: the question is its
    title, the answer its content."""
    unknown = sorted(set(item) - set(_FAQ_FIELDS))
    if unknown:
        raise _field_error(path, label, f"has unknown fields {unknown} (allowed: {', '.join(_FAQ_FIELDS)})")
    for name in ("question", "answer"):
        value = item.get(name)
        if not isinstance(value, str) or not normalize_text(value):
            raise _field_error(path, f"{label}.{name}", "must be a non-empty string")
    question = item["question"]
    document = {k: v for k, v in item.items() if k not in ("question", "answer")}
    return {**document, "title": question, "content": item.get("answer")}


def _json_document(path: Path, label: str, item: object, default_id: str, source: str) -> DocumentInput:
    if not isinstance(item, dict):
        raise _field_error(path, label, "must be an object")
    if "question" in item or "answer" in item:
        item = _faq_entry(path, label, item)
    elif _is_data(item):
        return _data_document(path, label, item, default_id, source)
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
        source=_optional_string(path, label, item, "source") or source,
        metadata=dict(metadata or {}),
    )


def _is_data(item: dict[str, object]) -> bool:
    """No ``content`` and fields a document does not have, none of them a misspelt document field:
    a profile or an export (``twin.ingest.structured``), not a document with a typo."""
    return ("content" not in item and any(key not in _DOCUMENT_FIELDS for key in item)
            and misspelt_field(list(item), _DOCUMENT_FIELDS + _FAQ_FIELDS) is None)


def _data_document(path: Path, label: str, item: dict[str, object], default_id: str, source: str) -> DocumentInput:
    content = normalize_text(data_to_text(item))
    if not content:
        raise _field_error(path, label, "has no values to ingest")
    own_id = item.get("id")
    document_id = own_id if isinstance(own_id, str) and own_id.strip() and len(own_id) <= MAX_ID_CHARS else default_id
    title = data_title(item)
    # A title read off the data is cleaned as the content is ("A\u0000B" is no name to store).
    return DocumentInput(id=document_id, title=normalize_text(title) if title else title, content=content,
                         source=source, metadata={})


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


_LOADERS: dict[str, Callable[[Path, str, str], list[DocumentInput]]] = {
    ".md": _load_text,
    ".markdown": _load_text,
    ".txt": _load_text,
    ".html": _load_html,
    ".htm": _load_html,
    ".pdf": _load_pdf,
    ".json": _load_json,
}
