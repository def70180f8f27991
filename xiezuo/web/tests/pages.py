"""Reading the cells of a rendered table back, for tests that compare a page with the CLI."""

from __future__ import annotations

from html.parser import HTMLParser


class CellReader(HTMLParser):
    """{(row code, org code): text} from rows `id="row-<code>"` and cells with `data-org`."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], str] = {}
        self.row = ""
        self.org = ""
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr":
            self.row = (a.get("id") or "").removeprefix("row-")
        elif tag == "td" and a.get("data-org") and self.row:
            self.org, self.text = a["data-org"] or "", []
        elif tag == "br" and self.org:
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.org:
            self.cells[(self.row, self.org)] = "".join(self.text).strip()
            self.org = ""

    def handle_data(self, data: str) -> None:
        if self.org:
            self.text.append(data)


def cells_of(html: str) -> dict[tuple[str, str], str]:
    reader = CellReader()
    reader.feed(html)
    return reader.cells
