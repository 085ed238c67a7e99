"""A tiny JSON-over-HTTP client for the generated web apps (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def request_json(
    method: str,
    url: str,
    body: dict[str, Any] | None = None,
    timeout: float = 10,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Send a request and return (status, decoded JSON body or None); HTTP errors are returned."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return status, raw.decode(errors="replace")


def answers_ok(url: str) -> bool:
    """Whether GET `url` answers 200 (False while nothing listens yet)."""
    try:
        return request_json("GET", url, timeout=2)[0] == 200
    except (OSError, urllib.error.URLError):
        return False
