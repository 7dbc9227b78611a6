"""HTTP plumbing shared by the routes: errors as JSON, body limits, CORS, JSON parsing."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

MAX_BODY = 64 * 1024
MAX_DEPTH = 32


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}

    def response(self) -> web.Response:
        error = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return web.json_response({"error": error}, status=self.status, headers=self.headers)


CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "600",
}


@web.middleware
async def errors_and_cors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Every answer under /v1 carries CORS headers (keys, not cookies, authorise)."""
    if request.method == "OPTIONS" and request.path.startswith("/v1/"):
        return web.Response(status=204, headers=CORS_HEADERS)
    try:
        response = await handler(request)
    except ApiError as error:
        response = error.response()
    except web.HTTPRequestEntityTooLarge:
        response = ApiError(413, "too_large", f"the body is over {MAX_BODY // 1024} KiB"
                            ).response()
    except web.HTTPException as error:
        if not request.path.startswith("/v1/"):
            raise
        response = ApiError(error.status, error.reason.lower().replace(" ", "_"),
                            error.reason).response()
    if request.path.startswith("/v1/"):  # the rest of CORS_HEADERS matter to preflights only
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


async def read_json(request: web.Request) -> Any:
    """The body as JSON: 415 if it is not JSON, 413 if too large, 400 if malformed."""
    if request.content_type != "application/json":
        raise ApiError(415, "unsupported_media_type",
                       "send JSON with the header Content-Type: application/json")
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ApiError(413, "too_large", f"the body is over {MAX_BODY // 1024} KiB")
    raw = await request.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "bad_encoding", f"the body is not UTF-8 (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "bad_json", f"not valid JSON: {exc.msg} at line {exc.lineno} "
                       f"column {exc.colno}") from None
    except RecursionError:
        raise ApiError(400, "too_deep", f"JSON nested more than {MAX_DEPTH} levels") from None
    # Nested deeper needs more brackets than that; counting them is cheaper than walking.
    if raw.count(b"{") + raw.count(b"[") > MAX_DEPTH and _depth(data) > MAX_DEPTH:
        raise ApiError(400, "too_deep", f"JSON nested more than {MAX_DEPTH} levels")
    return data


def _depth(value: Any, level: int = 1) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level
