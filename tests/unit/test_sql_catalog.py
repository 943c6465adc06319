"""The named SQL catalog (shared/twin/queries/*.sql) stays documented, used and in step with its callers.

No database needed: these read the .sql files and the Python source (shared/ and bench/).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from twin.chat.retrieval import hybrid_search_params
from twin.storage.sqlfile import QUERIES_DIR, catalog, parse_named_queries, query

REPO = Path(__file__).resolve().parents[2]
TWIN = REPO / "shared" / "twin"
CODE_TREES = (REPO / "shared", REPO / "bench")
PARAM = re.compile(r"%\((\w+)\)s")

# Call sites still moving to qualified names: none left (sqlfile.query() no longer resolves bare names).
TRANSITIONAL_BARE: set[str] = set()


def _params(statement: str) -> set[str]:
    return set(PARAM.findall(statement))


@cache
def _sources() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8")
            for tree in CODE_TREES for path in sorted(tree.rglob("*.py")) if ".venv" not in path.parts}


def _resolve(name: str) -> str:
    if name in catalog():
        return name
    if name in TRANSITIONAL_BARE:
        [qualified] = [q for q in catalog() if q.partition(".")[2] == name]
        return qualified
    raise AssertionError(f"query({name!r}) names no statement (qualified names are '<file>.<statement>')")


def _query_name(node: ast.expr) -> str | None:
    """The literal name in ``query("x.y")``, else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "query"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)):
        return node.args[0].value
    return None


@cache
def _query_calls() -> list[tuple[str, int, str, ast.Call | None]]:
    """(file, line, name, enclosing ``.execute(...)`` call or None) for every literal query() call."""
    found: list[tuple[str, int, str, ast.Call | None]] = []
    for path, text in _sources().items():
        where = str(path.relative_to(REPO))
        tree = ast.parse(text, filename=where)
        executes: dict[int, ast.Call] = {}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "execute" and node.args):
                executes[id(node.args[0])] = node
        for node in ast.walk(tree):
            name = _query_name(node)
            if name is not None:
                found.append((where, node.lineno, name, executes.get(id(node))))
    return found


def test_query_files_are_named_after_the_package_that_owns_them() -> None:
    packages = {p.name for p in TWIN.iterdir() if (p / "__init__.py").exists()}
    packages |= {p.name for p in (TWIN / "importers").iterdir() if (p / "__init__.py").exists()}
    stems = {p.stem for p in QUERIES_DIR.glob("*.sql")}
    assert stems, "no query files found"
    assert stems <= packages, f"query files without an owning package: {sorted(stems - packages)}"


def test_statements_are_addressed_by_file_and_name() -> None:
    # GIVEN session_history in queries/chat.sql
    # THEN its qualified name finds it, and an unknown name fails loudly
    assert "FROM chat_sessions" in query("chat.session_history")
    with pytest.raises(KeyError, match="no SQL statement"):
        query("chat.no_such_statement")
    with pytest.raises(KeyError, match="no SQL statement"):
        query("ingest.session_history")  # right statement, wrong file


def test_a_bare_name_is_not_resolved_even_when_unique() -> None:
    with pytest.raises(KeyError, match="no SQL statement named 'get_twin'"):
        query("get_twin")


def test_a_statement_name_may_repeat_only_across_files() -> None:
    with pytest.raises(ValueError, match="defined twice"):
        parse_named_queries("-- name: a\n-- One.\nSELECT 1;\n-- name: a\n-- Two.\nSELECT 2;\n", origin="x.sql")


@pytest.mark.parametrize("name", sorted(catalog()))
def test_every_statement_says_what_it_is_for(name: str) -> None:
    first_line = query(name).splitlines()[0]
    assert re.match(r"^--\s*\S", first_line), f"{name}: the line after '-- name:' should be a one-line comment"


def test_every_statement_is_used() -> None:
    unused = [name for name in catalog() if not any(f'"{name}"' in text for text in _sources().values())]
    assert unused == [], f"statements no code in shared/ or bench/ names: {unused}"


def test_every_query_call_names_an_existing_statement() -> None:
    calls = _query_calls()
    assert len(calls) > 40  # the AST walk found the call sites at all
    for where, line, name, _ in calls:
        _resolve(name)  # raises with the name when it does not exist
        assert "." in name or name in TRANSITIONAL_BARE, f"{where}:{line}: use the qualified name for {name!r}"


def test_literal_parameters_match_the_statement_placeholders() -> None:
    mismatches: list[str] = []
    checked = 0
    for where, line, name, execute in _query_calls():
        if execute is None:
            continue  # COPY and EXPLAIN texts, or a name handed to a helper
        wanted = _params(query(_resolve(name)))
        if len(execute.args) == 1:
            given: set[str] = set()
        elif isinstance(execute.args[1], ast.Dict) and all(
                isinstance(k, ast.Constant) and isinstance(k.value, str) for k in execute.args[1].keys):
            given = {k.value for k in execute.args[1].keys}
        else:
            continue  # parameters built elsewhere (checked where they are built, if at all)
        checked += 1
        if given != wanted:
            mismatches.append(f"{where}:{line} {name}: passes {sorted(given)}, the statement uses {sorted(wanted)}")
    assert checked > 25
    assert mismatches == []


def test_hybrid_search_params_fill_every_placeholder() -> None:
    built = hybrid_search_params(twin_id="t", query_text="q", embedding=[0.0, 1.0], k=3)
    assert set(built) == _params(query("chat.hybrid_search"))
