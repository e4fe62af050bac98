"""Remake the screenshots of docs/map.md: the map, presentation mode, a model page, its
scorecard, the report.

    python docs/screenshots/make_screenshots.py [--chromium /usr/bin/chromium]

Serves toc on a free port with a throwaway SQLite file, stores examples/state-portfolio.json,
signs in with the login URL and photographs the pages in headless Chromium.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from playwright.sync_api import sync_playwright
from sqlmodel import Session

from app.main import create_app
from services.auth import create_token
from services.config import Settings

# Every headless Chromium toc launches takes the browser tests' flags.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "web"))
from webtest_support import CHROMIUM_ARGS  # noqa: E402

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[1] / "examples" / "state-portfolio.json"
MODEL_ID = "state-portfolio"
INITIATIVE = "pacing-compliance-review"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(database_url=f"sqlite:///{tmp}/toc.db"))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        with Session(app.state.engine) as session:
            token = create_token(session, "district", "editor")
        response = httpx.post(
            f"{base}/api/v1/models/import?format=json",
            content=EXAMPLE.read_bytes(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response.raise_for_status()
        model_id = response.json()["id"]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=args.chromium, args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(f"{base}/login?token={token}")
                page.goto(f"{base}/models/{model_id}")
                page.wait_for_function("() => window.tocMapFirstDrawn !== undefined")
                page.evaluate("(id) => tocMap.focus(id)", INITIATIVE)
                page.wait_for_timeout(600)
                page.locator(".toc-map").screenshot(path=str(HERE / "map-highlighted-chain.png"))
                # What a meeting room sees: 1280×720, the map alone, one initiative's chains.
                projector = browser.new_page(viewport={"width": 1280, "height": 720})
                projector.goto(f"{base}/login?token={token}")
                projector.goto(f"{base}/models/{model_id}")
                projector.wait_for_function("() => window.tocMapFirstDrawn !== undefined")
                projector.screenshot(path=str(HERE / "map-1280x720.png"))
                projector.click(".toc-present-button")
                projector.wait_for_timeout(300)
                while projector.evaluate("tocMap.state().highlighted") != INITIATIVE:
                    projector.keyboard.press("p")  # the initiatives in title order, backwards
                projector.wait_for_timeout(700)
                projector.screenshot(path=str(HERE / "map-presentation.png"))
                projector.goto(f"{base}/models/{model_id}/report")
                projector.wait_for_function("() => window.tocMapFirstDrawn !== undefined")
                projector.screenshot(path=str(HERE / "report.png"))
                projector.close()
                page.goto(f"{base}/models/{model_id}")
                page.wait_for_function("() => window.tocMapFirstDrawn !== undefined")
                page.wait_for_timeout(300)
                page.screenshot(
                    path=str(HERE / "model-page-findings.png"),
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": 1440, "height": 1500},
                )
                page.locator("section.scorecard").screenshot(
                    path=str(HERE / "model-page-scorecard.png")
                )
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)


if __name__ == "__main__":
    main()
