"""The map's scripts and styles: vis-network from the installed pyvis package, toc's own files.

No CDN: the pages load vis-network from toc's own route (`VIS_URL`), and a saved map inlines
all of it, made safe to sit inside a `<script>` or `<style>` element.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources

from web import STATIC_DIR

__all__ = [
    "VIS_NETWORK_VERSION",
    "VIS_URL",
    "VIS_HEADERS",
    "vis_network_js",
    "map_js",
    "map_css",
    "csp_hash",
]

VIS_NETWORK_VERSION = "9.1.2"
# Where the pages load vis-network from; the version in the path lets browsers keep it a year.
VIS_URL = f"/assets/vis-network-{VIS_NETWORK_VERSION}.min.js"
VIS_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}


def _script_safe(source: str) -> str:
    """Script text that cannot end its `<script>` element early or open a comment state.

    >>> _script_safe("a = '</script><!--';")
    "a = '<\\\\/script><\\\\!--';"
    """
    return source.replace("</script", "<\\/script").replace("<!--", "<\\!--")


@cache
def vis_network_js() -> str:
    """vis-network itself, read from the installed pyvis package (it ships the library)."""
    path = resources.files("pyvis") / "lib" / f"vis-{VIS_NETWORK_VERSION}" / "vis-network.min.js"
    return _script_safe(path.read_text(encoding="utf-8"))


def _static(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


@cache
def map_js() -> str:
    return _script_safe(_static("map.js"))


@cache
def map_css() -> str:
    return _static("toc.css").replace("</style", "<\\/style")


def csp_hash(source: str) -> str:
    """The Content-Security-Policy source that lets exactly this inline script run."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def self_contained_policy(scripts: list[str], *, images: str = "data:") -> str:
    """The Content-Security-Policy of a file that carries everything it needs inline.

    Only `scripts`, by their hashes, may run, as a second wall behind the escaping; nothing
    is fetched, and `images` says where pictures may come from.
    """
    return (
        "default-src 'none'; "
        f"script-src {' '.join(csp_hash(s) for s in scripts)}; "
        f"style-src 'unsafe-inline'; img-src {images}; base-uri 'none'; form-action 'none'"
    )
