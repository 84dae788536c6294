"""Logging: a request id on every line, one line per expected client error, JSON lines on request.

`configure(level, fmt)` is called by `asistente serve` (and the multi-worker factory). Each HTTP request
and WebSocket connection gets a request id (the client's `X-Request-Id` when it is a short token, else a
fresh one), echoed in the `x-request-id` response header and attached to every log line written while the
request runs (a context variable, so no call needs to pass it).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import sys
import time
from typing import Any

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("asistente_request_id", default="-")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def new_request_id(client_value: str | None = None) -> str:
    if client_value and _CLIENT_ID.match(client_value):
        return client_value
    return secrets.token_hex(8)


def clean(text: Any, limit: int = 300) -> str:
    """One printable line: no newlines (log injection), no lone surrogates (they break log streams)."""
    s = str(text)
    if len(s) > limit:
        s = s[:limit] + "..."
    s = s.replace("\r", "\\r").replace("\n", "\\n")
    return s.encode("utf-8", "backslashreplace").decode("utf-8")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, request_id, message, any `extra` fields, and the
    traceback (as one string) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
            "message": clean(record.getMessage(), 2000),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value if isinstance(value, int | float | bool | None) else clean(value)
        if record.exc_info:
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s request=%(request_id)s %(message)s"


class TextFormatter(logging.Formatter):
    """The line itself is one clean line; a traceback (unexpected errors only) follows it."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return clean(super().formatMessage(record), 4000)


def configure(level: str = "INFO", fmt: str = "text") -> None:
    """Send the service's own log lines (loggers `asistente.*`) to stderr, as text or JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        formatter = TextFormatter(TEXT_FORMAT, "%Y-%m-%dT%H:%M:%SZ")
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
    for name in ("asistente", "strawberry"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
