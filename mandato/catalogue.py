"""Saved queries (``queries/*.rq``) and how they run (design note §6, STYLE 5).

Each file is valid SPARQL whose ``#+`` comment lines hold a YAML header (the grlc convention):
``summary`` (required), ``description``, ``tags``, ``params`` (each with ``type``, ``required``,
``default``, ``example``, ``description``, ``var``, the query variable it binds, and for type
``choice`` its ``choices``), an optional ``pivot`` that turns long rows into one column per
value, ``scans``: the predicates (or paths) Oxigraph's plan of the query reads whole, each
with the reason in a comment; a test fails on a whole read the header does not list
(tests/test_query_plans.py). Every query gives the same rows on the embedded store, Oxigraph
server and Virtuoso (tests/test_virtuoso.py). Every file is parsed when the catalogue loads; a
broken one stops start-up with a message naming the file.

A column made by ``GROUP_CONCAT(…; separator="…") AS ?column`` is a list whose order SPARQL
leaves to the engine: its parts are sorted (numbers by value, so "line 5; line 10"), and every
engine gives the same text.

Parameters are bound as RDF terms in a ``VALUES`` clause placed at the start of every ``WHERE``
group, the top-level one and those of subqueries, so every filter sees them and a subquery works
on the parameter's value instead of the whole store (a parameter's variable means the same thing
in every subquery of a saved query); an optional parameter left out stays unbound. On a remote
store each is a ``BIND`` and a ``FILTER`` instead (:func:`inject_values` says why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml
from rdflib import Literal, URIRef

from mandato import yamltext
from mandato.errors import CatalogueError, ParameterError, UnknownName, UnknownQuery
from mandato.packaged import QUERIES_DIR
from mandato.resolve import NAMES_QUERY, Matcher, name_rows
from mandato.results import Boolean, Result, Table
from mandato.terms import ENTITY_CLASSES, TYPES, Param, scalar_term, to_sparql

WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
NUMBERS = re.compile(r"(\d+)")  # a list's parts sort numbers by value (sort_lists)
LIST = re.compile(r'GROUP_CONCAT\s*\(.*?;\s*separator\s*=\s*"([^"]+)"\s*\)\s*AS\s+\?(\w+)', re.IGNORECASE)
_EMPTY = ox.Store()


@dataclass
class SavedQuery:
    name: str
    summary: str
    text: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    pivot: dict[str, Any] | None = None
    path: Path | None = None
    graph: bool = False  # a CONSTRUCT or DESCRIBE query: it answers triples, not rows
    scans: list[str] = field(default_factory=list)  # what its plan reads whole, by design
    lists: dict[str, str] = field(default_factory=dict)  # column made by GROUP_CONCAT -> its separator

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise ParameterError(f"the query '{self.name}' has no parameter '{name}'",
                             [p.name for p in self.params])


def inject_values(text: str, bindings: dict[str, URIRef | Literal], pinned: bool = False) -> str:
    """The query with each binding at the start of every ``WHERE`` group: a ``VALUES`` clause, or
    with ``pinned`` a ``BIND`` and a ``FILTER(?var = value)``, the same rows in standard SPARQL for
    engines that mishandle a ``VALUES`` binding. Virtuoso 7, given VALUES, refuses a property path
    started from it (``?a mdo:partOf+ ?up``) or answers rows of other starts, drops rows joined
    after a class path (``plans``: one plan of nine) and the language-tagged values of a resource
    (``resource``); with BIND alone it fails to compile ``plan-outline``. Measured in
    tests/test_virtuoso.py, which runs every saved query on Oxigraph server and Virtuoso."""
    if not bindings:
        return text
    if WHERE.search(text) is None:
        raise CatalogueError("a saved query has no WHERE group to bind parameters in")
    if pinned:
        values = " ".join(f"BIND({to_sparql(term)} AS ?{var}) FILTER(?{var} = {to_sparql(term)})"
                          for var, term in bindings.items())
    else:
        values = " ".join(f"VALUES ?{var} {{ {to_sparql(term)} }}" for var, term in bindings.items())
    return WHERE.sub(lambda m: f"{m.group(0)}\n  {values}\n", text)


def parse_file(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line[2:] for line in text.splitlines() if line.startswith("#+"))
    try:
        meta = yamltext.load(header) or {}
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: the #+ header is not valid YAML ({exc})") from None
    if not isinstance(meta, dict) or not meta.get("summary"):
        raise CatalogueError(f"{path.name}: the #+ header has no summary")
    try:
        graph = isinstance(_EMPTY.query(text), ox.QueryTriples)  # Oxigraph's parser, on an empty store
    except SyntaxError as exc:
        raise CatalogueError(f"{path.name}: not valid SPARQL: {exc}") from None
    if not WHERE.search(text):
        raise CatalogueError(f"{path.name}: the query has no WHERE group")
    params = []
    for name, spec in (meta.get("params") or {}).items():
        spec = spec or {}
        if spec.get("type") not in TYPES:
            raise CatalogueError(
                f"{path.name}: parameter '{name}' has type {spec.get('type')!r}; expected one of {TYPES}")
        var = spec.get("var", name)
        choices = spec.get("choices")
        if (spec["type"] == "choice") != isinstance(choices, list) or (choices and not all(
                isinstance(c, str) and re.fullmatch(r"[\w-]+", c) for c in choices)):
            raise CatalogueError(f"{path.name}: parameter '{name}': a parameter of type choice, and only one, has "
                                 "`choices`, a list of words")
        if not re.search(rf"\?{re.escape(var)}\b", text):
            raise CatalogueError(f"{path.name}: parameter '{name}' binds ?{var}, which the query does not use")
        params.append(Param(name=name, type=spec["type"], var=var, required=bool(spec.get("required")),
                            default=None if spec.get("default") is None else str(spec["default"]),
                            example=None if spec.get("example") is None else str(spec["example"]),
                            description=spec.get("description", ""), choices=choices))
    return SavedQuery(name=path.stem, summary=meta["summary"].strip(), text=text,
                      description=(meta.get("description") or "").strip(), tags=meta.get("tags") or [],
                      params=params, pivot=meta.get("pivot"), path=path, graph=graph,
                      scans=[str(s) for s in meta.get("scans") or []],
                      lists={column: separator for separator, column in LIST.findall(text)})


@cache
def load_catalogue(directory: Path = QUERIES_DIR) -> dict[str, SavedQuery]:
    queries = {p.stem: parse_file(p) for p in sorted(directory.glob("*.rq"))}
    if not queries:
        raise CatalogueError(f"no saved queries in {directory}")
    return queries


def get(name: str) -> SavedQuery:
    catalogue = load_catalogue()
    if name not in catalogue:
        raise UnknownQuery(f"no saved query is named '{name}'; saved queries: {', '.join(sorted(catalogue))}")
    return catalogue[name]


def matcher(store: Any, kind: str, cls: URIRef | None = None) -> Matcher:
    """A resolver over the names in the store of the resources of ``cls`` (by default the class
    of the parameter type ``kind``), cached on the store until it changes."""
    cache_ = store.matchers
    if kind not in cache_:
        text = inject_values(NAMES_QUERY, {"class": cls or ENTITY_CLASSES[kind]})
        cache_[kind] = Matcher(kind, name_rows(store.select(text).records()))
    return cache_[kind]


LANGUAGES_QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?lang WHERE { ?s skos:prefLabel ?label BIND(LANG(?label) AS ?lang) }"""
LANGUAGE_QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
ASK WHERE {{ ?s skos:prefLabel ?label FILTER(LANG(?label) = {lang}) }}"""
GROUPS_QUERY = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?group ?label WHERE {
  ?membership org:organization ?group ; org:member ?member .
  OPTIONAL { ?group skos:prefLabel ?label FILTER(lang(?label) = "es") }
}"""


