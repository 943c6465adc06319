"""SnapStart runtime hooks: what to prepay before the snapshot and what to redo after a restore.

Lambda SnapStart (python3.12+, published versions) runs init once, snapshots the memory and
restores copies of it for new execution environments. The hooks come from AWS's
``snapshot-restore-py`` package (module ``snapshot_restore_py``); when it is not importable
(a laptop, the tests, a runtime without it) registration is a no-op, so calling ``register()``
is always safe, and ``before_snapshot`` / ``after_restore`` can be called directly (the tests do).

Before the snapshot: wait for the warm-up thread, import what the first chat needs (openai
included: frozen once, free for every restore), build the chat service when its OpenAI key
comes from the environment (a key read from Secrets Manager/SSM may be rotated before a
restore, so it is resolved afresh after one), and close the database connection (a socket
in a snapshot is dead in every copy).

After a restore: re-seed ``random`` (every copy would otherwise draw the same sequence;
``uuid.uuid4``, ``secrets`` and ``os.urandom`` read the kernel and need nothing), clear the
Powertools parameter/secret caches, forget the database connection and its resolved
conninfo (the next request reconnects, re-reading a rotated secret), and drop objects built
from a secret-sourced key.
"""

from __future__ import annotations

import logging
import os
import random
import sys
from collections.abc import Callable
from typing import Any

from twin import runtime

logger = logging.getLogger(__name__)

WARMUP_JOIN_TIMEOUT_S = 10.0


def _hooks() -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    try:
        from snapshot_restore_py import (  # type: ignore[import-untyped]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return None
    return register_before_snapshot, register_after_restore


_registered = False


def register() -> bool:
    """Register the hooks once per process; False when ``snapshot_restore_py`` is unavailable."""
    global _registered
    if _registered:
        return True
    hooks = _hooks()
    if hooks is None:
        return False
    before, after = hooks
    before(before_snapshot)
    after(after_restore)
    _registered = True
    return True


def _key_from_secret_store(rt: runtime.Runtime) -> bool:
    settings = rt.settings
    return not settings.openai_api_key and bool(settings.openai_api_key_secret_arn or settings.openai_api_key_parameter)


def before_snapshot() -> None:
    rt = runtime.current()
    if not runtime.join_warmup(WARMUP_JOIN_TIMEOUT_S):
        logger.warning("warm-up thread still running at snapshot time")
    try:
        if _key_from_secret_store(rt):
            import importlib

            for name in runtime.CHAT_MODULES:
                importlib.import_module(name)
            if rt.settings.uses_openai:
                import openai  # noqa: F401
        else:
            rt.warm_up(connect=False, openai=True)
            model = rt.chat_model
            if model is not None:
                # Build the shared client (httpx pool, SSL context); the calls go through its post.
                model._client.base_url  # noqa: B018
    except Exception as e:  # noqa: BLE001 - a failed warm-up must not fail the snapshot
        logger.warning("before-snapshot warm-up failed", extra={"error": f"{type(e).__name__}: {e}"})
    rt.database.close()


def after_restore() -> None:
    random.seed(os.urandom(32))
    if "aws_lambda_powertools.utilities.parameters" in sys.modules:
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()  # type: ignore[no-untyped-call]
    rt = runtime.current()
    database = rt.database
    database.close()
    if rt.settings.database_secret_arn:
        database.forget_conninfo()  # re-read the secret: it may have rotated since the snapshot
    if _key_from_secret_store(rt):
        from twin.openai_client import clear_clients

        clear_clients()
        runtime.reset(settings=rt.settings, database=database)
