"""Reference data: countries, instruments and organisations (``data/reference/``).

The tables are data, not code; this module reads them into the registry graph
(``…/graph/registry``) and gives readers matchers over it. Every resource carries
``prov:wasDerivedFrom`` the reference table it comes from, and each table names the published
sources it was compiled from (``data/reference/sources.yaml``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from mandato import yamltext
from mandato.errors import IngestError, Location
from mandato.files import read_regular
from mandato.namespaces import MDO, ORG, WD, class_term, resource, source_iri
from mandato.normalise import normalise
from mandato.packaged import REFERENCE_DIR, ontology_graph
from mandato.resolve import NAME_PROPERTIES, Matcher, name_rows


def partial_date(text: str) -> Literal:
    """A literal of the precision the text has: ``2000`` is an xsd:gYear, ``1985-11-29`` a date."""
    text = str(text)
    if len(text) == 4 and text.isdigit():
        return Literal(text, datatype=XSD.gYear)
    return Literal(text, datatype=XSD.date)


@dataclass
class Registry:
    graph: Graph
    # (source id, code, message, line, about): facts of the corpus the reference tables noticed.
    findings: list[tuple[str, str, str, int, URIRef]] = field(default_factory=list)
    # Per country (ISO alpha-2): the normalised words of each actor name or variant -> actor IRI.
    actors: dict[str, dict[tuple[str, ...], URIRef]] = field(default_factory=dict)
    # the files each scope's actors were read from (the bundled table, then --reference's), for messages
    actor_files: dict[str, list[str]] = field(default_factory=dict)

    def matcher(self, kind: str, cls: URIRef) -> Matcher:
        """The names of the registry's resources of class ``cls`` (or a subclass), as NAMES_QUERY
        finds them in a store, read straight from the graph (rdflib's SPARQL took 0.8 s here)."""
        g = self.graph
        classes = {cls, *ontology_graph().transitive_subjects(RDFS.subClassOf, cls),
                   *g.transitive_subjects(RDFS.subClassOf, cls)}
        records = [{"s": str(subject), "property": str(p), "name": str(name),
                    "lang": name.language if isinstance(name, Literal) else None}
                   for subject in {s for c in classes for s in g.subjects(RDF.type, c)}
                   for p in NAME_PROPERTIES for name in g.objects(subject, p)]
        return Matcher(kind, name_rows(records))

    @cached_property
    def countries(self) -> Matcher:
        return self.matcher("country", MDO.Country)

    @cached_property
    def instruments(self) -> Matcher:
        return self.matcher("instrument", MDO.LegalInstrument)


def _text(path: Path) -> str:
    """A reference table's text: a regular file of bounded size (mandato.files), UTF-8."""
    data = read_regular(path, "the reference table")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(Location(str(path), data[: exc.start].count(b"\n") + 1), "the text is not UTF-8",
                          "UTF-8 text, as the bundled tables") from None


def _load_yaml(path: Path) -> Any:
    try:
        return yamltext.load(_text(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise IngestError(Location(str(path), line), "not valid YAML", "YAML as in the other tables") from None


def _require(row: dict[str, Any], key: str, where: Location) -> Any:
    value = row.get(key)
    if value in (None, ""):
        raise IngestError(where, f"'{key}' is missing", f"a value for '{key}'")
    return value


def _labels(g: Graph, node: URIRef, names: dict[str, str], prop: URIRef = SKOS.prefLabel) -> None:
    for lang in ("es", "en"):
        if names.get(lang):
            g.add((node, prop, Literal(names[lang], lang=lang)))


def load_registry(*extra: Path) -> Registry:
    """The bundled reference data, then each directory of ``extra`` in order. A directory holds
    only the tables it adds to, in the bundled layout (a new country's actors: ``actors/XX.yaml``
    alone); a row whose key is already defined replaces that row (override by key)."""
    registry = Registry(Graph())
    for n, directory in enumerate((REFERENCE_DIR, *extra)):
        _load_directory(registry, directory, override=n > 0)
    return registry


def _load_directory(registry: Registry, directory: Path, override: bool) -> None:
    if not directory.is_dir():
        raise IngestError(Location(str(directory)), "no such directory of reference data",
                          "a directory laid out as the bundled data/reference")
    g = registry.graph
    meta_path = directory / "sources.yaml"
    meta = (_load_yaml(meta_path) or {}) if meta_path.exists() else {}
    if not isinstance(meta, dict):
        raise IngestError(Location(str(meta_path)), f"is a {type(meta).__name__}",
                          "a mapping of table file names to their title and sources, as in data/reference")
    replaced: set[URIRef] | None = set() if override else None  # nodes this directory redefined

    def table(name: str) -> URIRef:
        """The reference table ``name`` (a path inside the directory), described by sources.yaml
        where it lists it (a table it does not list is named by its path, without sources)."""
        info = meta.get(name) or {}
        node = resource("reference", f"{directory.name}/{name}" if override else name)
        g.add((node, RDF.type, MDO.ReferenceTable))
        g.add((node, MDO.fileName, Literal(name)))
        _labels(g, node, info.get("title") or {"es": name, "en": name}, DCTERMS.title)
        for src in info.get("sources", []):
            g.add((node, DCTERMS.source, URIRef(src)))
        return node

    loaders: dict[str, Callable[..., None]] = {
        "countries.csv": _load_countries, "municipalities.csv": _load_municipalities,
        "organizations.yaml": _load_organizations, "instruments.yaml": _load_instruments}
    for name, load in loaders.items():
        path = directory / name
        if not path.exists():
            if not override:
                raise IngestError(Location(str(path)), "the bundled reference table is missing")
            continue
        load(registry, path, table(name), replaced=replaced)
    actors = sorted(p for p in (directory / "actors").glob("*.*") if p.suffix in ACTOR_FILES)
    for path in actors:
        _load_organizations(registry, path, table(f"actors/{path.name}"), jurisdiction=path.stem, replaced=replaced)
        shown = f"data/reference/actors/{path.name}" if not override else str(path)
        registry.actor_files.setdefault(path.stem.upper(), []).append(shown)
    if override and not actors and not any((directory / name).exists() for name in loaders):
        raise IngestError(Location(str(directory)), "holds none of the reference tables",
                          ", ".join(loaders) + " or actors/XX.yaml (.xlsx, .csv), as in the bundled data/reference")


ACTOR_FILES = (".yaml", ".xlsx", ".csv")
# The headings of an actors workbook or CSV (what `mandato template bodies` writes), normalised.
ACTOR_HEADINGS = {"key": ["clave", "key"], "class": ["clase", "class"], "name_es": ["nombre es", "name es"],
                  "name_en": ["nombre en", "name en"], "variants": ["siglas y variantes", "variantes", "variants"],
                  "part_of": ["parte de", "part of"]}


def _actor_rows(path: Path) -> list[dict[str, Any]]:
    """An actors file's rows: YAML as written, or a workbook's or CSV's rows in the same shape."""
    if path.suffix == ".yaml":
        return _load_yaml(path) or []
    from mandato.ingest.sheets import records

    rows = []
    for record in records(path, read_regular(path, "the reference table"), ACTOR_HEADINGS):
        row: dict[str, Any] = {k: record[k] for k in ("key", "class", "part_of", "_row", "_sheet") if k in record}
        row["name"] = {lang: record[f"name_{lang}"] for lang in ("es", "en") if f"name_{lang}" in record}
        row["variants"] = [v.strip() for v in str(record.get("variants", "")).replace(";", "|").split("|")
                           if v.strip()]
        rows.append(row)
    return rows


def _define(g: Graph, node: URIRef, replaced: set[URIRef] | None) -> None:
    """Before a row defines ``node``: when a later directory redefines a node defined before, the
    earlier definition goes (override by key), once per directory."""
    if replaced is None or node in replaced:
        return
    replaced.add(node)
    if (node, None, None) in g:
        g.remove((node, None, None))
        for membership in list(g.subjects(ORG.organization, node)):
            g.remove((membership, None, None))


def _load_countries(registry: Registry, path: Path, table: URIRef, replaced: set[URIRef] | None = None) -> None:
    g = registry.graph
    with io.StringIO(_text(path), newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            where = Location(str(path), n)
            alpha2 = _require(row, "alpha2", where)
            node = resource("country", alpha2)
            _define(g, node, replaced)
            g.add((node, RDF.type, MDO.Country))
            g.add((node, MDO.isoAlpha2, Literal(alpha2)))
            g.add((node, MDO.isoAlpha3, Literal(_require(row, "alpha3", where))))
            g.add((node, SKOS.prefLabel, Literal(_require(row, "name_es", where), lang="es")))
            g.add((node, SKOS.prefLabel, Literal(_require(row, "name_en", where), lang="en")))
            for variant in filter(None, (row.get("variants") or "").split("|")):
                g.add((node, SKOS.altLabel, Literal(variant.strip())))
            if row.get("wikidata"):
                g.add((node, OWL.sameAs, WD[row["wikidata"]]))
            g.add((node, PROV.wasDerivedFrom, table))


def _load_municipalities(registry: Registry, path: Path, table: URIRef, replaced: set[URIRef] | None = None) -> None:
    g = registry.graph
    with io.StringIO(_text(path), newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            where = Location(str(path), n)
            node = resource("municipality", _require(row, "key", where))
            _define(g, node, replaced)
            g.add((node, RDF.type, MDO.Municipality))
            g.add((node, SKOS.prefLabel, Literal(_require(row, "name_es", where), lang="es")))
            g.add((node, SKOS.prefLabel, Literal(_require(row, "name_en", where), lang="en")))
            g.add((node, MDO.withinCountry, resource("country", _require(row, "country", where))))
            if row.get("wikidata"):
                g.add((node, OWL.sameAs, WD[row["wikidata"]]))
            g.add((node, PROV.wasDerivedFrom, table))


def _load_organizations(registry: Registry, path: Path, table: URIRef, jurisdiction: str | None = None,
                        replaced: set[URIRef] | None = None) -> None:
    """Organisations; those of ``actors/<ISO alpha-2>.yaml`` belong to that country, and their
    names and variants resolve the actors of its plans (:meth:`Registry.actor_names`)."""
    g = registry.graph
    for row in _actor_rows(path):
        where = Location(str(path), row.get("_row"), None, row.get("_sheet") or None)
        if jurisdiction and row.get("ref"):  # more names for an organisation defined elsewhere
            for name in row.get("variants", []):
                registry.actors.setdefault(jurisdiction, {})[tuple(normalise(name).split())] = resource(
                    "organization", row["ref"])
            continue
        key = _require(row, "key", where)
        node = resource("organization", key)
        _define(g, node, replaced)
        g.add((node, RDF.type, class_term(_require(row, "class", where))))
        names = _require(row, "name", where)
        _labels(g, node, names)
        variants = [*row.get("acronyms", []), *row.get("variants", [])]
        for acronym in variants:
            g.add((node, SKOS.altLabel, Literal(acronym)))
        if row.get("part_of"):
            g.add((node, ORG.subOrganizationOf, resource("organization", row["part_of"])))
        if jurisdiction:
            if len(jurisdiction) == 2:  # actors/<ISO alpha-2>.yaml; a regional body's file has none
                g.add((node, MDO.jurisdiction, resource("country", jurisdiction)))
            names_of = registry.actors.setdefault(jurisdiction, {})
            for name in [names.get("es"), names.get("en"), *variants]:
                if name:
                    names_of[tuple(normalise(name).split())] = node
        if row.get("wikidata"):
            g.add((node, OWL.sameAs, WD[row["wikidata"]]))
        g.add((node, PROV.wasDerivedFrom, table))
        for member in row.get("members", []):
            country = resource("country", member["country"])
            membership = resource("membership", key, member["country"])
            g.add((membership, RDF.type, ORG.Membership))
            g.add((membership, ORG.organization, node))
            g.add((membership, ORG.member, country))
            g.add((membership, PROV.wasDerivedFrom, source_iri(member["source"])))
            g.add((membership, MDO.sourceLine, Literal(int(member["line"]))))
            g.add((membership, MDO.locator, Literal(f"line {member['line']}")))
            if member.get("finding"):
                registry.findings.append(
                    (member["source"], "membership-disagreement", member["finding"],
                     int(member["line"]), membership)
                )


def _load_instruments(registry: Registry, path: Path, table: URIRef, replaced: set[URIRef] | None = None) -> None:
    g = registry.graph
    rows = _load_yaml(path) or []
    for row in rows:
        where = Location(str(path), None)
        key = _require(row, "key", where)
        node = resource("instrument", key)
        _define(g, node, replaced)
        g.add((node, RDF.type, MDO[_require(row, "kind", where)]))
        _labels(g, node, _require(row, "name", where))
        _labels(g, node, row.get("short", {}), MDO.shortName)
        for alias in row.get("aliases", []):
            g.add((node, SKOS.altLabel, Literal(alias)))
        ident = _require(row, "depositary_id", where)
        if row.get("depositary"):
            g.add((node, MDO.depositaryId, Literal(ident)))
            g.add((node, MDO.depositary, resource("organization", row["depositary"])))
        else:
            g.add((node, DCTERMS.identifier, Literal(ident)))
        g.add((node, MDO.adoptionDate, partial_date(_require(row, "adopted", where))))
        if row.get("supplements"):
            g.add((node, MDO.supplements, resource("instrument", row["supplements"])))
        if row.get("wikidata"):
            g.add((node, OWL.sameAs, WD[row["wikidata"]]))
        g.add((node, PROV.wasDerivedFrom, table))
