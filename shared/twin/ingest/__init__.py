"""Ingest: documents in (API, CLI, files), chunked, embedded and written with COPY."""
