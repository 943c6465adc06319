from __future__ import annotations

import json
from pathlib import Path

import pytest

from twin.errors import InvalidRequest
from twin.ingest.chunking import chunk_document
from twin.ingest.loaders import document_id_for_path, iter_paths, load_path, load_paths
from twin.ingest.schemas import MAX_DOCUMENT_CHARS, DocumentInput


def minimal_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one line of Helvetica text per page, xref offsets computed."""
    font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", font]  # the page tree (2) is filled in last
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            f" /Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rejection(path: Path) -> str:
    with pytest.raises(InvalidRequest) as excinfo:
        load_path(path)
    return excinfo.value.message


# --- Markdown and text ----------------------------------------------------------------------


def test_markdown_title_comes_from_first_h1_and_id_is_the_file_name_with_its_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "Jane Doe CV.md", "Intro.\n\n# Jane Doe\n\n## Experience\n\nAcme.")

    [document] = load_path(path)

    assert document == DocumentInput(
        id="Jane Doe CV.md", title="Jane Doe", content="Intro.\n\n# Jane Doe\n\n## Experience\n\nAcme.",
        source=str(path), metadata={},
    )


def test_text_file_without_heading_takes_its_title_from_the_file_stem(tmp_path: Path) -> None:
    [document] = load_path(write(tmp_path / "about_me.txt", "I like hiking.\n"))
    assert (document.title, document.id) == ("about_me", "about_me.txt")


def test_loaded_content_is_normalised_so_chunk_offsets_index_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(b"\xef\xbb\xbf## Caf\xc3\xa9\r\n\r\nDinner\xc2\xa0at   eight.\r\n")

    [document] = load_path(path)

    assert document.content == "## Café\n\nDinner at eight."
    [chunk] = chunk_document(document.content)
    assert document.content[chunk.char_start:chunk.char_end] == "Dinner at eight."


def test_invalid_utf8_is_rejected_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Köln".encode("latin-1"))
    assert "latin1.txt" in rejection(path)
    assert "UTF-8" in rejection(path)


def test_empty_text_file_is_rejected(tmp_path: Path) -> None:
    assert "has no text" in rejection(write(tmp_path / "empty.md", " \n\n\t\n"))


# --- finding files and ids ------------------------------------------------------------------


def test_iter_paths_expands_folders_sorted_skipping_hidden_and_unsupported(tmp_path: Path) -> None:
    for name in ["b.md", "a.TXT", "notes/z.json", "notes/a.html", "a-b/c.pdf", "image.png",
                 ".hidden.md", ".git/config.md", "notes/.drafts/x.md"]:
        write(tmp_path / name, "x")
    explicit = write(tmp_path / "outside" / "extra.markdown", "x")

    # The explicit file and b.md are also inside the folder: each is listed once.
    found = iter_paths([tmp_path, explicit, tmp_path / "b.md"])

    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a-b/c.pdf", "a.TXT", "b.md", "notes/a.html", "notes/z.json", "outside/extra.markdown",
    ]


def test_folders_are_listed_in_tree_order(tmp_path: Path) -> None:
    for name in ["b.md", "a/z.md", "a-b/a.md", "a/sub/y.md"]:
        write(tmp_path / name, "x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_paths([tmp_path])]
    assert found == ["a/sub/y.md", "a/z.md", "a-b/a.md", "b.md"]


def test_explicit_unsupported_file_is_rejected_by_name(tmp_path: Path) -> None:
    path = write(tmp_path / "photo.docx", "x")
    with pytest.raises(InvalidRequest, match=r"photo\.docx.*unsupported file type '\.docx'"):
        iter_paths([path])
    with pytest.raises(InvalidRequest, match=r"photo\.docx"):
        load_path(path)


def test_missing_path_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="no such file or directory"):
        iter_paths([tmp_path / "nope.md"])


def test_ids_inside_a_folder_are_the_path_relative_to_it_with_extension(tmp_path: Path) -> None:
    write(tmp_path / "Notes" / "2023" / "Trip to Köln.md", "# Trip\n\nRain.")
    write(tmp_path / "cv.md", "CV.")

    documents = load_paths([tmp_path], id_prefix="jane").documents

    assert [d.id for d in documents] == ["jane-cv.md", "jane-Notes/2023/Trip to Köln.md"]
    assert [d.source for d in documents] == [str(tmp_path / "cv.md"), str(tmp_path / "Notes/2023/Trip to Köln.md")]
    assert document_id_for_path(Path("x/Read Me!.md"), id_prefix="docs/") == "docs/Read Me!.md"
    assert document_id_for_path(Path("履歴書.md")) == "履歴書.md"


def test_ids_are_nfc_with_forward_slashes_and_no_leading_dot(tmp_path: Path) -> None:
    decomposed = "Ko\u0308ln.md"  # what macOS file systems hand back for "Köln.md"
    assert document_id_for_path(tmp_path / "./a" / decomposed, root=tmp_path) == "a/K\u00f6ln.md"
    assert document_id_for_path(Path("./notes/cv.md"), root=Path(".")) == "notes/cv.md"


def test_same_file_name_in_two_subfolders_gives_two_documents(tmp_path: Path) -> None:
    write(tmp_path / "resume.md", "Short resume.")
    write(tmp_path / "work" / "resume.md", "Work resume.")

    assert [d.id for d in load_paths([tmp_path]).documents] == ["resume.md", "work/resume.md"]


def test_ids_and_sources_do_not_depend_on_the_working_directory(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "notes" / "work" / "resume.md", "Work resume.")
    monkeypatch.chdir(tmp_path)
    from_parent = load_paths([Path("notes")]).documents
    monkeypatch.chdir(tmp_path / "notes" / "work")
    from_inside = load_paths([Path("../../notes")]).documents

    assert [(d.id, d.source) for d in from_parent] == [("work/resume.md", str(tmp_path / "notes/work/resume.md"))]
    assert [(d.id, d.source) for d in from_inside] == [(d.id, d.source) for d in from_parent]


def test_a_file_given_by_itself_is_identified_by_its_name(tmp_path: Path) -> None:
    path = write(tmp_path / "deep" / "down" / "resume.md", "Resume.")
    [document] = load_paths([path]).documents
    assert (document.id, document.source) == ("resume.md", str(path))


def test_long_ids_are_capped_at_the_schema_limit() -> None:
    long_name = Path("a" * 300 + ".md")
    document_id = document_id_for_path(long_name)
    assert len(document_id) == 200
    assert document_id != document_id_for_path(Path("a" * 301 + ".md"))


def test_cv_md_and_cv_txt_are_two_documents(tmp_path: Path) -> None:
    write(tmp_path / "cv.md", "Markdown CV.")
    write(tmp_path / "cv.txt", "Text CV.")
    assert [d.id for d in load_paths([tmp_path]).documents] == ["cv.md", "cv.txt"]


def test_second_file_claiming_an_id_fails_naming_the_first_and_the_rest_loads(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "resume.md", "A's resume.")
    second = write(tmp_path / "b" / "resume.md", "B's resume.")
    write(tmp_path / "b" / "other.md", "Other.")

    result = load_paths([tmp_path / "a", tmp_path / "b"])

    assert [(d.id, d.source) for d in result.documents] == [("resume.md", str(first)), ("other.md",
                                                                                        str(tmp_path / "b/other.md"))]
    [failure] = result.failed
    assert failure.path == str(second)
    assert f"'resume.md' is also used by {first}" in failure.reason
    assert "--id-prefix" in failure.reason


# --- one bad file in a folder ---------------------------------------------------------------


def test_bad_files_in_a_folder_are_reported_one_by_one_while_the_rest_loads(tmp_path: Path) -> None:
    # GIVEN a folder with good files, an empty one, unsupported ones and unreadable ones
    write(tmp_path / "about.md", "# About\n\nI sail.")
    write(tmp_path / "empty.md", "  \n")
    write(tmp_path / "cv.docx", "binary")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "latin1.txt").write_bytes("Köln".encode("latin-1"))
    encrypted_pdf(tmp_path, "locked.pdf", "Secret.", user_password="pw", owner_password="pw")
    (tmp_path / "plain.pdf").unlink()  # the helper's unencrypted copy
    write(tmp_path / "huge.txt", "word " * (MAX_DOCUMENT_CHARS // 5 + 1))
    write(tmp_path / "z.md", "Last.")

    # WHEN the folder is loaded
    result = load_paths([tmp_path])

    # THEN the good files load, and every other file is listed with its reason
    assert [d.id for d in result.documents] == ["about.md", "z.md"]
    assert [(p.path, p.reason) for p in result.skipped] == [
        (str(tmp_path / "cv.docx"), "unsupported file type '.docx'"),
        (str(tmp_path / "empty.md"), "has no text"),
        (str(tmp_path / "photo.jpg"), "unsupported file type '.jpg'"),
    ]
    failed = {Path(p.path).name: p.reason for p in result.failed}
    assert set(failed) == {"huge.txt", "latin1.txt", "locked.pdf"}
    assert "the limit is 1,000,000" in failed["huge.txt"]
    assert "UTF-8" in failed["latin1.txt"]
    assert "encrypted" in failed["locked.pdf"]
    assert result.files == 8
    assert result.loaded_sources == {str(tmp_path / "about.md"), str(tmp_path / "z.md")}


def test_document_over_the_api_limit_is_rejected_by_itself(tmp_path: Path) -> None:
    path = write(tmp_path / "huge.md", "a" * (MAX_DOCUMENT_CHARS + 1))
    assert f"has {MAX_DOCUMENT_CHARS + 1:,} characters of text" in rejection(path)


def test_missing_path_is_an_error_before_anything_loads(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "A.")
    with pytest.raises(InvalidRequest, match="nope: no such file or directory"):
        load_paths([tmp_path, tmp_path / "nope"])


def test_explicitly_named_unsupported_file_fails_rather_than_being_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "cv.docx", "x")
    result = load_paths([path])
    assert result.documents == []
    assert [p.path for p in result.failed] == [str(path)]
    assert "supported: .md" in result.failed[0].reason


# --- HTML -----------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head><title>Jane Doe &mdash; Profile</title><style>h1 { color: red }</style>
<script>document.write("<h1>injected</h1>")</script>
<body>
<nav><a href="/">Home</a> <a href="/blog">Blog</a></nav>
<h1>Jane <em>Doe</em></h1>
<p>Engineer   in
   Berlin &amp; Paris.</p>
<h2>Experience</h2>
<h3>Acme Corp</h3>
<ul><li><p>Led the migration.</p></li><li>Cut costs.</li></ul>
<pre>def f():
    return 1</pre>
</body></html>
"""


