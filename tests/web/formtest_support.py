"""What the form tests share: a form read out of a page as a browser would submit it, unchanged,
and the hostile models the round-trip and crawl tests use."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Text a user could paste: script, quotes, right-to-left marks, emoji, separators, line breaks.
HOSTILE = "<script>alert('x')</script> \"quoted\" ‮RTL‬ שלום 😀 a | b; c, d =1+1\n2nd line"


def example_documents() -> list[dict[str, Any]]:
    return [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.json"))
    ]


def huge_numbers_document() -> dict[str, Any]:
    """An example whose targets, baselines, observations and costs are beyond a float's range
    (or its precision), and whose texts are hostile."""
    document = example_documents()[-1]
    document["id"] = "huge-numbers"
    document["title"] = HOSTILE + " " + "x" * 200
    for number, node in enumerate(document["nodes"]):
        node["title"] = (HOSTILE + f" {number} ")[:300]
        node["label"] = "😀 ‮" + str(number)
        for indicator in node.get("indicators", []):
            indicator["target"] = 10**400
            indicator["baseline"] = -(10**300) if number % 2 else 0.1
            indicator["observations"] = [
                {"date": "2026-01-05", "value": 10**400 - 1, "note": HOSTILE},
                {"date": "2026-02-05", "value": 2**53 + 1},
            ]
        if node["kind"] == "initiative":
            if node.get("funding"):  # then cost, if given, must be their sum
                node.pop("cost", None)
                node["funding"][0]["amount"] = 10**12
            else:
                node["cost"] = 10**12
            node["decision"] = {"verdict": "keep", "rationale": HOSTILE, "date": "2026-01-01"}
    for link in document["links"]:
        link["because"] = HOSTILE
        link["assumptions"] = [HOSTILE, "\r\nstarts with a line break"]
    return document


def hostile_text_document() -> dict[str, Any]:
    """The first example with every title 300 characters of script, quotes, RTL and emoji."""
    document = example_documents()[0]
    document["id"] = "hostile-text"
    document["title"] = (HOSTILE * 10)[:300]
    document["description"] = HOSTILE
    for number, node in enumerate(document["nodes"]):
        node["title"] = (f"{number} " + HOSTILE * 10)[:300]
        node["actor"] = HOSTILE
        node["tags"] = [HOSTILE[:100], "="]
        for indicator in node.get("indicators", []):
            indicator["name"] = HOSTILE
            indicator["source"] = HOSTILE
    return document


class _Form(HTMLParser):
    """The fields of the first `<form>` with `marker` in its class, as a browser submits them
    untouched: text and hidden inputs, checked boxes, selected options, text areas (whose first
    newline the parser drops), with CR LF line ends in text areas and none in inputs."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self.action = ""
        self._area: str | None = None
        self._area_text = ""
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and self.marker in a.get("class", "").split():
            self.inside, self.action = True, a.get("action", "")
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "file"):
                value = a.get("value", "")
                if kind != "hidden":
                    value = value.replace("\r", "").replace("\n", "")
                self.fields.append((name, value))
        elif tag == "textarea" and name:
            self._area, self._area_text = name, ""
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value", ""), "selected" in a, ""]

    def handle_data(self, data: str) -> None:
        if self._area is not None:
            self._area_text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "textarea" and self._area is not None:
            text = self._area_text
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            if text.startswith("\n"):
                text = text[1:]
            self.fields.append((self._area, text.replace("\n", "\r\n")))
            self._area = None
        elif tag == "option" and self._option is not None:
            self._options.append((self._option[0], self._option[1]))
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if chosen or self._options:
                self.fields.append((self._select, (chosen or [self._options[0][0]])[-1]))
            self._select = None
        elif tag == "form":
            self.inside, self.done = False, True


def submitted(html: str, marker: str) -> tuple[str, dict[str, str]]:
    """(action, fields) of the page's form of class `marker`, as submitted untouched."""
    parser = _Form(marker)
    parser.feed(html)
    parser.close()
    assert parser.done, f"no form of class {marker} in the page"
    return parser.action, dict(parser.fields)
