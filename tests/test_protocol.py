"""The sans-I/O layer: headers, envelopes, error mapping and Retry-After."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from paddle_async import errors
from paddle_async._protocol import (
    USER_AGENT,
    Envelope,
    RawResponse,
    build_headers,
    encode_query,
    error_from_response,
    parse_retry_after,
)
from paddle_async._version import __version__

FIXTURES = Path(__file__).parent / "data" / "paddle-fixtures"
KEY = "pdl_sdbx_apikey_01fakefakefakefakefakefake_FakeKeyForTestsOnly000_xyz"


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> RawResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return RawResponse(status, headers or {}, raw)


def envelope_error(status: int, code: str, detail: str = "d", **extra: Any) -> RawResponse:
    error = {"type": "request_error", "code": code, "detail": detail, "documentation_url": "u"}
    error.update(extra)
    return response(status, {"error": error, "meta": {"request_id": "req-1"}})


def test_headers_carry_auth_version_and_user_agent() -> None:
    """Every request names its key, Paddle-Version 1 and the SDK with its version."""
    headers = build_headers(KEY, has_body=True)
    assert f"Bearer {KEY}" == headers["Authorization"]
    assert "1" == headers["Paddle-Version"]
    assert "application/json" == headers["Content-Type"]
    assert f"paddle_async/{__version__}" in USER_AGENT == headers["User-Agent"]


def test_get_headers_have_no_content_type() -> None:
    """Requests without a body send no Content-Type."""
    assert "Content-Type" not in build_headers(KEY, has_body=False)


def test_query_keeps_commas_and_drops_none() -> None:
    """Arrays stay comma-separated; unset parameters are left out."""
    assert "status=active,archived&per_page=200" == encode_query(
        {"status": "active,archived", "after": None, "per_page": 200}
    )


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "invalid_field", errors.BadRequestError),
        (400, "customer_email_invalid", errors.BadRequestError),
        (403, "authentication_missing", errors.AuthenticationError),
        (403, "authentication_malformed", errors.AuthenticationError),
        (403, "invalid_token", errors.AuthenticationError),
        (403, "forbidden", errors.PermissionDeniedError),
        (401, "invalid_access_token", errors.AuthenticationError),
        (404, "not_found", errors.NotFoundError),
        (409, "customer_already_exists", errors.CustomerAlreadyExistsError),
        (409, "some_conflict", errors.ConflictError),
        (429, "too_many_requests", errors.RateLimitError),
        (500, "internal_error", errors.ServerError),
        (503, "service_unavailable", errors.ServerError),
        (418, "teapot", errors.APIError),
    ],
)
def test_errors_are_classified_by_status_and_code(
    status: int, code: str, cls: type[errors.APIError]
) -> None:
    """The class depends on the status and code only."""
    error = error_from_response(envelope_error(status, code))
    assert cls is type(error)
    assert (status, code, "req-1") == (error.status, error.code, error.request_id)


def test_field_errors_and_unknown_keys() -> None:
    """errors[] items become FieldErrors; unknown keys in the envelope are ignored."""
    error = error_from_response(
        envelope_error(
            400,
            "invalid_field",
            errors=[{"field": "email", "message": "bad", "extra": 1}],
            extra={"x": 1},
        )
    )
    assert (errors.FieldError("email", "bad"),) == error.field_errors


def test_conflict_carries_existing_customer_id() -> None:
    """The id in a 409's detail becomes existing_customer_id."""
    error = error_from_response(
        envelope_error(
            409,
            "customer_already_exists",
            "customer email conflicts with customer of id ctm_01jwp3yens988zjex66a8hh7rz",
        )
    )
    assert isinstance(error, errors.CustomerAlreadyExistsError)
    assert "ctm_01jwp3yens988zjex66a8hh7rz" == error.existing_customer_id


def test_conflict_without_id_in_detail() -> None:
    """A 409 whose detail has no id still raises, with existing_customer_id None."""
    error = error_from_response(envelope_error(409, "customer_already_exists", "conflict"))
    assert isinstance(error, errors.CustomerAlreadyExistsError)
    assert error.existing_customer_id is None


