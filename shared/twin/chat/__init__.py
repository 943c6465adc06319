"""Chat: a question in, retrieval, an answer in the twin's voice with sources."""
