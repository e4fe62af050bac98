"""The access log never keeps a token, however the query spells its name (issue #18)."""

from __future__ import annotations

import logging

import pytest

from app.serve import RedactTokens

TOKEN = "toc_S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3c"


def _logged(full_path: str) -> str:
    # What uvicorn's access logger hands its handlers: the path with its raw query string.
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", full_path, "1.1", 303),
        None,
    )
    assert RedactTokens().filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    "query",
    [
        f"token={TOKEN}",
        f"%74oken={TOKEN}",
        f"%74%6F%6B%65%6E={TOKEN}",
        f"TOKEN={TOKEN}",
        f"token={TOKEN.replace('_', '%5F')}",
        f"next=/models&token={TOKEN}",
        f"token={TOKEN};x=1",
        TOKEN,
    ],
)
def test_a_token_in_any_spelling_of_the_login_query_is_redacted(query: str) -> None:
    line = _logged(f"/login?{query}")
    assert TOKEN not in line and TOKEN.replace("_", "%5F") not in line
    assert "[redacted]" in line and '"GET /login?' in line


def test_a_token_parameter_elsewhere_is_redacted_and_other_queries_kept() -> None:
    assert TOKEN not in _logged(f"/api/v1/models?%74oken={TOKEN}")
    assert TOKEN not in _logged(f"/models?q={TOKEN}")
    assert '"GET /api/v1/models?q=math&limit=5 HTTP/1.1"' in _logged(
        "/api/v1/models?q=math&limit=5"
    )