def test_html_headings_survive_extraction(tmp_path: Path) -> None:
    [document] = load_path(write(tmp_path / "profile.html", PAGE))

    assert document.title == "Jane Doe — Profile"
    assert document.content == (
        "# Jane Doe\n\nEngineer in Berlin & Paris.\n\n## Experience\n\n### Acme Corp\n\n"
        "- Led the migration.\n- Cut costs.\n\n```\ndef f():\n    return 1\n```"
    )
    chunks = chunk_document(document.content)
    assert chunks[1].heading_path == ["Jane Doe", "Experience", "Acme Corp"]


def test_html_without_title_uses_h1_and_survives_an_omitted_head_end_tag(tmp_path: Path) -> None:
    page = "<html><head><meta charset=utf-8><body><h1>Posts</h1><p>Hello <b>world</b>.</p>"
    [document] = load_path(write(tmp_path / "posts.htm", page))
    assert (document.title, document.content) == ("Posts", "# Posts\n\nHello world.")


def test_html_with_only_scripts_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "app.html", "<html><body><script>render()</script></body></html>")
    assert "has no text" in rejection(path)


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "resume.pdf"
    path.write_bytes(minimal_pdf(["Jane Doe builds data platforms.", "She lives in Berlin."]))

    [document] = load_path(path)

    assert document.content == "Jane Doe builds data platforms.\n\nShe lives in Berlin."
    assert document.metadata == {"pages": 2}
    assert (document.id, document.title, document.source) == ("resume.pdf", "resume", str(path))


