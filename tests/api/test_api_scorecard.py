"""`GET /models/{id}/scorecard`: the report's initiatives, as JSON or CSV, cached per version."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services import clock
from services.clock import today
from toc.formats import read_path
from toc.report import check


def checked(version: str) -> str:
    """The ETag of a checked answer today: `"VERSION;AS_OF"` (SPEC §4)."""
    return f'"{version};{clock.today().isoformat()}"'


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "state-portfolio.json"
M = "/api/v1/models"


@pytest.fixture
def portfolio(client: TestClient, auth: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert client.post(M, json=document, headers=auth.editor).status_code == 201
    return document


def _expected_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = check(read_path(EXAMPLE), as_of=today()).to_dict()["initiatives"]
    return rows


def test_the_scorecard_is_the_reports_initiatives_with_the_version(
    client: TestClient, auth: Any, portfolio: dict[str, Any]
) -> None:
    answer = client.get(f"{M}/{portfolio['id']}/scorecard", headers=auth.viewer)
    assert answer.status_code == 200
    assert answer.headers["ETag"] == checked("1")
    assert answer.json() == {"initiatives": _expected_rows(portfolio), "version": 1}
    check = client.get(f"{M}/{portfolio['id']}/check", headers=auth.viewer).json()
    assert answer.json()["initiatives"] == check["initiatives"]
    assert {row["standing"] for row in answer.json()["initiatives"]} == {
        "sound",
        "no-because",
        "unmeasured",
        "only-lowers",
        "no-chain",
    }


def test_the_scorecard_as_csv_reads_back_in_a_spreadsheet(
    client: TestClient, auth: Any, portfolio: dict[str, Any]
) -> None:
    answer = client.get(f"{M}/{portfolio['id']}/scorecard?format=csv", headers=auth.viewer)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["ETag"] == checked("1")
    assert "attachment" in answer.headers["Content-Disposition"]
    parsed = list(csv.DictReader(io.StringIO(answer.text)))
    rows = _expected_rows(portfolio)
    assert [(r["id"], r["title"], r["standing"]) for r in parsed] == [
        (r["id"], r["title"], r["standing"]) for r in rows
    ]


def test_the_scorecard_reads_the_cached_report(
    client: TestClient, auth: Any, portfolio: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import services.reports

    calls: list[str] = []

    def counting(model: Any, *, as_of: Any, graph: Any = None) -> Any:
        calls.append(model.id)
        return check(model, as_of=as_of, graph=graph)

    services.reports.settle()  # the check of the stored model, after its write, is done
    monkeypatch.setattr(services.reports, "core_check", counting)
    url = f"{M}/{portfolio['id']}/scorecard"
    first = client.get(url, headers=auth.viewer).json()
    assert client.get(url + "?format=csv", headers=auth.viewer).status_code == 200
    assert client.get(f"{M}/{portfolio['id']}/check", headers=auth.viewer).status_code == 200
    assert client.get(url, headers=auth.viewer).json() == first
    # Checked once, after it was stored (the report pipeline, in the background), never again.
    assert calls == []

    # A write makes a new version, and a new scorecard.
    renamed = client.patch(
        f"{M}/{portfolio['id']}/nodes/universal-screening",
        json={"title": "Screening, renamed"},
        headers=auth.editor,
    )
    assert renamed.status_code == 200
    after = client.get(url, headers=auth.viewer)
    assert after.headers["ETag"] == checked("2")
    titles = {row["id"]: row["title"] for row in after.json()["initiatives"]}
    assert titles["universal-screening"] == "Screening, renamed"
    client.get(url, headers=auth.viewer)
    assert calls == [portfolio["id"]]  # the new version, checked once


def test_the_scorecard_needs_a_token_and_stays_in_its_workspace(
    client: TestClient, auth: Any, portfolio: dict[str, Any]
) -> None:
    url = f"{M}/{portfolio['id']}/scorecard"
    for suffix in ("", "?format=csv"):
        missing = client.get(url + suffix)
        assert missing.status_code == 401
        assert missing.headers["content-type"] == "application/problem+json"
        bad = client.get(url + suffix, headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        other = client.get(url + suffix, headers=auth.other)
        assert other.status_code == 404
        assert portfolio["id"] in other.json()["detail"]
    absent = client.get(f"{M}/no-such-model/scorecard", headers=auth.viewer)
    assert absent.status_code == 404


def test_a_viewer_reads_the_scorecard_but_no_write_exists_to_forbid(
    client: TestClient, auth: Any, portfolio: dict[str, Any]
) -> None:
    url = f"{M}/{portfolio['id']}/scorecard"
    assert client.get(url, headers=auth.viewer).status_code == 200
    # The scorecard is read-only: a write to it is not a route, whatever the role.
    assert client.post(url, json={}, headers=auth.viewer).status_code == 405
    assert client.post(url, json={}, headers=auth.editor).status_code == 405


def test_an_unknown_format_is_a_problem_not_a_guess(
    client: TestClient, auth: Any, portfolio: dict[str, Any]
) -> None:
    # xlsx is a format now (issue 23); a spreadsheet format toc does not write is not.
    answer = client.get(f"{M}/{portfolio['id']}/scorecard?format=ods", headers=auth.viewer)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
