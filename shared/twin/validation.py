"""Generic checks on what clients send, shared by every capability's schemas, the API and the CLI.

One rule for all text: a string that PostgreSQL cannot store is refused at the edge, never
half-written. NUL (U+0000) is not allowed in any field (text and jsonb reject it), lone
surrogates are not UTF-8 and fail JSON parsing, and numbers must be finite (jsonb has no NaN
or Infinity). The body parser is pydantic-core's (the JSON parser FastAPI already loads): it
bounds nesting depth and number size itself, so hostile bodies fail as 400s instead of
RecursionError or ValueError.
"""

from __future__ import annotations

import math
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from twin.errors import InvalidRequest, PayloadTooLarge, TwinError

# API Gateway caps a synchronous Lambda payload at 6 MB (10 MB for REST APIs); the body limit
# leaves room for the event envelope and base64 growth.
MAX_BODY_BYTES = 4_500_000
TWIN_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
TWIN_ID_RULE = "1-63 characters of a-z, 0-9, '-' or '_', starting with a letter or digit"

M = TypeVar("M", bound=BaseModel)


def parse_json_body(body: bytes) -> Any:
    """The body as JSON, whatever the content type said; every failure is a 400 or 413."""
    from pydantic_core import from_json

    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"request body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
    if not body.strip():
        raise InvalidRequest("request body is empty; send a JSON object", code="invalid_json")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidRequest("request body is not UTF-8 text", code="invalid_json") from e
    try:
        payload = from_json(body, allow_inf_nan=False)
    except ValueError as e:
        raise InvalidRequest(f"request body is not valid JSON: {e}", code="invalid_json") from e
    check_storable(payload, "request body")
    return payload


def check_storable(value: Any, where: str) -> None:
    """Refuse what PostgreSQL text and jsonb cannot hold: NUL characters, non-finite numbers.

    Iterative, so a deeply nested value cannot exhaust the stack (the parser bounds depth too).
    """
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            check_text(item, path)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise InvalidRequest(f"{path} is not a finite number; NaN and Infinity cannot be stored",
                                     code="invalid_json")
        elif isinstance(item, dict):
            for key, child in item.items():
                check_text(key, f"{path} key")
                stack.append((child, f"{path}.{key}"))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(item))


def check_text(value: str, where: str) -> str:
    if "\x00" in value:
        raise InvalidRequest(f"{where} contains a NUL character (U+0000), which no text field accepts",
                             code="invalid_text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidRequest(f"{where} contains a lone surrogate and is not valid Unicode text",
                             code="invalid_text") from e
    return value


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def require_object(payload: Any, what: str = "request body") -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidRequest(f"{what} must be a JSON object, got {json_type(payload)}")
    return payload


def validate_twin_id(value: Any, where: str = "twin_id") -> str:
    if not isinstance(value, str) or not TWIN_ID.match(value):
        raise InvalidRequest(f"{where} must be {TWIN_ID_RULE}", code="invalid_twin_id")
    return value


_EXPECTED = {"string_type": "a string", "dict_type": "an object", "list_type": "an array", "int_type": "an integer",
             "bool_type": "a boolean", "model_type": "an object", "uuid_type": "a UUID", "uuid_parsing": "a UUID"}


def validate_model(model: type[M], payload: Any, *, where: str = "request body",
                   codes: dict[str, str] | None = None, missing_codes: dict[str, str] | None = None) -> M:
    """``model`` validated from ``payload``; Pydantic's errors become ``InvalidRequest`` with the
    stable code of the offending field (``codes``, else ``invalid_request``) and a message that
    names it. Domain errors raised by the model's own validators pass through, located."""
    require_object(payload, where)
    try:
        return model.model_validate(payload)
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"])
        top = str(first["loc"][0]) if first["loc"] else ""
        place = f"{where}.{field}" if where != "request body" else field
        if first["type"] == "extra_forbidden":
            allowed = ", ".join(sorted(model.model_fields))
            raise InvalidRequest(f"{where}: unknown field {field}; allowed: {allowed}") from None
        if first["type"] == "missing":
            code = (missing_codes or {}).get(top, "invalid_request")
            raise InvalidRequest(f"{place} is required", code=code) from None
        expected = _EXPECTED.get(first["type"])
        message = (f"{place} must be {expected}, got {json_type(first.get('input'))}" if expected
                   else f"{place}: {first['msg']}")
        raise InvalidRequest(message, code=(codes or {}).get(top, "invalid_request")) from None
    except TwinError as e:
        if where != "request body" and not e.message.startswith(where):
            e.message = f"{where}.{e.message}"
            e.args = (e.message,)
        raise
