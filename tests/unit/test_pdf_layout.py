"""PDF text regains its headings and dated entries (twin.ingest.pdf_layout)."""

from __future__ import annotations

from twin.ingest.pdf_layout import mark_structure

CV_PAGE = """Inés Valdebenito
Illustrator and children's author, Melbourne, with a long first line of contact details
Exhibitions
2022 Drawn South: group exhibition of Latin American illustrators, Hollin Street Gallery,
Collingwood
2020 Fourteen Staircases: solo exhibition, Little Pocket Gallery, Fitzroy
Teaching
2017-present Evening workshop tutor at the Nightjar Community Arts Centre."""


def test_a_short_capitalised_line_before_entries_becomes_a_heading() -> None:
    lines = mark_structure(CV_PAGE).split("\n")
    assert "## Exhibitions" in lines
    assert "## Teaching" in lines


def test_a_dated_entry_is_a_list_item_with_its_wrapped_line() -> None:
    lines = mark_structure(CV_PAGE).split("\n")
    assert ("- 2022 Drawn South: group exhibition of Latin American illustrators, Hollin Street Gallery, "
            "Collingwood") in lines
    assert "- 2017-present Evening workshop tutor at the Nightjar Community Arts Centre." in lines
    assert "## Collingwood" not in lines  # it continues the line before, which ends with a comma


def test_prose_keeps_its_lines() -> None:
    prose = ("She has lived in Australia since 2013 and has taught illustration to adults\n"
             "since 2016. Her gouache illustrations have appeared in books.")
    assert mark_structure(prose) == prose
