"""Embedders: the protocol, the offline ones, OpenAI(-compatible), and the selection rule."""
