"""Page furniture (issue 31, item 5): running headers, footers and page numbers of text taken from
a PDF are not content, in any text engine."""

from __future__ import annotations

from mandato.ingest.furniture import furniture


def test_running_headers_and_page_numbers_are_page_furniture():
    """Issue 31, item 5: the title and the body's name printed again at the top of each page, and
    page numbers, are not content; a label repeated per activity, a broken two-word heading or a
    year on its own line are."""
    page = ["Plan de Trabajo 2021\t\t\t", "Comisión Nacional contra la Explotación Sexual Comercial", ""]
    body = ["1. Articular la subcomisión\tObjetivo\tActividad", "Meta:", "2021", "**DECRETO", "SUPREMO N°"]
    lines = [*page, *body, *page, *body, *page, *body, "Página 3 de 9", "- 4 -"]
    found = furniture(lines)
    assert sorted(found) == [0, 1, 8, 9, 16, 17, 24, 25]
    assert found[0] == "Plan de Trabajo 2021" and found[24] == "Página 3 de 9"
