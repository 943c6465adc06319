"""Embedders: the offline hashing embedder, and the OpenAI embedder against a real local HTTP stub."""

from __future__ import annotations

# moto patches botocore as it is imported, so it must come before anything creates a boto3 client.
from moto import mock_aws  # isort: skip

import hashlib
import json
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import pytest

from tests.helpers import stub_settings
from tests.support.openai_stub import OpenAIStub
from twin import runtime
from twin.config import EMBEDDING_DIM, Settings
from twin.embeddings.base import EmbeddingBatch, estimate_tokens
from twin.embeddings.hashing import OfflineEmbedder
from twin.embeddings.openai_embedder import OpenAIEmbedder
from twin.embeddings.selection import build_embedder
from twin.errors import (
    ConfigurationError,
    DimensionMismatch,
    InvalidRequest,
    UpstreamError,
    UpstreamTimeout,
)
from twin.openai_client import resolve_openai_api_key
from twin.text.lexical import stem

SHARED = Path(__file__).resolve().parents[2] / "shared"

EDUCATION = (
    "I studied computer science at the University of Edinburgh from 2010 to 2014 and graduated with "
    "a first-class degree. My dissertation was about compilers for small embedded devices, and I spent "
    "a summer term studying formal methods in Zurich before finishing my studies."
)
WORK = (
    "Since 2016 I have worked as a backend engineer at Monzo, building payment systems in Go. "
    "I lead the ledger team, review designs and spend most weeks working on reliability and on-call "
    "tooling for the services that move money between accounts."
)
HOBBIES = (
    "Outside the office I enjoy climbing, baking sourdough bread and playing the piano. I go bouldering "
    "twice a week and try to get out to the Highlands for a proper climb every summer."
)
FAMILY = (
    "I grew up in Glasgow with two sisters. My parents still live there and I visit them most "
    "holidays; my younger sister is a doctor and my older sister teaches history."
)
CHUNKS = {"education": EDUCATION, "work": WORK, "hobbies": HOBBIES, "family": FAMILY}


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))








# -- offline embedder -----------------------------------------------------------------------------


def test_offline_embedder_is_deterministic_and_unit_length() -> None:
    texts = ["I studied computer science.", "Café au lait, naïve résumé!", "!!!", "2014"]

    first = OfflineEmbedder().embed(texts)
    second = OfflineEmbedder().embed(texts)

    assert first.vectors == second.vectors
    for vector in first.vectors:
        assert len(vector) == EMBEDDING_DIM
        assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, rel_tol=1e-9)
    assert len({tuple(v) for v in first.vectors}) == len(texts)


def test_offline_vectors_do_not_depend_on_the_process_hash_seed() -> None:
    # Python salts str hashes per process; stored vectors must still match tomorrow's queries.
    code = (
        "import hashlib, json; from twin.embeddings.hashing import OfflineEmbedder; "
        "v = OfflineEmbedder().embed(['Where did you study computer science?']).vectors[0]; "
        "print(hashlib.sha256(json.dumps(v).encode()).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONPATH": str(SHARED), "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    here = OfflineEmbedder().embed(["Where did you study computer science?"]).vectors[0]
    digests.add(hashlib.sha256(json.dumps(here).encode()).hexdigest())
    assert len(digests) == 1


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Where did you study?", "education"),
        ("What was your degree and dissertation about?", "education"),
        ("Where do you work and what do you build?", "work"),
        ("Which team do you lead?", "work"),
        ("Do you like climbing?", "hobbies"),
        ("Do you bake bread?", "hobbies"),
        ("Where did you grow up?", "family"),
        ("What do your sisters do?", "family"),
    ],
)
def test_offline_embedder_ranks_lexically_matching_chunk_first(question: str, expected: str) -> None:
    embedder = OfflineEmbedder()
    names = list(CHUNKS)
    chunk_vectors = embedder.embed([CHUNKS[name] for name in names]).vectors
    query = embedder.embed([question]).vectors[0]

    scores = {name: cosine(query, vector) for name, vector in zip(names, chunk_vectors, strict=True)}

    best = max(scores, key=scores.__getitem__)
    assert best == expected, scores
    runner_up = max(score for name, score in scores.items() if name != expected)
    assert scores[expected] - runner_up > 0.05, scores