def encrypted_pdf(tmp_path: Path, name: str, text: str, *, user_password: str, owner_password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(minimal_pdf([text]))
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    path = tmp_path / name
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_encrypted_pdf_is_rejected(tmp_path: Path) -> None:
    locked = encrypted_pdf(tmp_path, "locked.pdf", "Secret salary.", user_password="hunter2",
                           owner_password="hunter2")
    assert "locked.pdf: PDF is encrypted" in rejection(locked)


def test_pdf_with_only_an_owner_password_is_still_read(tmp_path: Path) -> None:
    restricted = encrypted_pdf(tmp_path, "restricted.pdf", "Readable by anyone.", user_password="",
                               owner_password="owner")
    assert load_path(restricted)[0].content == "Readable by anyone."


def test_pdf_without_text_is_rejected(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    scan = tmp_path / "scan.pdf"
    with scan.open("wb") as handle:
        writer.write(handle)

    assert "scan.pdf: PDF has no extractable text" in rejection(scan)


def test_damaged_pdf_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"this is not a PDF")
    assert "broken.pdf: PDF cannot be read" in rejection(path)


# --- JSON -----------------------------------------------------------------------------------


def test_json_single_document_object_is_loaded(tmp_path: Path) -> None:
    bio = {"content": "# Bio\n\nHello.", "metadata": {"lang": "en"}}
    path = write(tmp_path / "bio.json", json.dumps(bio))

    [document] = load_path(path)

    assert document == DocumentInput(id="bio.json", title="Bio", content="# Bio\n\nHello.", source=str(path),
                                      metadata={"lang": "en"})


def test_json_list_of_documents_is_loaded(tmp_path: Path) -> None:
    path = write(tmp_path / "posts.json", json.dumps([
        {"id": "post-1", "title": "First", "content": "Hello\r\nworld.", "source": "https://blog.example/1"},
        {"content": "Second post.", "metadata": {"tags": ["x"]}},
    ]))

    documents = load_path(path)

    assert documents == [
        DocumentInput(id="post-1", title="First", content="Hello\nworld.", source="https://blog.example/1",
                       metadata={}),
        DocumentInput(id="posts.json#1", title=None, content="Second post.", source=str(path),
                       metadata={"tags": ["x"]}),
    ]


def test_json_documents_wrapper_is_loaded(tmp_path: Path) -> None:
    path = write(tmp_path / "people.json", json.dumps({"documents": [{"content": "A."}, {"content": "B."}]}))
    assert [(d.id, d.content) for d in load_path(path)] == [("people.json#0", "A."), ("people.json#1", "B.")]


def test_json_question_and_answer_pairs_are_documents_titled_by_the_question(tmp_path: Path) -> None:
    path = tmp_path / "faq.json"
    path.write_text(json.dumps([{"question": "Do you work remotely?", "answer": "Yes, two days a week."},
                                {"question": "Can you start soon?", "answer": "In a month.", "id": "start"}]))
    documents = load_paths([path]).documents
    assert [(d.id, d.title, d.content) for d in documents] == [
        ("faq.json#0", "Do you work remotely?", "Yes, two days a week."),
        ("start", "Can you start soon?", "In a month.")]


def test_json_question_without_an_answer_is_rejected_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "faq.json"
    path.write_text(json.dumps([{"question": "Do you work remotely?", "answer": "Yes."},
                                {"question": "Can you start soon?", "answr": "In a month."}]))
    result = load_paths([path])
    assert result.documents == []
    assert "documents[1]" in result.failed[0].reason


def test_a_json_profile_is_ingested_as_one_fact_per_line(tmp_path: Path) -> None:
    path = write(tmp_path / "profile.json", json.dumps({
        "name": "Bao Ngo", "headline": "Staff Backend Engineer at Parcelwise",
        "location": {"city": "Toronto", "country": "Canada"}, "languages": ["Go", "Python"],
        "talks": [{"title": "Postgres Is a Perfectly Good Queue", "event": "Maple Go Conf", "year": 2023}],
        "open_source": True, "links": {}}))
    [document] = load_path(path)
    assert (document.id, document.title) == ("profile.json", "Bao Ngo")
    assert document.content.split("\n\n") == [
        "Name: Bao Ngo", "Headline: Staff Backend Engineer at Parcelwise", "Location: city: Toronto; country: Canada",
        "Languages: Go, Python", "Open source: yes",
        "## Talks\n- title: Postgres Is a Perfectly Good Queue; event: Maple Go Conf; year: 2023"]


def test_a_json_list_of_records_gives_one_document_per_record(tmp_path: Path) -> None:
    path = write(tmp_path / "jobs.json", json.dumps([{"company": "Acme", "role": "Data engineer", "from": 2019},
                                                      {"company": "Initech", "role": "Intern"}]))
    assert [(d.id, d.content) for d in load_path(path)] == [
        ("jobs.json#0", "Company: Acme\n\nRole: Data engineer\n\nFrom: 2019"),
        ("jobs.json#1", "Company: Initech\n\nRole: Intern")]


def test_a_misspelt_document_field_is_rejected_not_taken_for_data(tmp_path: Path) -> None:
    path = write(tmp_path / "post.json", json.dumps({"title": "Post", "contnet": "Hello."}))
    assert "has unknown fields ['contnet']" in rejection(path)


def test_deeply_nested_json_is_rejected_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    assert rejection(path).startswith(f"{path}: ")


def test_json_document_without_content_is_rejected_with_index(tmp_path: Path) -> None:
    path = write(tmp_path / "people.json", json.dumps(
        {"documents": [{"content": "A."}, {"content": "B."}, {"title": "No content"}]}))

    with pytest.raises(InvalidRequest) as excinfo:
        load_path(path)

    assert excinfo.value.message == f"{path}: documents[2].content must be a non-empty string"
    assert excinfo.value.details == {"file": str(path), "field": "documents[2].content"}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([{"content": "  \n "}], "documents[0].content must be a non-empty string"),
        ([{"content": 5}], "documents[0].content must be a non-empty string"),
        ([{"content": "A.", "id": 7}], "documents[0].id must be a non-empty string"),
        ([{"content": "A.", "id": "x" * 201}], "documents[0].id must be a non-empty string"),
        ([{"content": "A.", "title": ["x"]}], "documents[0].title must be a string"),
        ([{"content": "A.", "source": 1}], "documents[0].source must be a string"),
        ([{"content": "A.", "metadata": [1]}], "documents[0].metadata must be an object"),
        ([{"content": "A."}, "B."], "documents[1] must be an object"),
        ([{"contents": "A."}], "documents[0] has unknown fields ['contents']"),
        ([{"content": "A.", "id": "a"}, {"content": "B.", "id": "a"}],
         "documents[1].id 'a' repeats documents[0].id"),
        ([], "documents is empty"),
        ({"documents": {"content": "A."}}, "documents must be a list"),
        ("just a string", "must hold a document object"),
        ({"title": "T"}, "document.content must be a non-empty string"),
    ],
)
def test_invalid_json_documents_are_rejected_naming_file_and_field(
    tmp_path: Path, data: object, problem: str
) -> None:
    path = write(tmp_path / "people.json", json.dumps(data))
    message = rejection(path)
    assert message.startswith(f"{path}: ")
    assert problem in message


