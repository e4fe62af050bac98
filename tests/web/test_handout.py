"""The report: one self-contained HTML handout from the CLI and the service, text kept as text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webtest_support import PAYLOAD, demo_document, hostile_document, parse_elements, sign_in

from app.cli import main
from services.clock import today
from toc.document import parse_document
from toc.formats import read_path
from toc.graph import build_graph
from toc.model import TheoryOfChange
from toc.report import check
from web.report import UNPLACED, findings_by_initiative, render_report_html, scorecard_rows

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_findings_are_grouped_under_the_initiatives_whose_chains_they_lie_on() -> None:
    model = read_path(EXAMPLES / "state-portfolio.json")
    graph = build_graph(model, as_of=today())
    report = check(model, as_of=today(), graph=graph)
    groups = findings_by_initiative(model, report, graph)
    titles = {node.id: node.title for node in model.nodes}
    assert [g["title"] for g in groups if g["id"]] == sorted(titles[i] for i in graph.initiatives)
    for group in groups:
        if group["id"] is None:
            continue
        chains = graph.chains_of(group["id"])
        on_chains = {group["id"], *chains.nodes, *chains.links}
        expected = [f for f in report.findings if f.subject in on_chains]
        assert group["findings"] == expected
    # Every finding is listed somewhere.
    listed = {id(f) for g in groups for f in g["findings"]}
    assert listed == {id(f) for f in report.findings}
    assert all(g["title"] != UNPLACED or g["findings"] for g in groups)


def test_the_report_is_one_file_that_needs_no_network(demo_model: TheoryOfChange) -> None:
    html = render_report_html(demo_model)
    elements = parse_elements(html)
    for tag, attrs in elements.tags:
        assert "src" not in attrs, tag
        assert tag != "link", attrs
        assert not (attrs.get("href") or "").startswith(("http:", "https:", "//")), attrs
    meta = [a for t, a in elements.tags if t == "meta" and a.get("http-equiv")]
    policy = meta[0]["content"] or ""
    assert "default-src 'none'" in policy and policy.count("'sha256-") == 2
    assert "@media print" in html
    assert "url(http" not in html
    for title in ("HQI Live! week", "Instructional coaching cycles", "One laptop per student"):
        assert title in html


def test_hostile_text_stays_text_in_the_report(hostile_model: TheoryOfChange) -> None:
    html = render_report_html(hostile_model)
    assert "<script>window.__pwned" not in html
    assert "<img" not in html
    tags = [tag for tag, _ in parse_elements(html).tags]
    assert "img" not in tags
    assert tags.count("script") == 3  # vis-network, the map's script, the data
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    for _, attrs in parse_elements(html).tags:
        assert not any(name.startswith("on") for name in attrs)


def _text(html: str, start: str, end: str) -> str:
    """The words between two section ids, tags and runs of white space removed."""
    import html as entities
    import re

    part = html[html.index(f'id="{start}"') : html.index(f'id="{end}"')]
    return " ".join(entities.unescape(re.sub(r"<[^>]+>", " ", part)).split())


def test_the_handout_opens_with_the_summary_a_cabinet_decides_from() -> None:
    model = read_path(EXAMPLES / "state-portfolio.json")
    html = render_report_html(model)
    assert html.index('id="summary"') < html.index('id="scorecard"') < html.index('id="findings"')
    summary = _text(html, "summary", "scorecard")
    assert "TOC" not in summary  # no check codes: every word can be read out at a board meeting
    assert "$1.2M a year in initiatives with no chain drawn to students" in summary
    assert "\u2714 logic complete 2 $3.9M a year" in summary
    assert (
        "'New statewide teacher-evaluation observation rubric' works against "
        "'K-3 universal reading screening with reading-improvement plans'" in summary
    )
    assert "stalled: a step did not hold : K-3 universal reading screening" in summary
    assert "moving toward target : Early literacy coaching grant" in summary
    assert "scale Early literacy coaching grant, 2026-11-12, State Board work session" in summary
    assert "the decision to scale 'Early literacy coaching grant' (2026-11-12) disagrees" in summary
    assert "No decision yet: Statewide license for a family reading app" in summary
    # The analyst's sections keep the codes.
    assert "TOC107" in _text(html, "findings", "map")


def test_the_scorecard_shows_each_standing_in_the_tables_words(demo_model: TheoryOfChange) -> None:
    model = read_path(EXAMPLES / "state-portfolio.json")
    rows = {row["id"]: row for row in scorecard_rows(model, check(model, as_of=today())) or []}
    pacing = rows["pacing-compliance-review"]
    assert (pacing["mark"], pacing["standing"]) == ("\u2714", "logic complete")
    assert pacing["flags"][0] == "\u25b2 raises and lowers outcomes"
    assert pacing["flags"][1].startswith("\u21c5 works against Grants to adopt")
    coaching = rows["coaching-grant"]
    assert (coaching["cost"], coaching["per_student"]) == (
        "$2.2M a year",
        "\u2248 $23 per student reached",
    )
    html = render_report_html(model)
    scorecard = _text(html, "scorecard", "findings")
    assert "Weakest step's evidence" in scorecard and "5 of 5 steps rated" in scorecard
    assert "\u25cb not measured before the outcomes" in scorecard
    # A model with no currency shows no sign.
    plain = render_report_html(demo_model)
    assert "$" not in _text(plain, "summary", "findings")


def test_toc_report_writes_the_file(tmp_path: Path) -> None:
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(hostile_document()), encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["report", str(source), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert "<script>window.__pwned" not in html


def test_toc_report_names_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path / "nope.json"), "-o", str(tmp_path / "r.html")]) == 2
    assert "nope.json" in capsys.readouterr().err


def test_the_service_serves_the_report_with_a_bearer_token(client: TestClient, tokens: Any) -> None:
    document = demo_document()
    headers = {"Authorization": f"Bearer {tokens.editor}"}
    assert client.post("/api/v1/models", json=document, headers=headers).status_code == 201
    url = f"/api/v1/models/{document['id']}/report"
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    # A checked answer: its ETag names the version and the check date (SPEC §4).
    assert response.headers["etag"].startswith('"1;')
    assert "Findings by initiative" in response.text
    assert client.get(url).status_code == 401
    other = {"Authorization": f"Bearer {tokens.other}"}
    assert client.get(url, headers=other).status_code == 404
    assert "/api/v1/models/{model_id}/report" in client.get("/openapi.json").json()["paths"]


def test_the_model_page_links_to_the_report(client: TestClient, tokens: Any) -> None:
    document = demo_document()
    editor = {"Authorization": f"Bearer {tokens.editor}"}
    client.post("/api/v1/models", json=document, headers=editor)
    assert sign_in(client, tokens.viewer).status_code == 303
    page = client.get(f"/models/{document['id']}").text
    assert f'href="/models/{document["id"]}/report"' in page
    report = client.get(f"/models/{document['id']}/report")
    assert report.status_code == 200 and "Scorecard" in report.text
    assert client.get("/models/nope/report").status_code == 404


def test_a_hostile_model_reads_as_text_through_the_service(client: TestClient, tokens: Any) -> None:
    headers = {"Authorization": f"Bearer {tokens.editor}"}
    assert (
        client.post("/api/v1/models", json=hostile_document(), headers=headers).status_code == 201
    )
    html = client.get("/api/v1/models/hostile/report", headers=headers).text
    assert "<script>window.__pwned" not in html
    assert parse_document(hostile_document()).title == PAYLOAD