def test_offline_embedder_ignores_question_words() -> None:
    embedder = OfflineEmbedder()
    [question, bare] = embedder.embed(["Where did you study?", "study"]).vectors
    assert cosine(question, bare) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("worked", "work"), ("working", "work"), ("works", "work"), ("studied", "study"),
        ("studies", "study"), ("running", "run"), ("loved", "lov"), ("love", "lov"),
        ("classes", "class"), ("status", "status"), ("2014", "2014"),
    ],
)
def test_light_stemming_conflates_inflected_forms(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_offline_embedder_matches_inflected_forms() -> None:
    embedder = OfflineEmbedder()
    [worked, work, unrelated] = embedder.embed(
        ["I worked on compilers", "work on a compiler", "baking sourdough bread"]
    ).vectors
    assert cosine(worked, work) > 0.8
    assert abs(cosine(worked, unrelated)) < 0.2


def test_offline_token_count_is_an_estimate_from_words() -> None:
    texts = ["one two three", "four five six seven eight nine"]
    batch = OfflineEmbedder().embed(texts)
    assert batch.tokens == estimate_tokens(texts[0]) + estimate_tokens(texts[1]) == 4 + 8


def test_blank_text_is_rejected_in_both_modes(stub: OpenAIStub) -> None:
    with pytest.raises(InvalidRequest, match="#1 is empty"):
        OfflineEmbedder().embed(["fine", "   "])
    with pytest.raises(InvalidRequest, match="#0 is empty"):
        OpenAIEmbedder(stub_settings(stub)).embed([""])
    assert stub.calls() == []


def test_empty_input_embeds_nothing(stub: OpenAIStub) -> None:
    assert OfflineEmbedder().embed([]) == EmbeddingBatch(vectors=[], tokens=0)
    assert OpenAIEmbedder(stub_settings(stub)).embed([]) == EmbeddingBatch(vectors=[], tokens=0)
    assert stub.calls() == []


def test_offline_embedder_handles_thousands_of_chunks_quickly() -> None:
    texts = [f"{EDUCATION} Chunk {i} mentions topic{i % 97} and item{i}." for i in range(2000)]
    started = time.perf_counter()
    batch = OfflineEmbedder().embed(texts)
    elapsed = time.perf_counter() - started
    assert len(batch.vectors) == 2000
    # ~20k chunks must fit comfortably in one Lambda invocation; generous for slow CI machines.
    assert elapsed < 15, f"2000 chunks took {elapsed:.1f}s"


def test_hashing_embedder_loads_neither_openai_nor_numpy() -> None:
    code = (
        "import sys; import twin.embeddings.selection, twin.chat.llm; "
        "twin.embeddings.selection.build_embedder(twin.config.Settings(embedder='hashing')).embed(['hello world']); "
        "print(sorted(m for m in ('openai', 'numpy', 'aws_lambda_powertools', 'boto3') if m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["PYTHONPATH"] = str(SHARED)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- OpenAI embedder ------------------------------------------------------------------------------


def test_openai_embedder_returns_provider_vectors_in_input_order(stub: OpenAIStub) -> None:
    stub.reverse_embedding_order = True
    texts = [EDUCATION, WORK, HOBBIES]

    batch = OpenAIEmbedder(stub_settings(stub)).embed(texts)

    expected = OfflineEmbedder().embed(texts).vectors
    assert len(batch.vectors) == 3
    for got, want in zip(batch.vectors, expected, strict=True):
        assert len(got) == EMBEDDING_DIM
        assert got == pytest.approx(want, abs=1e-6)  # float32 on the wire


def test_request_names_model_dimensions_encoding_and_key(stub: OpenAIStub) -> None:
    embedder = OpenAIEmbedder(stub_settings(stub, openai_api_key="sk-test-123"))

    embedder.embed(["hello"])

    [call] = stub.calls("/embeddings")
    assert call.path == "/v1/embeddings"
    assert call.headers["authorization"] == "Bearer sk-test-123"
    assert call.json["model"] == "text-embedding-3-small"
    assert call.json["dimensions"] == EMBEDDING_DIM
    assert call.json["encoding_format"] == "base64"
    assert call.json["input"] == ["hello"]
    assert embedder.name == "openai:text-embedding-3-small"
    assert (embedder.mode, embedder.dim) == ("openai", EMBEDDING_DIM)


def test_dimensions_are_only_requested_from_text_embedding_3_models(stub: OpenAIStub) -> None:
    OpenAIEmbedder(stub_settings(stub, embedding_model="text-embedding-ada-002")).embed(["hello"])
    [call] = stub.calls("/embeddings")
    assert "dimensions" not in call.json


def test_embeddings_are_batched_by_configured_size(stub: OpenAIStub) -> None:
    texts = [f"text number {i}" for i in range(5)]

    batch = OpenAIEmbedder(stub_settings(stub, embed_batch_size=2)).embed(texts)

    assert [call.json["input"] for call in stub.calls("/embeddings")] == [texts[0:2], texts[2:4], texts[4:5]]
    for got, want in zip(batch.vectors, OfflineEmbedder().embed(texts).vectors, strict=True):
        assert got == pytest.approx(want, abs=1e-6)


def test_batches_stay_under_the_request_character_limit(stub: OpenAIStub) -> None:
    texts = [("word " * 26_000).strip() for _ in range(3)]  # ~130k characters each

    batch = OpenAIEmbedder(stub_settings(stub, embed_batch_size=128)).embed(texts)

    assert [len(call.json["input"]) for call in stub.calls("/embeddings")] == [1, 1, 1]
    assert len(batch.vectors) == 3


def test_token_usage_is_summed_across_batches(stub: OpenAIStub) -> None:
    texts = ["one two three", "four five six", "seven"]

    batch = OpenAIEmbedder(stub_settings(stub, embed_batch_size=2)).embed(texts)

    assert len(stub.calls("/embeddings")) == 2
    assert batch.tokens == sum(estimate_tokens(t) for t in texts)


def test_rate_limited_request_is_retried_then_succeeds(stub: OpenAIStub) -> None:
    stub.fail_next(status=429, retry_after="0.01", times=2)

    batch = OpenAIEmbedder(stub_settings(stub, openai_max_retries=2)).embed(["hello"])

    assert len(batch.vectors) == 1
    calls = stub.calls("/embeddings")
    assert len(calls) == 3
    assert [c.headers["x-stainless-retry-count"] for c in calls] == ["0", "1", "2"]


def test_retry_waits_as_long_as_retry_after_says(stub: OpenAIStub) -> None:
    # Without Retry-After the SDK's first backoff is at most 0.5 s, so a 1.2 s gap proves it was read.
    stub.fail_next(status=429, retry_after="1.2")

    OpenAIEmbedder(stub_settings(stub)).embed(["hello"])

    first, second = stub.calls("/embeddings")
    assert second.received_at - first.received_at >= 1.1


def test_server_errors_exhaust_retries_then_raise_upstream_error(stub: OpenAIStub) -> None:
    stub.fail_next(status=500, retry_after="0.01", times=10)

    with pytest.raises(UpstreamError) as raised:
        OpenAIEmbedder(stub_settings(stub, openai_api_key="sk-secret-key", openai_max_retries=2)).embed(["x"])

    assert type(raised.value) is UpstreamError
    assert len(stub.calls("/embeddings")) == 3
    assert "HTTP 500" in raised.value.message
    assert "3 attempts" in raised.value.message
    assert "sk-secret-key" not in str(raised.value.to_dict())
    assert raised.value.details["provider_status"] == 500
    assert raised.value.__cause__ is not None


def test_persistent_rate_limit_raises_upstream_error(stub: OpenAIStub) -> None:
    stub.fail_next(status=429, retry_after="0.01", times=10)

    with pytest.raises(UpstreamError, match=r"rate limited.*HTTP 429.*2 attempts"):
        OpenAIEmbedder(stub_settings(stub, openai_max_retries=1)).embed(["x"])

    assert len(stub.calls("/embeddings")) == 2


def test_timeout_raises_upstream_timeout_after_bounded_retries(stub: OpenAIStub) -> None:
    stub.delay_next(seconds=2.0, times=10)

    started = time.monotonic()
    with pytest.raises(UpstreamTimeout, match="embedding request timed out after 2 attempts"):
        OpenAIEmbedder(stub_settings(stub, openai_timeout_s=0.3, openai_max_retries=1)).embed(["x"])

    assert len(stub.calls("/embeddings")) == 2
    assert time.monotonic() - started < 2.5


def test_rejected_key_is_a_configuration_error_that_does_not_echo_the_key(stub: OpenAIStub) -> None:
    stub.fail_next(status=401)

    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY was rejected") as raised:
        OpenAIEmbedder(stub_settings(stub, openai_api_key="sk-leaky-123")).embed(["x"])

    assert len(stub.calls("/embeddings")) == 1  # not retried
    assert "sk-leaky" not in str(raised.value.to_dict())


def test_bad_request_is_an_invalid_request_and_not_retried(stub: OpenAIStub) -> None:
    stub.fail_next(status=400)

    with pytest.raises(InvalidRequest, match="HTTP 400"):
        OpenAIEmbedder(stub_settings(stub)).embed(["x"])

    assert len(stub.calls("/embeddings")) == 1


def test_unreachable_provider_raises_upstream_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = replace(
        Settings(), openai_api_key="test", openai_base_url=f"http://127.0.0.1:{port}/v1", openai_max_retries=0
    )

    with pytest.raises(UpstreamError, match="could not reach the model provider after 1 attempt"):
        OpenAIEmbedder(settings).embed(["x"])


def test_wrong_dimension_from_provider_is_a_clear_error(stub: OpenAIStub) -> None:
    stub.embedding_dim = 768

    with pytest.raises(DimensionMismatch) as raised:
        OpenAIEmbedder(stub_settings(stub)).embed(["x"])

    assert "'text-embedding-3-small'" in raised.value.message
    assert "length 768" in raised.value.message
    assert str(EMBEDDING_DIM) in raised.value.message


def test_missing_vectors_in_response_is_an_upstream_error(stub: OpenAIStub) -> None:
    stub.fail_next(
        status=200,
        body={"object": "list", "model": "m", "data": [], "usage": {"prompt_tokens": 0, "total_tokens": 0}},
    )

    with pytest.raises(UpstreamError, match="0 vectors for 2 inputs"):
        OpenAIEmbedder(stub_settings(stub)).embed(["a", "b"])


# -- selection and key resolution -----------------------------------------------------------------


def test_no_key_selects_the_hashing_embedder_when_asked() -> None:
    embedder = build_embedder(replace(Settings(), embedder="hashing"))
    assert isinstance(embedder, OfflineEmbedder)
    assert (embedder.name, embedder.mode, embedder.dim) == ("offline:hash-v1", "offline", EMBEDDING_DIM)


def test_no_key_selects_the_semantic_offline_embedder_by_default_when_installed() -> None:
    embedder = build_embedder(Settings())
    assert (embedder.name, embedder.mode, embedder.dim) == ("offline:minilm-l6-v2-int8", "offline", EMBEDDING_DIM)


def test_unknown_embedder_choice_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="TWIN_EMBEDDER"):
        build_embedder(replace(Settings(), embedder="word2vec"))


def test_key_selects_openai_embedder_cached_until_reset(stub: OpenAIStub) -> None:
    settings = stub_settings(stub)

    runtime.reset(settings=settings)
    first = runtime.current().embedder

    assert isinstance(first, OpenAIEmbedder)
    assert runtime.current().embedder is first
    assert build_embedder(Settings()).mode == "offline"  # other settings, other embedder
    runtime.reset()
    assert runtime.current().embedder is not first


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from aws_lambda_powertools.utilities import parameters

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    parameters.clear_caches()  # a provider created earlier would hold a client to real AWS
    with mock_aws():
        yield
    parameters.clear_caches()


def _secret(value: str) -> str:
    return str(boto3.client("secretsmanager").create_secret(Name="openai", SecretString=value)["ARN"])


@pytest.mark.usefixtures("aws")
def test_secret_manager_key_is_used(stub: OpenAIStub) -> None:
    arn = _secret("sk-from-secret")
    settings = replace(stub_settings(stub), openai_api_key="", openai_api_key_secret_arn=arn)

    runtime.reset(settings=settings)
    embedder = runtime.current().embedder
    embedder.embed(["hello"])

    assert isinstance(embedder, OpenAIEmbedder)
    assert stub.calls("/embeddings")[0].headers["authorization"] == "Bearer sk-from-secret"


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize("field", ["OPENAI_API_KEY", "api_key"])
def test_secret_manager_json_key_is_used(field: str) -> None:
    arn = _secret(json.dumps({field: "sk-json", "other": "x"}))
    assert resolve_openai_api_key(replace(Settings(), openai_api_key_secret_arn=arn)) == "sk-json"


@pytest.mark.usefixtures("aws")
def test_secret_json_without_a_key_field_is_a_configuration_error() -> None:
    arn = _secret(json.dumps({"token": "sk-json"}))
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY or api_key"):
        resolve_openai_api_key(replace(Settings(), openai_api_key_secret_arn=arn))


@pytest.mark.usefixtures("aws")
def test_unreadable_secret_is_a_configuration_error() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf"
    with pytest.raises(ConfigurationError, match="could not read the OpenAI key from secret"):
        resolve_openai_api_key(replace(Settings(), openai_api_key_secret_arn=arn))


@pytest.mark.usefixtures("aws")
def test_ssm_parameter_key_is_used() -> None:
    boto3.client("ssm").put_parameter(Name="/twin/openai", Value="sk-from-ssm", Type="SecureString")
    settings = replace(Settings(), openai_api_key_parameter="/twin/openai")

    assert resolve_openai_api_key(settings) == "sk-from-ssm"
    assert isinstance(build_embedder(settings), OpenAIEmbedder)


@pytest.mark.usefixtures("aws")
def test_explicit_key_wins_over_secret_and_parameter() -> None:
    arn = _secret("sk-from-secret")
    settings = replace(
        Settings(), openai_api_key="sk-explicit", openai_api_key_secret_arn=arn, openai_api_key_parameter="/x"
    )
    assert resolve_openai_api_key(settings) == "sk-explicit"


@pytest.mark.usefixtures("aws")
def test_empty_secret_falls_back_to_offline_embedder() -> None:
    arn = _secret("   ")
    assert build_embedder(replace(Settings(), openai_api_key_secret_arn=arn)).mode == "offline"


def test_a_768_dimensional_compatible_server_is_stored_zero_padded_under_its_own_name() -> None:
    from tests.support.openai_stub import OpenAIStub as Stub

    with Stub(embedding_dim=768) as server:
        embedder = OpenAIEmbedder(stub_settings(server, embedding_model="nomic-embed-text", embedding_dim=768))
        batch = embedder.embed(["I sail on the Wannsee."])
    assert embedder.name == "openai:nomic-embed-text@768"
    assert len(batch.vectors[0]) == EMBEDDING_DIM
    assert batch.vectors[0][768:] == [0.0] * (EMBEDDING_DIM - 768)
    assert any(batch.vectors[0][:768])


def test_a_vector_of_another_size_than_configured_is_a_clear_error() -> None:
    from tests.support.openai_stub import OpenAIStub as Stub

    with Stub(embedding_dim=512) as server, pytest.raises(DimensionMismatch, match="expected 768"):
        OpenAIEmbedder(stub_settings(server, embedding_model="nomic-embed-text", embedding_dim=768)).embed(["x"])
