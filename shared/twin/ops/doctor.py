"""Health checks for a twin database (the seed's Troubleshooting section, automated).

Each check reports what it saw; the report is ``ok`` only when every check passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import class_row, scalar_row

from twin.chat.retrieval import hybrid_search_params
from twin.config import EMBEDDING_DIM
from twin.storage import migrations
from twin.storage.sqlfile import query

SEED_TABLES = ("vectors", "database_cache", "ingestion_metadata", "rate_limits")
PROJECT_TABLES = (*SEED_TABLES, "twins", "documents", "chat_sessions", "chat_messages", "api_keys",
                  "schema_migrations")
VECTOR_INDEX = "vectors_embedding_hnsw_idx"
MIN_PGVECTOR = (0, 8)  # iterative index scans
MIGRATE_FIX = "run `twin db migrate`"
INDEX_FIX = (f"recreate {VECTOR_INDEX} as sql/0001_initial_schema.sql does: "
             "USING hnsw ((embedding::halfvec(1536)) halfvec_cosine_ops) (`twin db psql` opens a prompt)")


@dataclass(frozen=True)
class ServerFacts:
    server_version: str
    database: str
    user_name: str
    pgvector_version: str | None  # None: the extension is not installed


@dataclass(frozen=True)
class IndexFacts:
    table_name: str
    index_name: str
    method: str
    definition: str
    bytes: int


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None  # for a failed check: what to run or change


@dataclass
class DoctorReport:
    checks: list[Check] = field(default_factory=list)
    server: dict[str, Any] = field(default_factory=dict)
    migrations: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    indexes: list[dict[str, Any]] = field(default_factory=list)
    search_plan: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str, fix: str | None = None) -> None:
        self.checks.append(Check(name, ok, detail, None if ok else fix))

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": [c.__dict__ for c in self.checks],
            "server": self.server,
            "migrations": self.migrations,
            "tables": self.tables,
            "indexes": self.indexes,
            "search_plan": self.search_plan,
        }


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


def _check_server(conn: psycopg.Connection[Any], report: DoctorReport) -> bool:
    with conn.cursor(row_factory=class_row(ServerFacts)) as cur:
        facts = cur.execute(
            "SELECT current_setting('server_version') AS server_version, current_database() AS database,"
            " current_user AS user_name,"
            " (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS pgvector_version"
        ).fetchone()
    assert facts is not None
    server_version, database, user, pgvector = (facts.server_version, facts.database, facts.user_name,
                                                facts.pgvector_version)
    report.server = {"server_version": server_version, "database": database, "user": user,
                     "pgvector_version": pgvector}
    report.add("connect", True, f"PostgreSQL {server_version}, database {database} as {user}")
    if pgvector is None:
        report.add("pgvector", False, "the vector extension is not installed; run `twin db migrate`",
                   fix=MIGRATE_FIX)
        return False
    recent = _version_tuple(pgvector) >= MIN_PGVECTOR
    report.add("pgvector", recent, f"pgvector {pgvector}" + ("" if recent else
               " is older than 0.8: filtered searches may return fewer than k rows"),
               fix="install pgvector 0.8 or later on the server, then run `ALTER EXTENSION vector UPDATE` "
                   "(`twin db psql -c 'ALTER EXTENSION vector UPDATE'`)")
    return True


def _check_migrations(conn: psycopg.Connection[Any], report: DoctorReport) -> bool:
    states = migrations.status(conn)
    report.migrations = [s.as_dict() for s in states]
    bad = [s for s in states if s.state != "applied"]
    if bad:
        names = ", ".join(f"{s.name} ({s.state})" for s in bad)
        report.add("migrations", False, f"not up to date: {names}; run `twin db migrate`", fix=MIGRATE_FIX)
        return False
    report.add("migrations", True, f"{len(states)} applied, none pending")
    return True


def _has_expiry(conn: psycopg.Connection[Any], table: str) -> bool:
    with conn.cursor(row_factory=scalar_row) as cur:
        found = cur.execute(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s AND column_name = 'expires_at')",
            (table,),
        ).fetchone()
    return bool(found)


def _check_tables(conn: psycopg.Connection[Any], report: DoctorReport) -> None:
    missing: list[str] = []
    for table in PROJECT_TABLES:
        with conn.cursor(row_factory=scalar_row) as cur:
            if not cur.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone():
                missing.append(table)
                continue
            count = cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
        entry: dict[str, Any] = {"table": table, "rows": int(count or 0)}
        if _has_expiry(conn, table):
            with conn.cursor(row_factory=scalar_row) as cur:
                expired = cur.execute(
                    sql.SQL("SELECT count(*) FROM {} WHERE expires_at <= now()").format(sql.Identifier(table))
                ).fetchone()
            entry["expired_rows"] = int(expired or 0)
        report.tables.append(entry)
    if missing:
        report.add("tables", False, f"missing: {', '.join(missing)}", fix=MIGRATE_FIX)
    else:
        report.add("tables", True, f"{len(PROJECT_TABLES)} tables present")


def _check_indexes(conn: psycopg.Connection[Any], report: DoctorReport) -> None:
    with conn.cursor(row_factory=class_row(IndexFacts)) as cur:
        indexes = cur.execute(
            """
        SELECT t.relname AS table_name, i.relname AS index_name, am.amname AS method,
               pg_get_indexdef(i.oid) AS definition, pg_relation_size(i.oid) AS bytes
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_am am ON am.oid = i.relam
        WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s)
        ORDER BY t.relname, i.relname
        """,
            (list(PROJECT_TABLES),),
        ).fetchall()
    report.indexes = [
        {"table": i.table_name, "index": i.index_name, "method": i.method, "definition": i.definition,
         "bytes": int(i.bytes)} for i in indexes
    ]
    vector_indexes = [i for i in report.indexes if i["table"] == "vectors" and i["method"] in ("hnsw", "ivfflat")]
    hnsw = [i for i in vector_indexes if i["method"] == "hnsw" and "cosine" in i["definition"]]
    if not hnsw:
        report.add("vector_index", False, "no HNSW cosine index on vectors.embedding", fix=INDEX_FIX)
    else:
        report.add("vector_index", True, f"{hnsw[0]['index']} (hnsw, cosine)")


def _plan_uses_index(plan: Any, index: str) -> bool:
    if isinstance(plan, dict):
        if plan.get("Index Name") == index:
            return True
        return any(_plan_uses_index(v, index) for v in plan.values())
    if isinstance(plan, list):
        return any(_plan_uses_index(v, index) for v in plan)
    return False


def _search_params() -> dict[str, Any]:
    unit = [0.0] * EMBEDDING_DIM
    unit[0] = 1.0
    return hybrid_search_params(twin_id="doctor", query_text="doctor check", embedding=unit, k=5)


def explain_search(conn: psycopg.Connection[Any], *, force_index: bool) -> Any:
    """EXPLAIN the production hybrid search statement. With ``force_index`` scans followed by a
    sort are priced out for this transaction only: on a small table (or a small twin) the
    planner rightly prefers reading the rows and sorting them, but the question is whether the
    index *can* serve the query's ORDER BY (the seed's could not)."""
    with conn.transaction(force_rollback=True):
        if force_index:
            conn.execute("SET LOCAL enable_seqscan = off")
            conn.execute("SET LOCAL enable_sort = off")
        with conn.cursor(row_factory=scalar_row) as cur:
            return cur.execute("EXPLAIN (FORMAT JSON) " + query("chat.hybrid_search"), _search_params()).fetchone()


def _check_search_plan(conn: psycopg.Connection[Any], report: DoctorReport) -> None:
    forced = explain_search(conn, force_index=True)
    chosen = explain_search(conn, force_index=False)
    usable = _plan_uses_index(forced, VECTOR_INDEX)
    used_now = _plan_uses_index(chosen, VECTOR_INDEX)
    report.search_plan = {"index": VECTOR_INDEX, "index_usable": usable, "index_chosen_at_current_size": used_now}
    if usable:
        note = "chosen by the planner now" if used_now else "not chosen yet: the table is small enough to scan"
        report.add("search_uses_vector_index", True, f"hybrid_search can use {VECTOR_INDEX} ({note})")
    else:
        report.add("search_uses_vector_index", False,
                   f"hybrid_search cannot use {VECTOR_INDEX}: the index does not match the query operator",
                   fix=INDEX_FIX)


def check_embedders(conn: psycopg.Connection[Any], report: DoctorReport) -> None:
    with conn.cursor(row_factory=scalar_row) as cur:
        mixed = cur.execute(
            "SELECT twin_id FROM vectors GROUP BY twin_id HAVING count(DISTINCT embedder) > 1 ORDER BY twin_id"
        ).fetchall()
    if mixed:
        twins = ", ".join(str(twin_id) for twin_id in mixed)
        report.add("embedders", False, f"twins with vectors from more than one embedder: {twins}; re-ingest them",
                   fix="; ".join(f"run `twin reembed --twin {twin_id}`" for twin_id in mixed))
    else:
        report.add("embedders", True, "each twin's vectors come from one embedder")


def run_doctor(conn: psycopg.Connection[Any]) -> DoctorReport:
    report = DoctorReport()
    if not _check_server(conn, report):
        _check_migrations(conn, report)
        return report
    migrated = _check_migrations(conn, report)
    _check_tables(conn, report)
    _check_indexes(conn, report)
    if migrated:
        _check_search_plan(conn, report)
        check_embedders(conn, report)
    return report
