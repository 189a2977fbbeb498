"""Routes of the HR API: read-only JSON, authenticated by bearer API tokens.

The views are ``@public`` and ``@csrf_exempt`` for the parent blueprint (no
session, no form): each checks its token itself and answers 401/403 as JSON.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, ParamSpec

from flask import Blueprint, Response, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from ..services.people import authenticate_api_token
from ..state import db_session
from ..web import csrf_exempt, public
from . import openapi, queries

bp = Blueprint("api", __name__, url_prefix="/api/v1")
P = ParamSpec("P")

READ_SCOPE = "reports:read"
DEFAULT_LIMIT, MAX_LIMIT = 100, 500


class BadParameter(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def error(status: int, code: str, message: str, **extra: str) -> Response:
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lms", error="invalid_token"'
    elif status == 403:
        response.headers["WWW-Authenticate"] = f'Bearer realm="lms", error="insufficient_scope", scope="{READ_SCOPE}"'
    return response


def token_required(scope: str
                   ) -> Callable[[Callable[P, ResponseReturnValue]], Callable[P, ResponseReturnValue]]:
    """Authenticate ``Authorization: Bearer <token>`` and require ``scope``; records the token's use."""

    def decorator(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            header = request.headers.get("Authorization", "")
            kind, _, plain = header.partition(" ")
            if kind.lower() != "bearer" or not plain.strip():
                return error(401, "invalid_token", "Send an API token: Authorization: Bearer <token>.")
            session = db_session()
            token = authenticate_api_token(session, plain.strip())
            if token is None:
                session.rollback()
                return error(401, "invalid_token", "The API token is unknown or revoked.")
            if scope not in token.scope.split():
                session.rollback()
                return error(403, "insufficient_scope", f"The API token lacks the scope {scope}.")
            session.commit()  # last_used_at
            g.lms_api_token = token
            try:
                return view(*args, **kwargs)
            except BadParameter as exc:
                return error(400, "invalid_parameter", exc.message, parameter=exc.parameter)

        return public(csrf_exempt(wrapper))

    return decorator


# -- parameters ----------------------------------------------------------------
def encode_cursor(key: list[Any] | None) -> str | None:
    if key is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(size: int) -> list[Any] | None:
    raw = request.args.get("cursor")
    if not raw:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, binascii.Error):
        raise BadParameter("cursor", "The cursor is not one this API gave out.") from None
    if not isinstance(key, list) or len(key) != size or not all(type(k) is int for k in key):
        raise BadParameter("cursor", "The cursor is not one this API gave out.")
    return key


def limit_param() -> int:
    raw = request.args.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadParameter("limit", f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


def int_param(name: str, maximum: int = 2**31 - 1, minimum: int = 1) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise BadParameter(name, f"{name} must be a whole number from {minimum} to {maximum}.")
    return int(raw)


def date_param(name: str) -> dt.date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw) if len(raw) == 10 else _bad_date(name)
    except ValueError:
        return _bad_date(name)


def _bad_date(name: str) -> NoReturn:
    raise BadParameter(name, f"{name} must be a date written YYYY-MM-DD.")


def choice_param(name: str, choices: tuple[str, ...]) -> str | None:
    raw = request.args.get(name)
    if not raw:
        return None
    if raw not in choices:
        raise BadParameter(name, f"{name} must be one of: {', '.join(choices)}.")
    return raw


def bool_param(name: str) -> bool | None:
    raw = request.args.get(name)
    if not raw:
        return None
    if raw.lower() not in ("true", "false", "1", "0"):
        raise BadParameter(name, f"{name} must be true or false.")
    return raw.lower() in ("true", "1")


def page(items: list[dict[str, Any]], following: list[Any] | None) -> Response:
    return jsonify({"items": items, "next": encode_cursor(following)})


# -- endpoints -----------------------------------------------------------------
@bp.get("/completions")
@token_required(READ_SCOPE)
def completions() -> ResponseReturnValue:
    filters = queries.Filters(group=int_param("group"), course=request.args.get("course") or None,
                              status=choice_param("status", queries.COMPLETION_STATUSES),
                              date_from=date_param("from"), date_to=date_param("to"))
    return page(*queries.completions(db_session(), filters, decode_cursor(2), limit_param()))


@bp.get("/certificates")
@token_required(READ_SCOPE)
def certificates() -> ResponseReturnValue:
    filters = queries.Filters(group=int_param("group"), course=request.args.get("course") or None,
                              status=choice_param("status", queries.CERTIFICATE_STATUSES),
                              date_from=date_param("from"), date_to=date_param("to"),
                              expiring_within=int_param("expiring_within", maximum=3650, minimum=0))
    return page(*queries.certificates(db_session(), filters, decode_cursor(1), limit_param()))


@bp.get("/users")
@token_required(READ_SCOPE)
def users() -> ResponseReturnValue:
    filters = queries.Filters(group=int_param("group"), department=request.args.get("department") or None,
                              active=bool_param("active"))
    return page(*queries.users(db_session(), filters, decode_cursor(1), limit_param()))


@bp.get("/groups")
@token_required(READ_SCOPE)
def groups() -> ResponseReturnValue:
    filters = queries.Filters(kind=choice_param("kind", ("team", "store", "department")))
    return page(*queries.groups(db_session(), filters, decode_cursor(1), limit_param()))


@bp.get("/openapi.json")
@public
@csrf_exempt
def openapi_json() -> ResponseReturnValue:
    """The API's OpenAPI 3.1 document (public: it holds no data)."""
    server = url_for(".openapi_json").rsplit("/", 1)[0]
    return jsonify(openapi.document(server))
