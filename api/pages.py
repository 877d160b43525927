"""Pages for people: the graph in a browser (design note §7), beside the API of the same server.

Server-rendered Jinja2 templates (``api/templates``), one stylesheet and a few lines of script
(``api/static/pages``: the charts, drawn by Observable Plot from data the page embeds); every asset
is in the package, so the pages work with no network. Spanish by default; ``?lang=en`` switches
and is remembered in a cookie. Every page reads through the saved queries (``queries/*.rq``, the
same the API serves, named on the page beside the section they fill) or the search of
:mod:`mandato.search`; none holds SPARQL of its own. Each page offers its data for download.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import OWL, PROV, SKOS

from mandato import yamltext
from mandato.catalogue import bind, execute, get, groups_with_members, inject_values, load_catalogue, matcher
from mandato.errors import MandatoError
from mandato.namespaces import ID, MDO, PREFIXES
from mandato.packaged import ontology_graph
from mandato.results import ROW_MEDIA, Table, cell, negotiate, render
from mandato.search import search

if TYPE_CHECKING:  # the remote store's module (and its HTTP client) only when one is served
    from mandato.remote import AnyStore


HERE = Path(__file__).parent
TEXT: dict[str, dict[str, str]] = yamltext.load((HERE / "text.yaml").read_text(encoding="utf-8"))
LANGS = tuple(TEXT)
COOKIE = "mandato_lang"
# Scripts only from the server; styles may be set by the chart library (it writes style attributes).
# A reconciliation preview is shown in a frame of the client's page (OpenRefine's, on another origin).
PREVIEW_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
               "frame-ancestors *")
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HTML = {"html": "text/html"}
# Links in a resource page lists one by one; above, it gives their number by class and property
# (a body named by thousands of activities: 0.6 s to list at ~1M triples, and no one reads them).
INCOMING_LISTED = 500
# Findings the findings page lists for every source; above, each source's are on a page of their
# own (1,008 findings at ~1M triples: a quarter of a second to list, and too many to read).
FINDINGS_LISTED = 200
# Statements shown apart from the table of a resource: its name, its classes and where it was read.
TITLE = (str(SKOS.prefLabel), "http://purl.org/dc/terms/title")
SOURCE = {str(PROV.wasDerivedFrom): "source_document", str(MDO.sourceLine): "line", str(MDO.locator): "locator",
          str(MDO.sourceText): "quote"}
# Statements a page shows in its header or its own sections (an activity's roles: its commitments).
SHOWN_APART = (str(RDF.type), *TITLE, str(MDO.hasRole), str(MDO.hasProgress))
# Kinds of act, strongest first: the colour of a matrix cell is its strongest act's.
ACTS = ["ratification", "accession", "acceptance", "approval", "succession", "signature"]


def language(request: Request) -> tuple[str, bool]:
    """The language of the page and whether the request chose it (``?lang=``), else the cookie's."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return str(asked), True
    kept = request.cookies.get(COOKIE)
    return (kept if kept in LANGS else LANGS[0]), False


def wants_html(request: Request) -> bool:
    """A browser (HTML first in Accept) rather than a client that asks for data or says nothing."""
    return negotiate(request.headers.get("accept"), None, {"json": "application/json", **HTML}, "json") == "html"


def href(iri: str | None) -> str:
    """Where a page links an IRI: the dataset's own resources to their pages on this server."""
    if not iri:
        return ""
    return "/id/" + iri[len(str(ID)):] if iri.startswith(str(ID)) else iri


@cache
def superclasses() -> dict[str, set[str]]:
    """Each class of the ontology with all the classes it falls under (itself included)."""
    g = ontology_graph()
    return {str(c): {str(s) for s in g.transitive_objects(c, RDFS.subClassOf)}
            for c in set(g.subjects(RDF.type, OWL.Class)) if isinstance(c, URIRef)}


class Foreign(str):
    """Text in a language other than the page's: a translation the data lacks (a Spanish name on
    an English page, an English-only message on a Spanish one). The pages show it as it is, marked
    with its language (a ``lang`` attribute for screen readers, and a visible tag)."""

    lang: str

    def __new__(cls, text: str, lang: str) -> Foreign:
        shown = super().__new__(cls, text)
        shown.lang = lang
        return shown