def test_json_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "people.json", '[\n  {"content": "A."},\n  {"content": }\n]')
    assert "people.json: invalid JSON at line 3" in rejection(path)


def _pdf_with_title(tmp_path: Path, name: str, title: str | None) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / f"plain-{name}"
    plain.write_bytes(minimal_pdf(["Jane Doe builds data platforms."]))
    writer = PdfWriter(clone_from=PdfReader(plain))
    if title is not None:
        writer.add_metadata({"/Title": title})
    path = tmp_path / name
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_pdf_title_comes_from_its_metadata_when_present(tmp_path: Path) -> None:
    path = _pdf_with_title(tmp_path, "cv-2024-final.pdf", "  Jane Doe —\nCurriculum Vitae ")

    [document] = load_path(path)

    assert document.title == "Jane Doe — Curriculum Vitae"
    assert document.id == "cv-2024-final.pdf"  # the id still comes from the path


def test_pdf_without_a_useful_title_is_named_after_its_file(tmp_path: Path) -> None:
    untitled = _pdf_with_title(tmp_path, "notes.pdf", "Untitled")
    word_name = _pdf_with_title(tmp_path, "talk.pdf", "talk-draft.docx")
    blank = _pdf_with_title(tmp_path, "blank.pdf", "   ")

    assert [load_path(p)[0].title for p in (untitled, word_name, blank)] == ["notes", "talk", "blank"]


def test_a_nul_in_a_profiles_name_is_dropped_from_its_title_as_from_its_content(tmp_path: Path) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"name": "Ana\u0000 Lima", "headline": "Nurse"}), encoding="utf-8")
    [document] = load_path(profile)
    assert document.title == "Ana Lima"
    assert "\x00" not in document.content


def test_metadata_postgresql_cannot_store_fails_its_file_by_name_and_the_rest_load(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({"documents": [
        {"id": "x", "content": "Hello there.", "metadata": {"team": "a\u0000b"}}]}), encoding="utf-8")
    (tmp_path / "good.md").write_text("# Good\n\nI work at Acme.", encoding="utf-8")
    result = load_paths([tmp_path])
    assert [d.id for d in result.documents] == ["good.md"]
    [failed] = result.failed
    assert failed.path.endswith("bad.json")
    assert "metadata.team contains a NUL character" in failed.reason
