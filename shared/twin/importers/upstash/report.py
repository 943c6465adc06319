"""What an import read, wrote and skipped (and why), and whether PostgreSQL's row counts match.

Counts are cumulative over a resumed import: the checkpoint carries them from the interrupted
run, so the report of the run that finishes describes the whole import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("vectors", "keys", "cache", "sessions", "messages")

# Why things were skipped, in words (reason codes are stable; these are for the text summary).
REASONS = {
    "no_text": "no text in `data` or the content field (pass --content-field)",
    "id_conflict": "a document with that id was ingested directly; left untouched",
    "changed_during_import": "deleted in PostgreSQL while being imported; run again",
    "rate_limit_counter": "rate-limit counters are short-lived and not imported",
    "expired": "expired or deleted while being read",
    "list_not_chat_history": "a list whose items are not chat messages",
    "empty_list": "an empty list",
    "no_chat_messages": "a chat history without user or assistant messages",
    "key_too_long": "key longer than 1000 bytes",
    "not_utf8": "value is not UTF-8 text",
    "session_diverged": "the session changed in PostgreSQL since the last import; left untouched",
    "session_of_other_twin": "that session id belongs to another twin",
    "unsupported_role": "message role other than user/assistant",
    "unsupported_type": "only strings and chat-history lists are imported",
}


@dataclass
class Tally:
    read: int = 0
    written: int = 0
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "written": self.written, "unchanged": self.unchanged,
                "skipped": self.skipped_total, "skipped_by_reason": dict(sorted(self.skipped.items()))}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Tally:
        return cls(read=int(raw.get("read", 0)), written=int(raw.get("written", 0)),
                   unchanged=int(raw.get("unchanged", 0)),
                   skipped={str(k): int(v) for k, v in dict(raw.get("skipped_by_reason", {})).items()})


@dataclass(frozen=True)
class Check:
    """One row-count comparison between Upstash and PostgreSQL."""

    name: str
    upstash: int  # count on Upstash's side (index info, DBSIZE, keys of that kind found)
    read: int  # what the import read
    expected: int  # rows that should be in PostgreSQL
    postgres: int  # rows found in PostgreSQL
    ok: bool
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "upstash": self.upstash, "read": self.read, "expected": self.expected,
                "postgres": self.postgres, "ok": self.ok, "note": self.note}


@dataclass
class PageCounts:
    """What one page added; merged into the report only after its transaction committed (a
    replayed transaction must not count twice), and into the checkpoint saved inside it."""

    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})
    reembedded: int = 0
    tokens: int = 0
    confirmed: dict[str, int] = field(default_factory=lambda: {"cache": 0, "sessions": 0})

    def __getitem__(self, kind: str) -> Tally:
        return self.tallies[kind]


@dataclass
class ImportReport:
    twin_id: str
    namespace: str
    dry_run: bool
    resumed: bool = False
    embedding: dict[str, Any] = field(default_factory=dict)
    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})
    reembedded: int = 0
    tokens: int = 0
    # Rows found in PostgreSQL by the per-page checks (cache rows, sessions), summed over pages.
    confirmed: dict[str, int] = field(default_factory=lambda: {"cache": 0, "sessions": 0})
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    def __getitem__(self, kind: str) -> Tally:
        return self.tallies[kind]

    @property
    def verified(self) -> bool | None:
        """None for a dry run (nothing written, nothing to verify)."""
        if self.dry_run:
            return None
        return all(c.ok for c in self.checks)

    @property
    def written(self) -> int:
        return sum(t.written for t in self.tallies.values())

    # -- checkpoint state ----------------------------------------------------------------------

    def merge(self, page: PageCounts) -> None:
        for kind, delta in page.tallies.items():
            tally = self.tallies[kind]
            tally.read += delta.read
            tally.written += delta.written
            tally.unchanged += delta.unchanged
            for reason, n in delta.skipped.items():
                tally.skip(reason, n)
        self.reembedded += page.reembedded
        self.tokens += page.tokens
        for name, n in page.confirmed.items():
            self.confirmed[name] = self.confirmed.get(name, 0) + n

    def state(self, pending: PageCounts | None = None) -> dict[str, Any]:
        """Counts to save in the checkpoint, including a page not merged yet."""
        merged = ImportReport(self.twin_id, self.namespace, self.dry_run)
        merged.restore(self._own_state())
        if pending is not None:
            merged.merge(pending)
        return merged._own_state()

    def _own_state(self) -> dict[str, Any]:
        return {"tallies": {k: t.as_dict() for k, t in self.tallies.items()}, "reembedded": self.reembedded,
                "tokens": self.tokens, "confirmed": dict(self.confirmed)}

    def restore(self, state: dict[str, Any]) -> None:
        for kind, raw in dict(state.get("tallies", {})).items():
            if kind in self.tallies:
                self.tallies[kind] = Tally.from_dict(raw)
        self.reembedded = int(state.get("reembedded", 0))
        self.tokens = int(state.get("tokens", 0))
        self.confirmed.update({str(k): int(v) for k, v in dict(state.get("confirmed", {})).items()})
        self.resumed = True

    # -- output ------------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        return {
            "twin_id": self.twin_id,
            "namespace": self.namespace,
            "dry_run": self.dry_run,
            "resumed": self.resumed,
            "embedding": {**self.embedding, "reembedded": self.reembedded, "tokens": self.tokens},
            **{kind: tally.as_dict() for kind, tally in self.tallies.items()},
            "verification": [c.as_dict() for c in self.checks],
            "verified": self.verified,
            "notes": list(self.notes),
            "elapsed_s": round(self.elapsed_s, 3),
        }

    def summary(self) -> str:
        verb = "would write" if self.dry_run else "written"
        head = f"Upstash import into twin {self.twin_id}"
        if self.namespace:
            head += f" (namespace {self.namespace!r})"
        if self.dry_run:
            head += " - DRY RUN, nothing written"
        if self.resumed:
            head += " (resumed)"
        lines = [head]
        if self.embedding:
            action = "re-embedded" if not self.embedding.get("keep_vectors") else "kept"
            lines.append(f"  embeddings: {action} ({self.embedding.get('reason', '')}); "
                         f"{self.reembedded} texts embedded with {self.embedding.get('target')}")
        labels = {"vectors": "vectors -> chunks", "keys": "redis keys", "cache": "strings -> cache",
                  "sessions": "chat histories", "messages": "chat messages"}
        for kind, tally in self.tallies.items():
            lines.append(f"  {labels[kind]:<18} read {tally.read:>6}  {verb} {tally.written:>6}  "
                         f"unchanged {tally.unchanged:>6}  skipped {tally.skipped_total:>6}")
            for reason, n in sorted(tally.skipped.items()):
                lines.append(f"      skipped {n} x {reason}: {REASONS.get(reason.split(':')[0], reason)}")
        if self.checks:
            lines.append("  verification:")
            for c in self.checks:
                mark = "ok" if c.ok else "MISMATCH"
                lines.append(f"    {mark:<8} {c.name}: upstash {c.upstash}, read {c.read}, expected in postgres "
                             f"{c.expected}, found {c.postgres}" + (f" ({c.note})" if c.note else ""))
        lines.extend(f"  note: {n}" for n in self.notes)
        if self.verified is not None:
            lines.append("  verified: row counts match" if self.verified else "  verified: NO - see mismatches above")
        return "\n".join(lines)
