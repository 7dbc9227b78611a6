"""An ingestion key never appears in an error body or in a log, however it was sent."""

from __future__ import annotations

import io
import logging

from engine.ingestion.logs import KeyRedactor
from tests.engine.delivery_support import free_port
from tests.engine.ingestion_support import raw_exchange
from tests.engine.serve_support import CART_EVENT, ServeProcess, cart_workspace, post

MALFORMED = [  # each line the parser refuses quotes the Authorization header, key and all
    b"Authorization: Bearer %s\nX-After: y\r\n",  # a bare LF ends the header
    b"Authorization: Bearer %s\x00\r\n",  # a control character in it
    b"Authorization: Bearer %s\rX: y\r\n",  # a bare CR
    b"Authorization: Bearer %s" + b"x" * 9000 + b"\r\n",  # a header too long
]


def test_a_malformed_authorization_header_is_refused_without_echoing_the_key(tmp_path) -> None:
    path, key = cart_workspace(tmp_path)
    secret = key.split("_", 2)[2].encode()  # the secret itself may hold underscores
    serve = ServeProcess(path, free_port())
    serve.start()
    try:
        for header in MALFORMED:
            answer = raw_exchange(serve.port, b"POST /v1/triggers/abandoned_cart HTTP/1.1\r\n"
                                  b"Host: x\r\n" + header % key.encode()
                                  + b"Content-Type: application/json\r\n"
                                  b"Content-Length: %d\r\n\r\n%s" % (len(CART_EVENT), CART_EVENT))
            assert isinstance(answer, bytes) and b" 400 " in answer.split(b"\r\n")[0], answer
            assert b'"malformed_request"' in answer and secret not in answer, answer
        status, _ = post(serve.url + "/v1/triggers/abandoned_cart", key,
                         {"authId": "ann", "attributes": {"cart_total": 80}})
        assert status == 202  # and it serves on
    finally:
        output = serve.stop()
    assert secret.decode() not in output, output
    assert "malformed request(s) answered 400" in output


def test_a_key_in_a_log_record_is_redacted_from_message_arguments_and_traceback() -> None:
    key = "wmk_0a1b2c3d_Q2hhbmdlIG1lOiBub3QgYSByZWFsIGtleSBidXQgbG9uZw"
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.addFilter(KeyRedactor())
    logger = logging.getLogger("tests.key_leaks")
    logger.addHandler(handler)
    try:
        logger.error("request with %s", f"Authorization: Bearer {key}")
        try:
            raise ValueError(f"bad header {key!r}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = written.getvalue()
    assert "Q2hhbmdl" not in text and "bad header 'wmk_0a1b2c3d_[redacted]'" in text
    assert "Authorization: Bearer [redacted]" in text
