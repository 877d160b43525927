"""Page furniture of text taken from a PDF or a Word file: running headers and footers, and page
numbers, which say nothing of the plan and must never become parts of it.

A line is furniture when it is
- a page number ("Página 3 de 9", "Page 3 of 9", "- 3 -"), or
- a line of a *running group*: two or more consecutive non-blank lines (the document's title and
  its body's name printed again at the top of each page) that appear again, the same, at least
  twice more, each of three words or more, none numbered ("1.2 …") or a label ("Meta:"), none a
  row of several cells; or
- after a form feed (a page break), one of the first three lines of a page (or before one, one of
  the last two) whose text is printed so at two page breaks or more.

The lines keep their numbers (a document's line N stays line N): furniture lines read as blank,
and :func:`ingest.base.describe_source` reports them, once, as a finding.
"""

from __future__ import annotations

import re
from collections import defaultdict

# "Página 3 de 9", "Pág. 3", "Page 3 of 9", "- 3 -" (a bare number may be a year or a count: not one)
PAGE_NUMBER = re.compile(r"(?:p[aá]g(?:ina|\.)?|page|p\.)\s*\d{1,4}(?:\s*(?:de|of|/)\s*\d{1,4})?"
                         r"|[-–—]\s*\d{1,4}\s*[-–—]", re.IGNORECASE)
NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|[a-z]\))\s")
MIN_REPEATS = 3  # a running group is printed this many times at least
EDGE_LINES = 3  # lines of a page's top (after a form feed) where a running header stands


def _key(line: str) -> str:
    return " ".join(line.replace("\f", " ").split()).casefold()


def _plain(line: str) -> bool:
    """A line that can be a running header: text in one cell, not numbered, not a label."""
    text = line.replace("\f", "").strip()
    cells = [c for c in text.split("\t") if c.strip()]
    return (len(cells) == 1 and not NUMBERED.match(text) and not text.rstrip().endswith(":")
            and len(text) <= 160 and len(text.split()) >= 3)


def furniture(lines: list[str]) -> dict[int, str]:
    """The furniture lines of a document (module docstring): index (from 0) to the line's text."""
    out: dict[int, str] = {}
    for i, line in enumerate(lines):
        text = line.replace("\f", "").strip()
        if text and PAGE_NUMBER.fullmatch(text):
            out[i] = text
    out.update(_running_groups(lines))
    out.update(_page_edges(lines))
    return out


def _running_groups(lines: list[str]) -> dict[int, str]:
    """Lines of groups of consecutive non-blank plain lines printed the same three times or more."""
    blocks: list[list[int]] = []  # runs of consecutive non-blank plain lines (blank lines between allowed)
    run: list[int] = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if _plain(line):
            run.append(i)
            continue
        if len(run) >= 2:
            blocks.append(run)
        run = []
    if len(run) >= 2:
        blocks.append(run)
    seen: dict[tuple[str, ...], list[list[int]]] = defaultdict(list)
    for block in blocks:  # every window of two or more lines of a block, by its text
        for size in range(2, len(block) + 1):
            for start in range(len(block) - size + 1):
                window = block[start: start + size]
                seen[tuple(_key(lines[i]) for i in window)].append(window)
    out: dict[int, str] = {}
    for texts, places in seen.items():
        if len(set(texts)) >= 2 and len({p[0] for p in places}) >= MIN_REPEATS:
            for place in places:
                out.update({i: lines[i].strip() for i in place})
    return out


def _page_edges(lines: list[str]) -> dict[int, str]:
    """Plain lines at the top or bottom of pages (by form feeds) printed so at two page breaks."""
    breaks = [i for i, line in enumerate(lines) if "\f" in line]
    if len(breaks) < 2:
        return {}
    edges: dict[str, list[int]] = defaultdict(list)
    for b in breaks:
        after = [i for i in range(b, min(len(lines), b + 8)) if lines[i].replace("\f", "").strip()][:EDGE_LINES]
        before = [i for i in range(max(0, b - 6), b) if lines[i].strip()][-2:]
        for i in {*after, *before}:
            if _plain(lines[i]):
                edges[_key(lines[i])].append(i)
    return {i: lines[i].replace("\f", "").strip() for places in edges.values() if len(set(places)) >= 2
            for i in places}
