"""`/problems/{kind}`: a short public page for each problem `type` toc answers with.

A problem's `type` is the URL of its page on the server that answered, so a developer who
meets `https://toc.example.org/problems/version-conflict` in a log can open it and read what
it means and how to fix it. The pages need no token and no network (no script, no CDN).
"""

from __future__ import annotations

import html
import re

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from api.problems import PROBLEM_TYPES, ApiProblem

__all__ = ["router", "problem_page"]

router = APIRouter(tags=["problems"], include_in_schema=False)

_CODE = re.compile(r"`([^`]+)`")


def _text(value: str) -> str:
    """Escaped text, with `code` spans set as code."""
    return _CODE.sub(r"<code>\1</code>", html.escape(value))


def problem_page(kind: str) -> str:
    """The page of one problem type (escaped throughout; no script)."""
    found = PROBLEM_TYPES[kind]
    rows = "".join(
        f'<li><a href="/problems/{html.escape(other)}">{html.escape(other)}</a> '
        f"({PROBLEM_TYPES[other].status})</li>"
        for other in PROBLEM_TYPES
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(kind)}: {html.escape(found.title)} ({found.status}) · toc</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}}
code{{background:#f3f3f3;padding:0 .2em}}</style></head>
<body><main>
<p>toc problem type</p>
<h1>{html.escape(kind)}</h1>
<p><strong>HTTP {found.status} · {html.escape(found.title)}</strong></p>
<h2>What it means</h2><p>{_text(found.means)}</p>
<h2>How to fix it</h2><p>{_text(found.fix)}</p>
<p>Every error of the toc API is RFC 9457 problem details
(<code>application/problem+json</code>) whose <code>type</code> is one of these pages.</p>
<h2>Every problem type</h2><ul>{rows}</ul>
</main></body></html>
"""


@router.get("/problems/{kind}", name="problem_page")
def get_problem_page(kind: str) -> Response:
    if kind not in PROBLEM_TYPES:
        raise ApiProblem(404, f"no problem type {kind!r}", kind="not-found")
    return HTMLResponse(problem_page(kind), headers={"Cache-Control": "public, max-age=3600"})