def cached(store: Any, key: str, compute: Any) -> Any:
    """A fact about the store's data, kept with its name resolvers until the store changes."""
    if key not in store.matchers:
        store.matchers[key] = compute()
    return store.matchers[key]


def data_languages(store: Any) -> list[str]:
    """The languages the data holds labels in (``skos:prefLabel`` tags). It reads every label
    (120 ms at ~1M triples): to check one language, :func:`holds_language`."""
    return cached(store, "@languages", lambda: sorted(
        str(r["lang"]) for r in store.select(LANGUAGES_QUERY).records() if r["lang"]))


def holds_language(store: Any, lang: str) -> bool:
    """Whether the data holds labels in ``lang``: an ASK, which stops at the first such label
    (1 ms at ~1M triples); a language it does not hold lists them all, and later checks read that list."""
    if "@languages" in store.matchers:
        return lang in store.matchers["@languages"]
    held = cached(store, f"@language {lang}", lambda: _asked(store.run(
        LANGUAGE_QUERY.format(lang=to_sparql(Literal(lang))))))
    return held or lang in data_languages(store)


def groups_with_members(store: Any) -> dict[str, str]:
    """The groups that have members recorded, IRI to Spanish label."""
    return cached(store, "@groups", lambda: {
        str(r["group"]): str(r["label"] or r["group"]) for r in store.select(GROUPS_QUERY).records()})


def bind(store: Any, query: SavedQuery, args: dict[str, str]) -> dict[str, URIRef | Literal]:
    """Parameters as RDF terms. An empty value means the parameter is absent (an HTML form sends
    ``lang=``), so its default applies. A language the data holds no labels in, and a group
    without recorded members, are errors: an empty answer would read as "nobody"."""
    unknown = sorted(set(args) - {p.name for p in query.params})
    if unknown:
        raise ParameterError(f"the query '{query.name}' has no parameter {', '.join(unknown)}",
                             [p.name for p in query.params])
    bindings: dict[str, URIRef | Literal] = {}
    for p in query.params:
        value = args.get(p.name)
        if value is None or not value.strip():
            value = p.default
        if value is None:
            if p.required:
                raise ParameterError(f"the query '{query.name}' needs the parameter '{p.name}' ({p.type}), "
                                     f"for example {p.name}={p.example!s}")
            continue
        if p.type in ENTITY_CLASSES:
            iri = matcher(store, p.type).resolve(value).iri
            if p.type == "group":
                _check_group(store, p.name, iri)
            bindings[p.var] = URIRef(iri)
        else:
            bindings[p.var] = scalar_term(p, value)
            if p.type == "resource":
                _check_resource(store, p.name, bindings[p.var])
            if p.type == "lang" and not holds_language(store, str(bindings[p.var])):
                held = data_languages(store)
                raise ParameterError(f"'{p.name}': the data holds no labels in '{bindings[p.var]}'; "
                                     f"languages held: {', '.join(held)}", held)
    return bindings


