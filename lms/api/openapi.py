"""The OpenAPI 3.1 description of the JSON API (served at ``/api/v1/openapi.json``).

Its schemas are JSON Schema 2020-12; the tests validate every endpoint's
responses against them, and check that every ``/api/v1/`` route is described.
"""
from __future__ import annotations

from typing import Any

from ..core.status import COURSE_STATUSES

NULLABLE_STRING = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time", "pattern": r"Z$"}
NULLABLE_DATE = {"oneOf": [DATE, {"type": "null"}]}
NULLABLE_DATE_TIME = {"oneOf": [DATE_TIME, {"type": "null"}]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


PAGING = [
    _param("limit", "Items per page (1–500, default 100).", {"type": "integer", "minimum": 1, "maximum": 500,
                                                              "default": 100}),
    _param("cursor", "The `next` value of the previous page.", {"type": "string"}),
]
GROUP = _param("group", "Only people in this group (its id).", {"type": "integer", "minimum": 1})
COURSE = _param("course", "Only this course (its slug).", {"type": "string"})
FROM = _param("from", "On or after this day (YYYY-MM-DD).", DATE)
TO = _param("to", "On or before this day (YYYY-MM-DD).", DATE)

ERRORS = {
    "400": {"description": "A query parameter is invalid.", "content": {"application/json": {"schema": _ref("Error")}}},
    "401": {"description": "The bearer token is missing, unknown or revoked.",
            "content": {"application/json": {"schema": _ref("Error")}}},
    "403": {"description": "The token lacks the `reports:read` scope.",
            "content": {"application/json": {"schema": _ref("Error")}}},
}


def _list(summary: str, item: str, parameters: list[dict[str, Any]], operation_id: str) -> dict[str, Any]:
    return {"get": {
        "operationId": operation_id,
        "summary": summary,
        "security": [{"bearer": ["reports:read"]}],
        "parameters": [*parameters, *PAGING],
        "responses": {
            "200": {"description": "A page of results.",
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["items", "next"], "additionalProperties": False,
                        "properties": {"items": {"type": "array", "items": _ref(item)},
                                       "next": {"type": ["string", "null"],
                                                "description": "Cursor of the next page; null on the last page."}},
                    }}}},
            **ERRORS,
        },
    }}


PERSON_REF = {
    "type": "object", "required": ["id", "email", "name", "employee_id"], "additionalProperties": False,
    "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
                   "employee_id": NULLABLE_STRING, "department": NULLABLE_STRING},
}
COURSE_REF = {
    "type": "object", "required": ["slug", "title"], "additionalProperties": False,
    "properties": {"slug": {"type": "string"}, "title": {"type": "string"}},
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
    "info": {
        "title": "Service Academy LMS – HR API",
        "version": "1.0.0",
        "description": "Read-only training records for HR systems. Authenticate with an API token created by an "
                       "admin (People → API tokens): `Authorization: Bearer <token>`. Lists are paginated with an "
                       "opaque cursor; dates are ISO 8601 (datetimes in UTC).",
    },
    "servers": [{"url": "/training/api/v1", "description": "Relative to the plugin's URL prefix."}],
    "paths": {
        "/completions": _list(
            "Who completed which course: one row per person and assigned or started course.", "Completion",
            [GROUP, COURSE,
             _param("status", "Only rows with this status.", {"enum": list(COURSE_STATUSES)}),
             {**FROM, "description": "Completed on or after this day."},
             {**TO, "description": "Completed on or before this day."}],
            "listCompletions"),
        "/certificates": _list(
            "Certificates issued, with their state.", "Certificate",
            [GROUP, COURSE,
             _param("status", "Only certificates in this state.", {"enum": ["valid", "expired", "revoked"]}),
             {**FROM, "description": "Issued on or after this day."},
             {**TO, "description": "Issued on or before this day."},
             _param("expiring_within", "Only valid certificates that expire within this many days.",
                    {"type": "integer", "minimum": 0, "maximum": 3650})],
            "listCertificates"),
        "/users": _list(
            "People known to the LMS (anonymised ones included, without personal data).", "User",
            [GROUP, _param("department", "Only people of this department.", {"type": "string"}),
             _param("active", "Only active (true) or deactivated (false) people.", {"type": "boolean"})],
            "listUsers"),
        "/groups": _list(
            "Groups: teams, stores and departments.", "Group",
            [_param("kind", "Only groups of this kind.", {"enum": ["team", "store", "department"]})],
            "listGroups"),
        "/openapi.json": {"get": {
            "operationId": "getOpenAPI",
            "summary": "This document.",
            "security": [],
            "responses": {"200": {"description": "The OpenAPI document.",
                                  "content": {"application/json": {"schema": {"type": "object",
                                                                              "required": ["openapi", "paths"]}}}}},
        }},
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "An API token with the `reports:read` scope."}},
        "schemas": {
            "Error": {
                "type": "object", "required": ["error", "message"], "additionalProperties": False,
                "properties": {"error": {"type": "string", "examples": ["invalid_token"]},
                               "message": {"type": "string"}, "parameter": {"type": "string"}},
            },
            "Completion": {
                "type": "object", "additionalProperties": False,
                "required": ["user", "course", "status", "assigned", "due_date", "started_at", "completed_at"],
                "properties": {
                    "user": PERSON_REF, "course": COURSE_REF,
                    "status": {"enum": list(COURSE_STATUSES)},
                    "assigned": {"type": "boolean", "description": "False when the person started a course "
                                                                   "from the open catalogue."},
                    "due_date": NULLABLE_DATE, "started_at": NULLABLE_DATE_TIME, "completed_at": NULLABLE_DATE_TIME,
                },
            },
            "Certificate": {
                "type": "object", "additionalProperties": False,
                "required": ["serial", "user", "course", "cycle", "status", "score", "issued_at", "expires_at",
                             "revoked_at"],
                "properties": {
                    "serial": {"type": "string"}, "user": PERSON_REF, "course": COURSE_REF,
                    "cycle": {"type": "integer", "minimum": 1},
                    "status": {"enum": ["valid", "expired", "revoked"]},
                    "score": {"type": ["number", "null"]},
                    "issued_at": DATE_TIME, "expires_at": NULLABLE_DATE_TIME, "revoked_at": NULLABLE_DATE_TIME,
                },
            },
            "User": {
                "type": "object", "additionalProperties": False,
                "required": ["id", "email", "name", "employee_id", "department", "manager_id", "roles", "is_active",
                             "anonymized", "groups", "created_at"],
                "properties": {
                    "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
                    "employee_id": NULLABLE_STRING, "department": NULLABLE_STRING,
                    "manager_id": {"type": ["integer", "null"]},
                    "roles": {"type": "array", "items": {"enum": ["learner", "trainer", "hr", "admin"]}},
                    "is_active": {"type": "boolean"}, "anonymized": {"type": "boolean"},
                    "groups": {"type": "array", "items": {"type": "integer"}}, "created_at": DATE_TIME,
                },
            },
            "Group": {
                "type": "object", "additionalProperties": False,
                "required": ["id", "name", "kind", "member_count", "created_at"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                               "kind": {"enum": ["team", "store", "department"]},
                               "member_count": {"type": "integer", "minimum": 0}, "created_at": DATE_TIME},
            },
        },
    },
}


def document(server_url: str) -> dict[str, Any]:
    """The document with the server address this app serves the API at."""
    return {**DOCUMENT, "servers": [{"url": server_url}]}
