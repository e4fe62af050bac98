"""Rendering HTML: the one Jinja2 environment of the pages and the map, and a page's response.

Templates escape by default (autoescape on for every template, undefined names fail); the
pages are sent with a Content-Security-Policy that allows only toc's own scripts, none inline.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import jinja2
from starlette.responses import HTMLResponse

from toc.vocabulary import TIER_NAMES
from web import TEMPLATES_DIR

if TYPE_CHECKING:
    from starlette.requests import Request

    from web.session import Visitor

__all__ = [
    "PAGE_HEADERS",
    "SEVERITIES",
    "templates",
    "render",
    "error_page",
    "no_such_model",
    "model_url",
]

# Only toc's own scripts and styles; no inline script, no framing, forms post only to toc.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

SEVERITIES = ("error", "warning", "info")
ERROR_TITLES = {400: "Bad request", 403: "Not allowed", 404: "Not found", 409: "Conflict"}


@cache
def templates() -> jinja2.Environment:
    """The one Jinja2 environment of toc's pages and map: autoescape on for every template."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # One path segment of a URL (a link id such as `a->b` becomes `a-%3Eb`).
    env.filters["seg"] = lambda value: quote(str(value), safe="")
    # Choices for a <select> whose values are their own labels.
    env.filters["zip_self"] = lambda values: [(value, value) for value in values]
    return env


def render(
    request: Request,
    name: str,
    visitor: Visitor | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page from template `name`, with what every page may show (the visitor, tier names)."""
    html = (
        templates()
        .get_template(name)
        .render(
            request=request,
            visitor=visitor,
            severities=SEVERITIES,
            tier_names=TIER_NAMES,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def error_page(
    request: Request, visitor: Visitor | None, status: int, message: str
) -> HTMLResponse:
    """The error page: what went wrong, in the visitor's words, with the HTTP status."""
    return render(
        request,
        "error.html",
        visitor,
        status,
        title=ERROR_TITLES.get(status, "Error"),
        message=message,
    )


def no_such_model(request: Request, visitor: Visitor | None) -> HTMLResponse:
    """The 404 page for a model the visitor's workspace does not hold (or another one does)."""
    return error_page(request, visitor, 404, "No such model in this workspace.")


def model_url(model_id: str, **query: str) -> str:
    """The page of a model, with a query string when given one.

    >>> model_url("a b/c", saved="imported")
    '/models/a%20b%2Fc?saved=imported'
    """
    url = "/models/" + quote(model_id, safe="")
    return url + ("?" + urlencode(query) if query else "")
