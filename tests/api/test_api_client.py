"""A planning tool's integration, as its engineer would build it: a client generated from the
live OpenAPI document with openapi-python-client, running a whole sync against a live server.

The client is generated once per session (any generator warning fails it: a warning means an
operation or a media type the client silently lacks); the sync runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openapi_spec_validator import validate
from sqlmodel import Session

from api.openapi import dangling_refs
from app.main import create_app
from services.auth import create_token
from services.config import Settings

CONFIG = Path(__file__).parent / "client" / "openapi-python-client.yaml"
PACKAGE = "toc_api_client"


@pytest.fixture(scope="session")
def openapi_document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("openapi")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'unused.db'}"))
    return app.openapi()


@pytest.fixture(scope="session")
def generated_client(
    openapi_document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModuleType]:
    """The client openapi-python-client generates from the document, imported."""
    folder = tmp_path_factory.mktemp("client")
    (folder / "openapi.json").write_text(json.dumps(openapi_document))
    generator = Path(sys.executable).parent / "openapi-python-client"
    run = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(folder / "openapi.json"),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
            "--config",
            str(CONFIG),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = run.stdout + run.stderr
    assert run.returncode == 0, said
    assert "warning" not in said.lower(), said
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))


def test_the_document_is_valid_openapi_and_every_ref_resolves(
    openapi_document: dict[str, Any],
) -> None:
    validate(openapi_document)
    assert dangling_refs(openapi_document) == []
    operations = [
        operation
        for item in openapi_document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
    ]
    ids = [operation["operationId"] for operation in operations]
    assert len(ids) == len(set(ids))
    assert all(i.isalnum() and i[0].islower() and "_" not in i for i in ids), ids
    assert {"getModel", "patchNode", "addObservations", "applyChanges", "listNodes"} <= set(ids)


def _module(client: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{client.__name__}.{name}")


def test_a_generated_client_runs_a_whole_sync(
    generated_client: ModuleType, live_server: Any, document: dict[str, Any]
) -> None:
    with Session(live_server.app.state.engine) as session:
        token = create_token(session, "district", "editor", "planning tool")
    api = lambda name: _module(generated_client, f"api.{name}")  # noqa: E731
    models = _module(generated_client, "models")
    from toc_api_client import AuthenticatedClient
    from toc_api_client.types import File

    client = AuthenticatedClient(base_url=live_server.url, token=token)

    # Create the plan.
    created = api("models.create_model").sync_detailed(
        client=client, body=models.TheoryOfChange.from_dict(document), note="first sync"
    )
    assert created.status_code == 201 and created.headers["etag"] == '"1"'
    assert created.parsed.version == 1

    # A batch of edits as one version, with the ETag read.
    batch = models.ChangeBatch.from_dict(
        {
            "changes": [
                {
                    "op": "add",
                    "node": {
                        "id": "coaching",
                        "level": "teacher",
                        "kind": "change",
                        "title": "Teachers are coached on math discourse",
                        "tags": ["math"],
                    },
                },
                {"op": "add", "link": {"from": "hqi-live", "to": "coaching"}},
                {"op": "add", "link": {"from": "coaching", "to": "math-reasoning"}},
                {"op": "patch", "node": "shared-model", "fields": {"tags": ["math"]}},
            ]
        }
    )
    synced = api("nodes.apply_changes").sync_detailed(
        "milford-hqi", client=client, body=batch, if_match='"1"', note="nightly sync"
    )
    assert synced.status_code == 200, synced.content
    assert synced.parsed.version == 2 and synced.headers["etag"] == '"2"'
    assert [r.link for r in synced.parsed.results if r.link] == [
        "hqi-live->coaching",
        "coaching->math-reasoning",
    ]

    # A write on a stale ETag is refused; read again and retry.
    stale = api("nodes.patch_node").sync_detailed(
        "milford-hqi",
        "coaching",
        client=client,
        body=models.NodeUpdate.from_dict({"title": "Coaching on discourse"}),
        if_match='"1"',
    )
    assert stale.status_code == 412 and isinstance(stale.parsed, models.Problem)
    current = api("models.get_model").sync_detailed("milford-hqi", client=client)
    retried = api("nodes.patch_node").sync_detailed(
        "milford-hqi",
        "coaching",
        client=client,
        body=models.NodeUpdate.from_dict({"title": "Coaching on discourse"}),
        if_match=current.headers["etag"],
    )
    assert retried.status_code == 200 and retried.parsed.title == "Coaching on discourse"

    # The plan's nodes, filtered as a planning tool lists them.
    tagged = api("nodes.list_nodes").sync("milford-hqi", client=client, tag=["math"])
    assert [node.id for node in tagged.items] == ["shared-model", "coaching"]

    # Observations as JSON, then as CSV.
    observed = api("history.add_observations").sync_detailed(
        "milford-hqi",
        client=client,
        body=models.ObservationBatch.from_dict(
            {
                "observations": [
                    {
                        "node": "hqi-live",
                        "indicator": "Educators attending",
                        "date": "2026-09-01",
                        "value": 40,
                    }
                ]
            }
        ),
    )
    assert observed.status_code == 200, observed.content
    csv = b"node,indicator,date,value\nhqi-live,Educators attending,2026-10-01,55\n"
    observed_csv = api("history.add_observations").sync_detailed(
        "milford-hqi", client=client, body=File(payload=io.BytesIO(csv), mime_type="text/csv")
    )
    assert observed_csv.status_code == 200, observed_csv.content
    assert observed_csv.parsed.version == observed.parsed.version + 1

    # What the checks say, and the scorecard, as JSON and as CSV.
    report = api("models.get_check").sync("milford-hqi", client=client, as_of="2026-11-01")
    assert str(report.as_of) == "2026-11-01"
    assert [row.id for row in report.initiatives] == ["hqi-live"]
    scorecard = api("models.get_scorecard").sync("milford-hqi", client=client)
    assert [row.id for row in scorecard.initiatives] == ["hqi-live"]
    sheet = api("models.get_scorecard_csv").sync("milford-hqi", client=client)
    assert sheet.payload.read().startswith(b"id,title,standing")

    # The history, a diff, a restore.
    versions = api("history.list_versions").sync("milford-hqi", client=client)
    assert [v.note for v in versions.items][-2:] == ["nightly sync", "first sync"]
    diff = api("history.get_diff").sync("milford-hqi", client=client, from_=1)
    assert diff.nodes.added == ["coaching"]
    restored = api("history.restore_version").sync_detailed("milford-hqi", 1, client=client)
    assert restored.status_code == 200 and restored.parsed.nodes == 3

    # Every export format, as bytes.
    export = api("models.export_model")
    formats = models.ExportModelFormat
    exported = {
        fmt.value: export.sync("milford-hqi", client=client, format_=fmt).payload.read()
        for fmt in formats
    }
    assert json.loads(exported["json"])["id"] == "milford-hqi"
    assert zipfile.ZipFile(io.BytesIO(exported["csv"])).namelist()
    assert exported["graphml"].startswith(b"<?xml") and b"graphml" in exported["graphml"]
    assert exported["gexf"].startswith(b"<?xml") and b"gexf" in exported["gexf"]
    assert b"flowchart" in exported["mermaid"]
    page = api("models.get_map").sync("milford-hqi", client=client).payload.read()
    assert page.lower().startswith(b"<!doctype html")
