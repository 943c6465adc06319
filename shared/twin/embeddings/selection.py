"""Which embedder a configuration gets: OpenAI when a key resolves, else the offline one."""

from __future__ import annotations

import logging

from twin.config import Settings
from twin.embeddings.base import Embedder
from twin.openai_client import resolve_openai_api_key

log = logging.getLogger(__name__)


def build_embedder(settings: Settings) -> Embedder:
    key = resolve_openai_api_key(settings)
    if key:
        from twin.embeddings.openai_embedder import OpenAIEmbedder

        return OpenAIEmbedder(settings, api_key=key)
    if settings.uses_openai:
        # A configured but empty secret/parameter silently changes which vectors get stored.
        log.warning("an OpenAI key source is configured but resolved to an empty key; using offline embedder")
    from twin.embeddings.hashing import OfflineEmbedder

    return OfflineEmbedder()
