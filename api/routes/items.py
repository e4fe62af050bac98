"""`/models/{model_id}/nodes` and `/models/{model_id}/links`: generated from the item kinds.

Each kind of item (`services.item_types`: nodes, links) gets the same five routes: list (with
the kind's filters, paginated), add, get, patch, delete. Their operation ids are the kind's
words (`listNodes`, `addLink`, `patchNode`…); their bodies are the kind's toc/1 type and its
`…Update`; a path names the item by its id (`node_id`, `link_id`, percent-encoded).
"""

import inspect
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Response

from api import API_PREFIX
from api.deps import (
    EditorDep,
    IfMatchDep,
    NoteDep,
    PrincipalDep,
    RawBodyDep,
    SessionDep,
    json_body,
)
from api.problems import responses
from api.responses import document_body, etag, json_value
from api.routes.paging import decode_position, encode_cursor
from api.schemas import LinkPage, NodePage
from services import item_types, items
from services.item_types import ItemKind

__all__ = ["router", "item_router"]

_PAGES: dict[str, type] = {"nodes": NodePage, "links": LinkPage}


def _filters_dependency(kind: ItemKind) -> Any:
    """A dependency whose query parameters are the kind's filters: name → values asked."""
    parameters = []
    for spec in kind.filters:
        base: Any = Literal[spec.choices] if spec.choices else str
        annotation: Any = list[base] | None if spec.repeated else base | None
        longest = None if spec.choices else 500
        query = Query(alias=spec.name, description=spec.description, max_length=longest)
        parameters.append(
            inspect.Parameter(
                f"filter_{spec.name}",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[annotation, query],
            )
        )

    async def asked(**values: Any) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for spec in kind.filters:
            value = values.get(f"filter_{spec.name}")
            if value is None:
                continue
            found[spec.name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        return found

    asked.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return asked


def item_router(kind: ItemKind) -> APIRouter:
    """The five routes of one kind of item."""
    router = APIRouter(prefix=f"/models/{{model_id}}/{kind.plural}", tags=[kind.plural])
    what, word = kind.what, kind.what.capitalize()
    id_name = f"{what}_id"
    ItemId = Annotated[
        str,
        Path(
            alias=id_name,
            description=f"The {what}'s id" + (f"; {kind.id_note}" if kind.id_note else ""),
        ),
    ]
    Filters = Annotated[dict[str, list[str]], Depends(_filters_dependency(kind))]
    writes = kind.writes

    def location(model_id: str, item_id: str) -> str:
        model, item = quote(model_id, safe=""), quote(item_id, safe="")
        return f"{API_PREFIX}/models/{model}/{kind.plural}/{item}"

    def list_route(
        principal: PrincipalDep,
        session: SessionDep,
        model_id: str,
        asked: Filters,
        limit: Annotated[int, Query(ge=1, le=500, description=f"{word}s per page.")] = 50,
        cursor: Annotated[
            str | None, Query(max_length=1000, description="`next_cursor` of the previous page.")
        ] = None,
    ) -> Response:
        after = decode_position(cursor) if cursor is not None else None
        page, last, _ = item_types.list_items(
            session, principal.workspace_id, model_id, kind, asked, limit=limit, after=after
        )
        return json_value(
            {"items": page, "next_cursor": encode_cursor(str(last)) if last is not None else None}
        )

    def add_route(
        principal: EditorDep,
        session: SessionDep,
        raw: RawBodyDep,
        if_match: IfMatchDep,
        note: NoteDep,
        model_id: str,
    ) -> Response:
        written = items.add_item(
            session,
            principal.workspace_id,
            model_id,
            writes,
            json_body(raw),
            expected_version=if_match,
            note=note,
        )
        key, item = written.id, written.item or {}
        body = {**item, "id": key} if "id" not in item else item
        return json_value(body, written.version, 201, {"Location": location(model_id, key)})

    def get_route(
        principal: PrincipalDep, session: SessionDep, model_id: str, item_id: ItemId
    ) -> Response:
        item, version = items.get_item(session, principal.workspace_id, model_id, writes, item_id)
        return json_value(item, version)

    def patch_route(
        principal: EditorDep,
        session: SessionDep,
        raw: RawBodyDep,
        if_match: IfMatchDep,
        note: NoteDep,
        model_id: str,
        item_id: ItemId,
    ) -> Response:
        written = items.patch_item(
            session,
            principal.workspace_id,
            model_id,
            writes,
            item_id,
            json_body(raw),
            expected_version=if_match,
            note=note,
        )
        key = written.id
        headers = {"Content-Location": location(model_id, key)} if key != item_id else None
        return json_value(written.item, written.version, headers=headers)

    def delete_route(
        principal: EditorDep,
        session: SessionDep,
        if_match: IfMatchDep,
        note: NoteDep,
        model_id: str,
        item_id: ItemId,
    ) -> Response:
        written = items.delete_item(
            session,
            principal.workspace_id,
            model_id,
            writes,
            item_id,
            expected_version=if_match,
            note=note,
        )
        return Response(status_code=204, headers=etag(written.version))

    filters = ", ".join(f"`{spec.name}`" for spec in kind.filters)
    router.add_api_route(
        "",
        list_route,
        methods=["GET"],
        name=f"list_{kind.plural}",
        summary=f"The model's {kind.plural}, filtered ({filters}) and paginated",
        response_model=_PAGES[kind.plural],
        responses=responses(401, 404, 422),
    )
    router.add_api_route(
        "",
        add_route,
        methods=["POST"],
        status_code=201,
        name=f"add_{what}",
        summary=f"Add a {what}"
        + (" (the answer carries its id, generated or its own)" if what == "link" else ""),
        response_model=kind.type,
        responses=responses(401, 403, 404, 412, 413, 422),
        openapi_extra=document_body(kind.type.__name__, f"A toc/1 {what} object."),
    )
    router.add_api_route(
        f"/{{{id_name}}}",
        get_route,
        methods=["GET"],
        name=f"get_{what}",
        summary=f"One {what}",
        response_model=kind.type,
        responses=responses(401, 404),
    )
    router.add_api_route(
        f"/{{{id_name}}}",
        patch_route,
        methods=["PATCH"],
        name=f"patch_{what}",
        summary=f"Change some fields of a {what}"
        + (" (a generated id follows new ends)" if what == "link" else ""),
        response_model=kind.type,
        responses=responses(401, 403, 404, 412, 413, 422),
        openapi_extra=document_body(
            f"{word}Update", "The fields to change; `null` resets a field to its default."
        ),
    )
    router.add_api_route(
        f"/{{{id_name}}}",
        delete_route,
        methods=["DELETE"],
        status_code=204,
        name=f"delete_{what}",
        summary=f"Delete a {what}" + (" and every link to or from it" if what == "node" else ""),
        responses=responses(401, 403, 404, 412),
    )
    return router


router = APIRouter()
for _kind in item_types.ITEM_KINDS:
    router.include_router(item_router(_kind))
