"""digital-twin: a person's documents in PostgreSQL + pgvector, answered in their voice."""

__version__ = "0.1.0"
