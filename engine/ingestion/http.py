"""HTTP plumbing shared by the routes: errors as JSON, body limits, CORS, JSON parsing."""

from __future__ import annotations

import html
import json
import logging
from typing import Any

from aiohttp import web

from engine.model.json_values import MAX_DEPTH, NUMBER_RULE
from engine.store.database import database_away

MAX_BODY = 64 * 1024
KEPT_HEADERS = ("Allow",)  # of aiohttp's own errors: a 405 says which methods there are
NO_STORE = {"Cache-Control": "no-store, private"}
log = logging.getLogger("aiohttp.server")


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
    """Every answer under /v1 carries CORS headers (keys, not cookies, authorise) and every
    error there is JSON; elsewhere (the tracking links people click) a missing page is HTML."""
    api = request.path.startswith("/v1/")
    if request.method == "OPTIONS" and api:
        return web.Response(status=204, headers=CORS_HEADERS)
    try:
        response = await handler(request)
    except ApiError as error:
        response = error.response()
    except web.HTTPRequestEntityTooLarge:
        response = ApiError(413, "too_large", f"the body is over {MAX_BODY // 1024} KiB"
                            ).response()
    except web.HTTPException as error:
        response = _http_error(error, api)
    except Exception as error:
        if not api:
            raise
        response = _failed(request, error)
    if api:  # the rest of CORS_HEADERS matter to preflights only
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _failed(request: web.Request, error: Exception) -> web.Response:
    """A request the engine could not answer: the workspace's database away (restarting,
    cut off) is said in one line and answered 503, for the client to try again (with
    its messageId: nothing is doubled); anything else is ours, with its traceback."""
    away = database_away(error)
    if away is not None:
        log.warning("%s not answered: %s; answered 503", request.path, away)
        return ApiError(503, "workspace_unavailable", "the workspace's database is not "
                        "answering just now; try again (with the same messageId)",
                        headers={"Retry-After": "1"}).response()
    log.exception("Error handling request to %s", request.path)
    return ApiError(500, "internal_error", "the engine failed on this request (the reason "
                    "is in its log); other requests are not affected").response()


def _http_error(error: web.HTTPException, api: bool) -> web.Response:
    """aiohttp's own errors (no route, wrong method) in our format, keeping `Allow`."""
    if not api:
        if error.status == 404:
            return html_page("This link does not work",
                             "It may be damaged, or it was not in the message it came from.", 404)
        raise error
    headers = {name: error.headers[name] for name in KEPT_HEADERS if name in error.headers}
    return ApiError(error.status, error.reason.lower().replace(" ", "_"), error.reason,
                    headers=headers).response()


def html_page(title: str, body: str, status: int, raw: bool = False) -> web.Response:
    """A small page for a person who followed a link (`body` is escaped unless `raw`)."""
    text = body if raw else html.escape(body)
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            "</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem "
            "auto;padding:0 1rem;color:#1f2933}button{font-size:1rem;padding:.5rem 1.25rem;"
            "margin-top:1rem}</style></head>"
            f"<body><h1>{html.escape(title)}</h1><p>{text}</p></body></html>")
    return web.Response(text=page, content_type="text/html", status=status, headers=NO_STORE)


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
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "bad_json", f"not valid JSON: {exc.msg} at line {exc.lineno} "
                       f"column {exc.colno}") from None
    except RecursionError:
        raise ApiError(400, "too_deep", f"JSON nested more than {MAX_DEPTH} levels") from None
    except ValueError:  # Python's limit on the digits of an integer
        raise ApiError(400, "number_too_long", "a number in the body has more than 4,300 "
                       f"digits; {NUMBER_RULE}") from None
    # Nested deeper needs more brackets than that; counting them is cheaper than walking.
    if raw.count(b"{") + raw.count(b"[") > MAX_DEPTH and _depth(data) > MAX_DEPTH:
        raise ApiError(400, "too_deep", f"JSON nested more than {MAX_DEPTH} levels")
    return data


def _no_constant(name: str) -> Any:
    """Python reads NaN, Infinity and -Infinity; JSON has no such thing, nor do we."""
    raise ApiError(400, "bad_json", f"not valid JSON: {name} is not a number JSON knows; "
                   f"{NUMBER_RULE}")


def _depth(value: Any, level: int = 1) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level
