"""`twin profile show|set` through twin.access.twins: a twin is only created when asked for."""

from __future__ import annotations

from typing import Any

import psycopg

from tests.cli.conftest import Twin
from tests.helpers import count


def test_profile_set_on_a_twin_that_does_not_exist_asks_for_create_and_creates_nothing(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str) -> None:
    run = twin_cli("profile", "set", "--twin", twin_id, "--name", "Ada", "--json")

    assert run.code == 1
    assert run.json["error"]["code"] == "twin_not_found"
    assert run.err == f"error: there is no twin '{twin_id}'; pass --create to make it\n"
    assert count(conn, "SELECT count(*) FROM twins WHERE twin_id = %s", (twin_id,)) == 0


def test_profile_set_with_create_then_edit_then_show(twin_cli: Twin, twin_id: str) -> None:
    created = twin_cli("profile", "set", "--twin", twin_id, "--create", "--name", "Ada Lovelace", "--json")
    edited = twin_cli("profile", "set", "--twin", twin_id, "--persona", "precise, a little dry", "--json")
    shown = twin_cli("profile", "show", "--twin", twin_id)

    assert created.code == 0, created.err
    assert created.json["display_name"] == "Ada Lovelace"
    assert edited.code == 0, edited.err
    assert edited.json["display_name"] == "Ada Lovelace"  # a flag not given keeps its value
    assert edited.json["persona"] == "precise, a little dry"
    assert edited.json["content_version"] > created.json["content_version"]  # cached answers are stale
    assert shown.out.splitlines()[:3] == [f"twin:    {twin_id}", "name:    Ada Lovelace",
                                          "persona: precise, a little dry"]


def test_profile_show_of_a_missing_twin_says_how_to_create_it(twin_cli: Twin, twin_id: str) -> None:
    run = twin_cli("profile", "show", "--twin", twin_id)
    assert run.code == 1
    assert f"twin profile set --twin {twin_id} --create" in run.err
