"""A version number no store can hold (≥ 2**31) is answered alike on SQLite and PostgreSQL —
404, 412 or a page of history — never a 500 from a 32-bit column (issue #18)."""

from __future__ import annotations

from typing import Any

import pytest

M = "/api/v1/models/milford-hqi"
HUGE = ["2147483648", "999999999999999999"]


@pytest.fixture
def stored(client: Any, auth: Any, document: dict[str, Any]) -> None:
    assert client.post("/api/v1/models", json=document, headers=auth.editor).status_code == 201


@pytest.mark.parametrize("huge", HUGE)
def test_a_huge_version_in_a_path_or_query_is_not_found(
    client: Any, auth: Any, stored: None, huge: str
) -> None:
    for url in (f"{M}/versions/{huge}", f"{M}/diff?from={huge}", f"{M}/diff?from=1&to={huge}"):
        answer = client.get(url, headers=auth.viewer)
        assert answer.status_code == 404, (url, answer.status_code, answer.text)
    restored = client.post(f"{M}/versions/{huge}/restore", headers=auth.editor)
    assert restored.status_code == 404, restored.text


@pytest.mark.parametrize("huge", HUGE)
def test_a_huge_if_match_is_a_stale_version(
    client: Any, auth: Any, stored: None, huge: str
) -> None:
    for write in (
        lambda headers: client.patch(
            f"{M}/nodes/shared-model", json={"title": "T"}, headers=headers
        ),
        lambda headers: client.post(f"{M}/versions/1/restore", headers=headers),
    ):
        answer = write({**auth.editor, "If-Match": f'"{huge}"'})
        assert answer.status_code == 412, answer.text
    assert client.get(M, headers=auth.viewer).json()["version"] == 1


def test_a_huge_before_lists_every_version(client: Any, auth: Any, stored: None) -> None:
    from api.routes.models import encode_cursor

    cursor = encode_cursor("999999999999999999")
    answer = client.get(f"{M}/versions?cursor={cursor}", headers=auth.viewer)
    assert answer.status_code == 200, answer.text
    assert [entry["version"] for entry in answer.json()["items"]] == [1]


@pytest.mark.parametrize("huge", HUGE)
def test_the_history_and_compare_pages_take_a_huge_version(
    client: Any, tokens: Any, stored: None, huge: str
) -> None:
    from tests.web.webtest_support import sign_in

    sign_in(client, tokens.viewer)
    history = client.get(f"/models/milford-hqi/history?before={huge}")
    assert history.status_code == 200, history.text
    compare = client.get(f"/models/milford-hqi/compare?old=1&new={huge}")
    assert compare.status_code == 404, compare.text
