"""What every router of the API shares: the error bodies and absolute links."""

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    code: str
    detail: str


class InvalidOut(Schema):
    """What the API answers when a parameter does not fit this document (tinget.api.api.validation_error)."""

    code: str
    detail: list[dict[str, Any]]


def absolute(context, url: str) -> str:
    """`url` made absolute with the request a schema resolver gets in its context (as is, without one)."""
    request = (context or {}).get("request")
    return request.build_absolute_uri(url) if request is not None else url
