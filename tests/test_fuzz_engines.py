"""No input of any kind gives a traceback (#12, safety nets): every built-in layout is given
arbitrary text, the bundled documents cut, repeated and scrambled line by line, and sheets of
arbitrary cells under the layout's own headings; each reads or stops with a clear IngestError,
never another exception (hypothesis, derandomised so that CI is repeatable)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mandato.errors import IngestError
from mandato.ingest.base import Source
from mandato.ingest.layouts import builtin_layouts
from mandato.packaged import CORPUS_DIR
from mandato.pipeline import load_manifest, read_source
from mandato.registry import load_registry

REGISTRY = load_registry()
# MANDATO_FUZZ_EXAMPLES=400 for a longer search (about 90 s); CI runs 40 per layout.
FUZZ = settings(max_examples=int(os.environ.get("MANDATO_FUZZ_EXAMPLES", "40")), derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TEXT_LAYOUTS = {s.layout.name: s for s in load_manifest() if s.layout is not None}
SHEET_LAYOUTS = ["plan-table", "treaty-actions", "untc-status"]
FACTS = {"main": {"title": "Plan", "period": "2024-2026"}}


def _read(tmp_path: Path, name: str, data: bytes, layout: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    source = Source("fuzz", path, "fuzz", builtin_layouts()[layout], jurisdiction="PE", plans=FACTS,
                    instrument="XVIII-12-a" if layout == "untc-status" else None)
    try:
        read_source(source, REGISTRY)
    except IngestError as exc:  # a clear error is what bad input gets: it names the document
        assert name in str(exc), str(exc)


cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@st.composite
def scrambled(draw, lines: list[str]) -> str:
    """A document's lines, some cut, repeated, blanked or replaced by arbitrary text."""
    out = list(lines)
    for _ in range(draw(st.integers(0, 12))):
        if not out:
            break
        i = draw(st.integers(0, len(out) - 1))
        op = draw(st.sampled_from(["cut", "repeat", "blank", "replace", "tabs", "truncate"]))
        if op == "cut":
            del out[i]
        elif op == "repeat":
            out.insert(i, out[i])
        elif op == "blank":
            out[i] = ""
        elif op == "replace":
            out[i] = draw(cells)
        elif op == "tabs":
            out[i] = out[i].replace("\t", draw(st.sampled_from(["", " ", "\t\t"])))
        else:
            out = out[: i + 1]
    return "\n".join(out)


@pytest.mark.parametrize("layout", sorted(TEXT_LAYOUTS))
def test_text_layouts_never_raise_a_traceback(tmp_path, layout):
    lines = TEXT_LAYOUTS[layout].lines

    @FUZZ
    @given(text=st.one_of(scrambled(lines), st.text(max_size=400)), raw=st.binary(max_size=64))
    def check(text: str, raw: bytes) -> None:
        _read(tmp_path, "doc.txt", text.encode("utf-8", "surrogatepass"), layout)
        _read(tmp_path, "raw.txt", raw, layout)

    check()


def _headings(layout: str) -> list[str]:
    step = builtin_layouts()[layout].steps[0]
    return [names[0] for names in step["columns"].values()]


@pytest.mark.parametrize("layout", SHEET_LAYOUTS)
def test_sheet_layouts_never_raise_a_traceback(tmp_path, layout):
    headings = _headings(layout)
    values = st.one_of(cells, st.sampled_from(["9 Sep 2003 a", "31/02/2001", "2003", "Perú", "C182", "MIMP",
                                               "1.1", "1.1.1 Hacer algo", "Firma", "", "XVIII-12-a"]))

    @FUZZ
    @given(order=st.permutations(headings), rows=st.lists(st.lists(values, max_size=len(headings) + 2), max_size=8),
           fmt=st.sampled_from(["csv", "tsv", "xlsx"]))
    def check(order: list[str], rows: list[list[str]], fmt: str) -> None:
        table = [list(order), *rows]
        if fmt == "xlsx":
            from openpyxl import Workbook
            from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

            book = Workbook()
            for row in table:  # a workbook cannot hold control characters
                book.active.append([ILLEGAL_CHARACTERS_RE.sub("", c) or None for c in row])
            buffer = io.BytesIO()
            book.save(buffer)
            data = buffer.getvalue()
        else:
            out = io.StringIO()
            csv.writer(out, delimiter="," if fmt == "csv" else "\t").writerows(table)
            data = out.getvalue().encode("utf-8", "surrogatepass")
        _read(tmp_path, f"table.{fmt}", data, layout)

    check()


def test_the_fuzzed_documents_are_the_bundled_ones():
    """The scrambled inputs start from every text layout of the bundled corpus."""
    assert set(TEXT_LAYOUTS) == {"conacoes-work-plan", "national-plan-frame", "coalition-operational-plan",
                                 "coalition-strategic-plan", "municipal-plan-presentation"}
    assert all(source.path.parent == CORPUS_DIR for source in TEXT_LAYOUTS.values())
