"""Rendering of query results and datasets: one table from format name to writer."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox

from mandato.catalogue import Table

ROW_FORMATS = ("table", "csv", "json")
DATASET_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    # name: (Oxigraph format, holds named graphs)
    "turtle": (ox.RdfFormat.TURTLE, False),
    "trig": (ox.RdfFormat.TRIG, True),
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "ntriples": (ox.RdfFormat.N_TRIPLES, False),
    "jsonld": (ox.RdfFormat.JSON_LD, True),
    "rdfxml": (ox.RdfFormat.RDF_XML, False),
}
EXTENSIONS = {"turtle": "ttl", "trig": "trig", "nquads": "nq", "ntriples": "nt", "jsonld": "jsonld", "rdfxml": "rdf"}


def render_rows(table: Table, fmt: str) -> str:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows([["" if v is None else v for v in row] for row in table.rows])
        return out.getvalue()
    if fmt == "json":
        return json.dumps(table.records(), ensure_ascii=False, indent=2) + "\n"
    return text_table(table)


def text_table(table: Table, max_width: int = 60) -> str:
    """An aligned text table for people; IRI columns (``*_iri``) are left to csv and json."""
    keep = [i for i, c in enumerate(table.columns) if not c.endswith("_iri")]
    table = Table([table.columns[i] for i in keep], [[row[i] for i in keep] for row in table.rows])

    def cut(v: str | None) -> str:
        v = "" if v is None else v
        return v if len(v) <= max_width else v[: max_width - 1] + "…"

    cells = [[cut(c) for c in table.columns], *[[cut(v) for v in row] for row in table.rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(table.columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"({len(table.rows)} rows)")
    return "\n".join(lines) + "\n"