def _check_resource(store: Any, name: str, iri: URIRef | Literal) -> None:
    """An IRI no statement names is an error: its empty answer would read as "nothing to say"."""
    if not _asked(store.run(inject_values("ASK WHERE { { ?iri ?p ?o } UNION { ?s ?p ?iri } }", {"iri": iri}))):
        raise UnknownName(f"'{name}': the data holds no resource <{iri}>")


def _check_group(store: Any, name: str, iri: str) -> None:
    groups = groups_with_members(store)
    if iri not in groups:
        raise ParameterError(f"'{name}': no member of <{iri}> is recorded in the sources, so no answer could "
                             "list its members; groups with members", [f"{label} <{g}>" for g, label in
                                                                       sorted(groups.items())])


def _asked(answer: Result) -> bool:
    return isinstance(answer, Boolean) and answer.value


def run(store: Any, name: str, args: dict[str, str] | None = None) -> Result:
    query = get(name)
    return execute(store, query, bind(store, query, args or {}))


def execute(store: Any, query: SavedQuery, bindings: dict[str, URIRef | Literal], pivoted: bool = True) -> Result:
    """Run a saved query with its parameters already bound (:func:`bind`); ``pivoted=False``
    gives a pivoting query's long rows (a page links each cell to its resource)."""
    result = store.run(inject_values(query.text, bindings, pinned=store.pins_values))
    if isinstance(result, Table) and query.lists:
        result = sort_lists(result, query.lists)
    if isinstance(result, Table) and query.pivot and pivoted:
        return pivot(result, query.pivot)
    lang = next((bindings[p.var] for p in query.params if p.type == "lang" and p.var in bindings), None)
    if isinstance(result, Table) and lang is not None:
        return mark_untranslated(result, str(lang))
    return result


def sort_lists(table: Table, lists: dict[str, str]) -> Table:
    """The parts of each list column (``lists``: column -> separator) in order, numbers by value;
    an empty list is no value (engines differ: a GROUP_CONCAT of nothing is "" or unbound)."""
    at = {i: lists[c] for i, c in enumerate(table.columns) if c in lists}

    def ordered(value: Any, separator: str) -> Any:
        if isinstance(value, ox.Literal) and not value.value:
            return None
        if not isinstance(value, ox.Literal) or separator not in value.value:
            return value
        parts = sorted(value.value.split(separator), key=lambda part: [
            int(piece) if piece.isdecimal() else piece for piece in NUMBERS.split(part)])
        return ox.Literal(separator.join(parts), language=value.language) if value.language else \
            ox.Literal(separator.join(parts), datatype=value.datatype)

    return Table(table.columns, [[ordered(v, at[i]) if i in at else v for i, v in enumerate(row)]
                                 for row in table.rows])


def mark_untranslated(table: Table, lang: str) -> Table:
    """Add the column ``untranslated``: the label columns of a row whose text is not in ``lang``
    (a missing translation falls back to Spanish, tagged ``es``, and is named here)."""
    marks = [", ".join(c for c, v in zip(table.columns, row, strict=True)
                       if isinstance(v, ox.Literal) and v.language and v.language != lang)
             for row in table.rows]
    rows = [[*row, ox.Literal(m) if m else None] for row, m in zip(table.rows, marks, strict=True)]
    return Table([*table.columns, "untranslated"], rows)


def pivot(table: Table, spec: dict[str, Any]) -> Table:
    """Long rows to one column per distinct value of ``spec['columns']`` (in order of first
    appearance); cells of the same row and column are joined with '; '."""
    index, col, val = list(spec["index"]), spec["columns"], spec["values"]
    new_cols: list[str] = []
    cells: dict[tuple, dict[str, list[str]]] = {}
    records: list[dict[str, Any]] = table.records()
    for rec in records:
        key = tuple(rec[i] for i in index)
        row = cells.setdefault(key, {})
        if rec[col] is not None:
            if rec[col] not in new_cols:
                new_cols.append(rec[col])
            if rec[val] is not None:
                row.setdefault(rec[col], []).append(rec[val])
    rows: list[list[Any]] = [[*(None if k is None else ox.Literal(k) for k in key),
             *(ox.Literal("; ".join(row[c])) if row.get(c) else None for c in new_cols)]
            for key, row in sorted(cells.items(), key=lambda kv: tuple(k or "" for k in kv[0]))]
    return Table([*index, *new_cols], rows)