def in_page(text: str, text_lang: str | None, page_lang: str) -> str:
    """``text`` as a page in ``page_lang`` shows it: :class:`Foreign` when in another language."""
    return Foreign(text, text_lang) if text_lang and text_lang != page_lang else text


def records(table: Table, lang: str) -> list[dict[str, Any]]:
    """A saved query's rows for a page in ``lang``: text in another language is :class:`Foreign`."""
    return [{c: None if v is None else in_page(v.value, v.language, lang) if isinstance(v, ox.Literal) else cell(v)
             for c, v in zip(table.columns, row, strict=True)} for row in table.rows]


@dataclass
class Section:
    """A part of a page filled by one saved query, named so that a partner can run it too."""
    query: str
    args: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def api(self) -> str:
        return f"/queries/{self.query}?{urlencode(self.args)}"


class Pages:
    def __init__(self, store: AnyStore):
        self.store = store
        self.templates = Jinja2Templates(directory=HERE / "templates")
        self.templates.env.globals.update(href=href, urlencode=urlencode, acts=ACTS)
        self.templates.env.tests["foreign"] = lambda value: isinstance(value, Foreign)

    def section(self, query: str, lang: str, **args: str) -> Section:
        """The rows of a saved query for a page in ``lang`` (the query's labels in that language
        where it takes one; text in another language marked :class:`Foreign`)."""
        saved = get(query)
        if any(p.name == "lang" for p in saved.params):
            args = {**args, "lang": lang}
        table = execute(self.store, saved, bind(self.store, saved, args), pivoted=False)
        assert isinstance(table, Table)
        return Section(query, args, records(table, lang))

    def page(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang, chosen = language(request)
        text = TEXT[lang]
        other = {k: v for k, v in request.query_params.items() if k != "lang"}
        switch = {code: f"{request.url.path}?{urlencode({**other, 'lang': code})}" for code in LANGS}
        response = self.templates.TemplateResponse(
            request, template, {"t": text, "lang": lang, "switch": switch, "path": request.url.path, **context},
            status_code=status)
        response.headers["content-security-policy"] = PAGE_CSP
        if chosen:
            response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
        return response

    # -- pages ---------------------------------------------------------------------------------

    def preview(self, request: Request, card: Any, lang: str) -> HTMLResponse:
        """An entity's card for a reconciliation client's frame (:mod:`mandato.openrefine`): the
        one page other sites may frame; it holds no form and no script."""
        response = self.templates.TemplateResponse(request, "preview.html", {"t": TEXT[lang], "lang": lang,
                                                                              "card": card})
        response.headers["content-security-policy"] = PREVIEW_CSP
        return response

    def home(self, request: Request, q: str | None) -> HTMLResponse:
        lang, _ = language(request)
        found = search(self.store, q, lang) if q and q.strip() else None
        results = None if found is None else {kind: [replace(h, label=in_page(h.label, h.label_lang, lang))
                                                     for h in hits] for kind, hits in found.items()}
        plans = self.section("plans", lang)
        return self.page(request, "home.html", q=q or "", results=results, plans=plans)

    def resource(self, request: Request, iri: str) -> HTMLResponse:
        lang, _ = language(request)
        links = self.section("resource", lang, resource=iri, direction="out")  # an IRI the data lacks: 404 (bind)
        # Links in are counted first and listed one by one only when a person can read them all.
        counts = self.section("incoming-links", lang, resource=iri)
        total = sum(int(r["links"]) for r in counts.rows)
        many = total > INCOMING_LISTED
        incoming = [] if many else self.section("resource", lang, resource=iri, direction="in").rows
        for r in (*links.rows, *incoming):  # a literal value's language is a column of its own
            r["value"] = in_page(r["value"], r["value_lang"], lang)
        out = links.rows
        classes = {r["other_iri"] for r in out if r["property"] == str(RDF.type) and r["other_iri"]}
        kinds = set().union(*(superclasses().get(c, {c}) for c in classes))
        titles = [r for r in out if r["property"] in TITLE]
        title = next((r["value"] for r in titles if r["value_lang"] == lang), None) or next(
            (r["value"] for r in titles), iri.rsplit("/", 1)[-1])
        context: dict[str, Any] = {
            "iri": iri, "title": title, "links": Section("resource", {"resource": iri, "lang": lang}),
            "kinds": sorted({r["value"] for r in out if r["property"] == str(RDF.type)}),
            "statements": _grouped(r for r in out if r["property"] not in (*SOURCE, *SHOWN_APART)),
            "incoming": _grouped(incoming, by_kind=True),
            "incoming_counts": counts if many else None, "incoming_total": total,
            "incoming_links": Section("resource", {"resource": iri, "direction": "in", "lang": lang}),
            "source": {key: [r for r in out if r["property"] == p] for p, key in SOURCE.items()},
            "sections": {},
        }
        sections: dict[str, Any] = context["sections"]
        if str(MDO.Treaty) in kinds:
            sections["acts"] = self.section("ratifications", lang, instrument=iri)
            sections["cumulative"] = _cumulative(sections["acts"].rows)
            groups = groups_with_members(self.store)
            chosen = self._group(request.query_params.get("group")) or next(iter(sorted(groups)), None)
            if chosen:
                sections["groups"] = {g: self._label(g, lang, "group") for g in sorted(groups)}
                sections["not_acted"] = self.section("not-ratified", lang, instrument=iri, group=chosen)
                sections["group"] = chosen
        ends = {r["property"]: r["other_iri"] for r in out if r["property"] in (str(MDO.instrument), str(MDO.party))}
        if str(MDO.TreatyAction) in kinds and len(ends) == 2:  # (one without both is a violation validate reports)
            status = self.section("attestations", lang, instrument=ends[str(MDO.instrument)],
                                  country=ends[str(MDO.party)])
            status.rows = [r for r in status.rows if r["act_iri"] == iri]
            sections["attestations"] = status
        if str(MDO.Country) in kinds:
            sections["instruments"] = self.section("country-instruments", lang, country=iri)
            sections["bodies"] = self.section("coordination-bodies", lang, country=iri)
            sections["plans"] = self.section("plans", lang, country=iri)
        if str(MDO.Plan) in kinds:
            outline = self.section("plan-outline", lang, plan=iri)
            sections["outline"] = outline
            sections["tree"] = _tree(outline.rows, iri)
            sections["progress"] = self.section("plan-progress", lang, plan=iri)
            sections["progress_chart"] = _progress(sections["progress"].rows)
            for document in context["source"]["source_document"]:
                sections.setdefault("findings", []).append(
                    self.section("findings", lang, source=document["other_iri"]))
        if str(MDO.PlanComponent) in kinds:
            sections["commitments"] = self.section("activity", lang, activity=iri)
            trace = self.section("activity-trace", lang, activity=iri)
            sections["trace"] = trace
            sections["chain"] = _chain(trace.rows)
        return self.page(request, "resource.html", **context)

    def matrix(self, request: Request, group: str | None, family: str | None, fmt: str | None) -> Response:
        lang, _ = language(request)
        groups = groups_with_members(self.store)
        chosen = self._group(group) or next(iter(sorted(groups)), "")
        section = self.section("ratification-matrix", **({"group": chosen} if chosen else {}), lang=lang)
        view = _matrix(section.rows, family or None)
        if fmt in ("csv", "xlsx"):
            return _matrix_file(view, fmt, TEXT[lang])
        families = {d: self._label(d, lang, "actor") for d in sorted({r["depositary"] for r in section.rows
                                                                       if r["depositary"]})}
        return self.page(request, "matrix.html", section=section, view=view, families=families, family=family or "",
                         groups={g: self._label(g, lang, "group") for g in sorted(groups)}, group=chosen)

    def findings(self, request: Request, source: str | None) -> HTMLResponse:
        """The sources with how many findings of each kind; then the findings of the source chosen,
        or of every source when they are few enough to read on one page."""
        lang, _ = language(request)
        counts = self.section("finding-counts", lang)
        sources = _finding_sources(counts.rows)
        total = sum(s["total"] for s in sources)
        source = source.strip() if source and source.strip() else None
        section = (self.section("findings", lang, source=source) if source  # an IRI the data lacks: 404 (bind)
                   else self.section("findings", lang) if total <= FINDINGS_LISTED else None)
        by_source: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for row in section.rows if section else ():
            by_source[row["source"]][row["code"]].append(row)
        chosen = next((s for s in sources if s["iri"] == source), None)
        return self.page(request, "findings.html", counts=counts, sources=sources, total=total, source=source,
                         chosen=chosen, section=section, by_source=by_source)

    def sparql(self, request: Request) -> HTMLResponse:
        """The query editor, with every saved query as an example: its text with the example
        parameters bound, so that each tab runs as it is."""
        examples = []
        for query in load_catalogue().values():
            args = {p.name: p.example for p in query.params if p.required and p.example}
            examples.append({"name": query.name, "query": inject_values(query.text, bind(self.store, query, args))})
        return self.page(request, "sparql.html", examples=examples)

    def ontology(self, request: Request) -> HTMLResponse:
        lang, _ = language(request)
        return self.page(request, "ontology.html", terms=_terms(lang))

    def error(self, request: Request, error: MandatoError) -> HTMLResponse:
        return self.page(request, "error.html", status=error.status, error=error)

    def _group(self, typed: str | None) -> str | None:
        """The IRI of the group a person chose (an IRI, acronym or name), so the form shows it chosen."""
        return matcher(self.store, "group").resolve(typed).iri if typed and typed.strip() else None

    def _label(self, iri: str, lang: str, kind: str) -> str:
        entry = matcher(self.store, kind).entries.get(iri)
        return in_page(entry.label_in(lang), entry.lang_of(lang), lang) if entry else iri


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/search")
    def search_page(request: Request, q: str | None = Query(None, max_length=200)) -> HTMLResponse:
        return pages.home(request, q)

    @r.get("/matrix")
    def matrix_page(request: Request, group: str | None = Query(None, max_length=1000),
                    family: str | None = Query(None, max_length=1000),
                    format: str | None = Query(None, pattern="^(html|csv|xlsx)?$")) -> Response:
        return pages.matrix(request, group, family, format)

    @r.get("/findings")
    def findings_page(request: Request, source: str | None = Query(None, max_length=1000)) -> HTMLResponse:
        return pages.findings(request, source)

    return r


# -- shaping rows for the templates ----------------------------------------------------------------


def _finding_sources(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of ``finding-counts`` (one per source and kind) as one entry per source, in order."""
    sources: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = sources.setdefault(r["source_iri"], {"iri": r["source_iri"], "name": r["source"], "file": r["file"],
                                                     "total": 0, "codes": []})
        entry["total"] += int(r["findings"])
        entry["codes"].append((r["code"], int(r["findings"])))
    return list(sources.values())


def _grouped(rows: Any, by_kind: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Rows under the words a person reads: the property's label (for links in, with the class of
    the resource that makes them, "Treaty action: party")."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        label = r["property_label"]
        if r["property"] == str(OWL.sameAs):
            label = "owl:sameAs"
        if by_kind and r["kind_label"]:
            label = f"{r['kind_label']} · {label}"
        groups[label].append(r)
    return dict(sorted(groups.items(), key=lambda kv: kv[0].lower()))


def _cumulative(acts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The number of states with an act of consent, at each date one was made (for the chart)."""
    first: dict[str, str] = {}
    for act in acts:
        if act["action"] != "signature" and act["date"]:
            country = act["country_iri"]
            first[country] = min(first.get(country, act["date"]), act["date"])
    return [{"date": date[:10] if len(date) >= 10 else f"{date[:4]}-01-01", "parties": n}
            for n, date in enumerate(sorted(first.values()), start=1)]


def _tree(rows: list[dict[str, Any]], root: str) -> list[dict[str, Any]]:
    """The outline's rows as nested nodes under the plan, in document order."""
    nodes = {r["iri"]: {**r, "children": []} for r in rows}
    top: list[dict[str, Any]] = []
    for r in rows:
        parent = nodes.get(r["parent_iri"])
        (parent["children"] if parent is not None and r["parent_iri"] != root else top).append(nodes[r["iri"]])
    return top


def _progress(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean programmed and executed percent per period, for the chart (the table gives each row)."""
    sums: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        for measure in ("programmed", "executed"):
            if r[measure] is not None:
                sums[(r["period"], measure)].append(float(r[measure]))
    return [{"period": p, "measure": m, "percent": round(sum(v) / len(v), 1)} for (p, m), v in sorted(sums.items())]


def _chain(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The trace's rows as steps of the chain (rows of one step are alternatives)."""
    steps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        steps[r["step"]].append(r)
    return sorted(steps.items(), key=lambda kv: int(kv[0]))


@dataclass
class MatrixView:
    countries: list[tuple[str, str, str]]  # IRI, label, ISO code
    instruments: list[tuple[str, str]]  # IRI, short name
    cells: dict[tuple[str, str], list[dict[str, Any]]]

    def strongest(self, country: str, instrument: str) -> str | None:
        kinds = [a["action"] for a in self.cells.get((country, instrument), [])]
        return next((k for k in ACTS if k in kinds), None)


def _matrix(rows: list[dict[str, Any]], family: str | None) -> MatrixView:
    countries: dict[str, tuple[str, str, str]] = {}
    instruments: dict[str, tuple[str, str]] = {}
    cells: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        countries.setdefault(r["country_iri"], (r["country_iri"], r["country"], r["country_code"]))
        if r["instrument_iri"] and (not family or r["depositary"] == family):
            instruments.setdefault(r["instrument_iri"], (r["instrument_iri"], r["instrument"]))
            cells[(r["country_iri"], r["instrument_iri"])].append(r)
    return MatrixView(sorted(countries.values(), key=lambda c: c[1]), list(instruments.values()), dict(cells))


def _matrix_file(view: MatrixView, fmt: str, text: dict[str, str]) -> Response:
    """The matrix as shown, as CSV or as a workbook: one row per country, one column per instrument.
    Names come from the data: none is written as a formula (:mod:`mandato.spreadsheet_safe`)."""
    header = [text["country"], "ISO", *(name for _, name in view.instruments)]
    body = [[label, code, *("; ".join(a["cell"] for a in view.cells.get((iri, i), [])) for i, _ in view.instruments)]
            for iri, label, code in view.countries]
    if fmt == "csv":
        table = Table(header, [[ox.Literal(v) if v else None for v in row] for row in body])
        return Response(render(table, "csv"), media_type=ROW_MEDIA["csv"],
                        headers={"content-disposition": 'attachment; filename="matrix.csv"'})
    from openpyxl import Workbook  # only when a workbook is asked for (0.1 s to import)

    from mandato.spreadsheet_safe import row_cells

    book = Workbook()
    sheet = book.active
    sheet.title = text["matrix_title"][:31]
    for row in (header, *body):
        sheet.append(row_cells(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": 'attachment; filename="matrix.xlsx"'})


def _terms(lang: str) -> dict[str, list[dict[str, Any]]]:
    """The ontology's classes and properties with labels and definitions in both languages; terms
    of other vocabularies marked with the vocabulary they are reused from."""
    g = ontology_graph()
    names = {ns: prefix for prefix, ns in PREFIXES.items()}
    kinds: dict[str, Callable[[], Any]] = {
        "classes": lambda: g.subjects(RDF.type, OWL.Class),
        "properties": lambda: (s for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
                               for s in g.subjects(RDF.type, t)),
    }
    terms: dict[str, list[dict[str, Any]]] = {}
    for kind, subjects in kinds.items():
        rows = []
        for s in {x for x in subjects() if isinstance(x, URIRef)}:
            iri = str(s)
            ns = next((n for n in names if iri.startswith(n)), "")
            labels = {lit.language: str(lit) for lit in g.objects(s, RDFS.label) if isinstance(lit, Literal)}
            definitions = {lit.language: str(lit) for lit in g.objects(s, SKOS.definition) if isinstance(lit, Literal)}
            rows.append({"iri": iri, "curie": f"{names[ns]}:{iri[len(ns):]}" if ns else iri,
                         "ours": iri.startswith(str(MDO)), "vocabulary": ns, "labels": labels,
                         "definitions": definitions, "label": labels.get(lang) or labels.get("es") or iri})
        terms[kind] = sorted(rows, key=lambda r: (not r["ours"], r["curie"].lower()))
    return terms


PAGE_PATHS = ("/search", "/matrix", "/findings", "/ontology", "/id/")  # and /sparql without a query


def is_page(request: Request) -> bool:
    """Whether an error on this request is for a person: a browser on one of the pages."""
    path = request.url.path
    editor = path == "/sparql" and "query" not in request.query_params and request.method == "GET"
    return (path == "/" or editor or path.startswith(PAGE_PATHS)) and wants_html(request)
