"""Fixtures of the map and page tests: a demo model, one full of script, Chromium, a live server."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webtest_support import CHROMIUM, CHROMIUM_ARGS, demo_document, hostile_document

from toc.document import parse_document
from toc.model import TheoryOfChange


@pytest.fixture
def demo_model() -> TheoryOfChange:
    return parse_document(demo_document())


@pytest.fixture
def hostile_model() -> TheoryOfChange:
    return parse_document(hostile_document())


# -- the browser ------------------------------------------------------------------------------
def _require_browser() -> bool:
    return os.environ.get("TOC_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by playwright; skipped when missing unless TOC_REQUIRE_BROWSER=1."""
    problem = None
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        problem = f"no Chromium at {CHROMIUM}"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a test dependency
        problem = "playwright is not installed"
    if problem is not None:
        if _require_browser():
            pytest.fail(f"{problem} and TOC_REQUIRE_BROWSER=1")
        pytest.skip(problem)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser context and page; page errors are collected in `page.errors`."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    try:
        yield page
    finally:
        context.close()


# -- a live server for the pages ---------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """The app served by a real uvicorn on 127.0.0.1, with tokens of each role."""

    def __init__(self, url: str, app: Any, tokens: dict[str, str]):
        self.url = url
        self.app = app
        self.tokens = tokens

    def login_url(self, role: str = "editor") -> str:
        return f"{self.url}/login?token={self.tokens[role]}"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A fresh SQLite file per test module, the app on a free port in a background thread."""
    import uvicorn
    from sqlmodel import Session

    from app.main import create_app
    from services.auth import create_token
    from services.config import Settings

    database = tmp_path_factory.mktemp("live") / "toc.db"
    app = create_app(Settings(database_url=f"sqlite:///{database}"))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    with Session(app.state.engine) as session:
        tokens = {
            role: create_token(session, "district", role) for role in ("viewer", "editor", "admin")
        }
        tokens["other"] = create_token(session, "elsewhere", "editor")
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app, tokens)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