def test_html_error_body_keeps_status_and_excerpt() -> None:
    """A non-JSON 502 from a gateway raises ServerError with the status and an excerpt."""
    error = error_from_response(
        response(502, b"<html><body>Bad gateway</body></html>", {"X-Request-Id": "edge-7"})
    )
    assert errors.ServerError is type(error)
    assert (502, None, "edge-7") == (error.status, error.code, error.request_id)
    assert error.body_excerpt is not None
    assert "Bad gateway" in error.body_excerpt


def test_rate_limit_error_carries_retry_after() -> None:
    """A 429 carries its Retry-After seconds."""
    error = error_from_response(
        RawResponse(
            429,
            {"Retry-After": "42"},
            json.dumps({"error": {"code": "too_many_requests"}, "meta": {}}).encode(),
        )
    )
    assert isinstance(error, errors.RateLimitError)
    assert 42.0 == error.retry_after


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7.0), (" 2.5 ", 2.5), ("-3", None), ("soon", None), (None, None), ("nan", None)],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    """Retry-After in seconds parses; junk and negative numbers are None."""
    assert expected == parse_retry_after(value)


def test_retry_after_http_date() -> None:
    """Retry-After as an HTTP-date is the time left until then."""
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC), usegmt=True)
    assert 30.0 == parse_retry_after(header, now=now.timestamp())


def test_success_envelope_must_have_data() -> None:
    """A 200 without data is an InvalidResponseError keeping the request id."""
    with pytest.raises(errors.InvalidResponseError) as caught:
        Envelope.from_response(response(200, {"meta": {"request_id": "req-9"}}))
    assert (200, "req-9") == (caught.value.status, caught.value.request_id)


def test_truncated_json_is_an_invalid_response() -> None:
    """Truncated JSON raises InvalidResponseError with an excerpt, not a JSON error."""
    with pytest.raises(errors.InvalidResponseError) as caught:
        Envelope.from_response(response(200, b'{"data": {"id": "ctm_'))
    assert '{"data": {"id": "ctm_' == caught.value.body_excerpt


@pytest.mark.parametrize(
    "body",
    [b'{"data": {"id": "ctm_', b"<html>502 Bad Gateway</html>", b"\xff\xfe{}", b"", b"NaN"],
    ids=["truncated", "html", "not-utf8", "empty", "nan"],
)
def test_either_decoder_turns_bad_bodies_into_invalid_response(
    json_decoder: Any, body: bytes
) -> None:
    """With or without orjson, a body that is not a JSON envelope is an InvalidResponseError."""
    with pytest.raises(errors.InvalidResponseError):
        Envelope.from_response(response(200, body))


def test_either_decoder_reads_the_same_document(json_decoder: Any) -> None:
    """Both decoders give the same document for every customer response fixture."""
    responses = [p for p in sorted(FIXTURES.glob("customers_*.json")) if "request" not in p.name]
    assert 4 == len(responses)
    for path in responses:
        raw = path.read_bytes()
        envelope = Envelope.from_response(response(200, raw))
        document = json.loads(raw)
        assert (document["data"], document["meta"]) == (envelope.data, envelope.meta), path.name


def test_a_204_is_an_envelope_without_data() -> None:
    """A 204 No Content (a delete) decodes to data None, keeping its status and request id."""
    envelope = Envelope.from_response(response(204, b"", {"Request-Id": "req-204"}))
    assert (None, {}, 204, "req-204") == (
        envelope.data,
        envelope.meta,
        envelope.status,
        envelope.request_id,
    )


def test_an_empty_200_is_still_an_invalid_response() -> None:
    """Only a 204 may come without a body: an empty 200 is not an envelope."""
    with pytest.raises(errors.InvalidResponseError) as caught:
        Envelope.from_response(response(200, b""))
    assert 200 == caught.value.status


def test_envelope_request_id_prefers_meta_over_the_header() -> None:
    """request_id is meta.request_id when the body has one, else the Request-Id header."""
    with_meta = response(201, {"data": {}, "meta": {"request_id": "meta-1"}}, {"Request-Id": "h"})
    without = response(200, {"data": {}}, {"Request-Id": "header-1"})
    assert ("meta-1", 201, "header-1") == (
        Envelope.from_response(with_meta).request_id,
        Envelope.from_response(with_meta).status,
        Envelope.from_response(without).request_id,
    )
