"""SHACL validation of the store's data against ``shapes/``.

Two engines share the work, each where it is fast:
- pySHACL checks the core constraints (cardinalities, datatypes, classes) of every focus node on an
  rdflib graph built from the store's quads (the union of the source graphs, the registry and the
  ontology, so that ``sh:class`` sees subclasses). It is never given the Oxigraph store itself
  (design note §8: through oxrdflib it was about 100 times slower).
- The SPARQL-based constraints (``sh:sparql``: rules across treaty actions) run as one query each
  in the store that holds the data, with ``$this`` joined to the shape's target class instead of
  pre-bound node by node; on rdflib they cost more than all core constraints together.

An embedded store keeps its last report (``mandato.revalidation``): after an ingest, only the
nodes whose constraints can see a changed graph are checked again. ``conforms`` means no
violation; warnings and infos are reported but do not fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any

import orjson
import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from mandato.namespaces import BASE, MDO, ONTOLOGY_GRAPH
from mandato.packaged import ontology_graph, shapes_graph
from mandato.provenance import SOURCE_PREFIX, STATEMENT_PREFIX, is_provenance_node
from mandato.results import XSD_STRING, Table
from mandato.store import Store
from mandato.terms import SAFE_IRI

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
if TYPE_CHECKING:  # httpx, which the remote store needs, is 0.1 s of a re-validation's start
    from mandato.remote import AnyStore


@dataclass
class Result:
    severity: str
    focus: str
    focus_label: str | None
    path: str | None
    message_en: str
    message_es: str
    shape: str | None
    value: str | None
    plan: str | None = None  # the title of the plan the focus node belongs to, if any
    notation: str | None = None
    component: str | None = None  # the SHACL constraint component
    value_term: str | None = field(default=None, repr=False)  # the value in N-Triples, for the report graph

    def record(self) -> dict[str, Any]:
        """The fields by name (strings or None: a copy of the instance's dict, unlike
        ``dataclasses.asdict``'s deep copy, which took ~0.5 s of a re-validation at ~1M triples)."""
        return dict(vars(self))

    def public(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k != "value_term"}


@dataclass
class Report:
    conforms: bool
    results: list[Result]
    scope: str = "whole dataset"  # what was checked again to make this report, in words


def report(results: list[Result], scope: str = "whole dataset") -> Report:
    results = sorted(results, key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), r.focus, r.path or "", r.message_en))
    return Report(not any(r.severity == "Violation" for r in results), results, scope)


def validate(store: AnyStore, full: bool = False) -> Report:
    """The report on the whole dataset; an embedded store re-checks only what changed since its
    last report, unless ``full``."""
    if isinstance(store, Store) and store.path is not None:
        from mandato.revalidation import revalidate

        return revalidate(store, full)
    data = data_graph(store)
    return report(core_results(data) + describe(rule_results(store), data))


# -- the data as rdflib graphs -------------------------------------------------------------------

class Terms:
    """Oxigraph terms to rdflib terms, each converted once (a store repeats its IRIs often)."""

    def __init__(self) -> None:
        self.seen: dict[Any, Node] = {}

    def __call__(self, term: Any) -> Node:
        out = self.seen.get(term)
        if out is None:
            if isinstance(term, ox.NamedNode):
                out = URIRef(term.value)
            elif isinstance(term, ox.BlankNode):
                out = BNode(term.value)
            elif term.language:
                out = Literal(term.value, lang=term.language)
            else:
                dt = term.datatype.value
                out = Literal(term.value, datatype=None if dt == XSD_STRING else URIRef(dt))
            self.seen[term] = out
        return out


def base_graph() -> Graph:
    data = Graph()
    data += ontology_graph()
    return data


# The quads of every graph but the ontology's, without the statement nodes and citations (no core
# shape targets them: the SPARQL rules check them), chosen in the store: at ~1M triples they are
# two thirds of the quads, and turning every quad into Python objects to drop them took 18 s.
# (mandato.provenance.is_provenance_node says the same in Python.)
DOMAIN_QUADS = f"""SELECT ?g ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(?g != <{ONTOLOGY_GRAPH}>)
  FILTER(!STRSTARTS(STR(?s), "{STATEMENT_PREFIX}") && !CONTAINS(STRAFTER(STR(?s), "{SOURCE_PREFIX}"), "/"))
}}"""


def domain_quads(store: Store) -> Any:
    """(graph, subject, predicate, object) of :data:`DOMAIN_QUADS`, as Oxigraph terms."""
    return store.ox.query(DOMAIN_QUADS)


def data_graph(store: AnyStore) -> Graph:
    """The union of every graph but the ontology's, with the packaged ontology; without the
    statement nodes and citations (no core shape targets them: the SPARQL rules check them)."""
    data = base_graph()
    if isinstance(store, Store):
        terms, add = Terms(), data.store.add
        for _, s, p, o in domain_quads(store):
            add((terms(s), terms(p), terms(o)), data)
        return data
    for name in store.named_graphs():
        if name != str(ONTOLOGY_GRAPH):
            for triple in store.graph(name):
                if not is_provenance_node(str(triple[0])):
                    data.add(triple)
    return data


# -- core constraints: pySHACL ---------------------------------------------------------------------

@cache
def core_shapes() -> Graph:
    """The shapes without their SPARQL-based constraints (those run in the store)."""
    shapes = Graph()
    shapes += shapes_graph()
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        shapes.remove((shape, SH.sparql, constraint))
        for triple in list(shapes.triples((constraint, None, None))):
            shapes.remove(triple)
    return shapes


def core_results(data: Graph, focus: set[str] | None = None) -> list[Result]:
    """Results of the core constraints on ``data`` (pySHACL changes it: it is its own copy),
    only for the nodes in ``focus`` if given."""
    _, g, _ = shacl_validate(data, shacl_graph=core_shapes(), advanced=True, allow_warnings=True,
                             allow_infos=True, inplace=True)
    out = []
    for node in g.subjects(RDF.type, SH.ValidationResult):
        if focus is None or str(g.value(node, SH.focusNode)) in focus:
            out.append(_core_result(g, data, node))
    return out


def _core_result(g: Graph, data: Graph, node: Node) -> Result:
    focus = g.value(node, SH.focusNode)
    path, value, shape = g.value(node, SH.resultPath), g.value(node, SH.value), g.value(node, SH.sourceShape)
    component = g.value(node, SH.sourceConstraintComponent)
    messages = _messages(g, node)
    return Result(
        severity=str(g.value(node, SH.resultSeverity)).rsplit("#", 1)[-1], focus=str(focus),
        path=None if path is None else str(path),
        message_en=messages.get("en", ""), message_es=messages.get("es", messages.get("en", "")),
        shape=str(shape) if isinstance(shape, URIRef) else None,
        value=None if value is None else str(value), value_term=None if value is None else value.n3(),
        component=None if component is None else str(component), **_about(data, URIRef(str(focus))),
    )


def _about(data: Graph, focus: Node) -> dict[str, Any]:
    """What a reader needs to find the focus node: its label, notation and plan."""
    label = next((str(lbl) for lbl in data.objects(focus, SKOS.prefLabel)
                  if isinstance(lbl, Literal) and lbl.language in (None, "es")), None)
    plan = focus if (focus, DCTERMS.title, None) in data else data.value(focus, MDO.inPlan)
    title = data.value(plan, DCTERMS.title) if plan is not None else None
    notation = data.value(focus, SKOS.notation)
    return {"focus_label": label, "plan": None if title is None else str(title),
            "notation": None if notation is None else str(notation)}


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    """The shapes' messages as patterns, to tell the language of a message pySHACL returns
    without its language tag (it drops tags when it fills in ``{?var}`` placeholders)."""
    out = []
    for m in shapes_graph().objects(None, SH.message):
        if isinstance(m, Literal) and m.language:
            parts = re.split(r"\{[?$]\w+\}", str(m))
            out.append((re.compile(".*?".join(re.escape(p) for p in parts), re.DOTALL), m.language))
    return out


def _messages(g: Graph, node: Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in g.objects(node, SH.resultMessage):
        if isinstance(m, Literal):
            lang = m.language or next((lg for rx, lg in _templates() if rx.fullmatch(str(m))), "en")
            out.setdefault(lang, str(m))
    return out


# -- SPARQL-based constraints: in the store --------------------------------------------------------

GROUP_START = re.compile(r"\b(?:WHERE|MINUS)\s*\{", re.IGNORECASE)
ALONE = URIRef(BASE + "shapes#checksEachNodeAlone")


@dataclass(frozen=True)
class Rule:
    shape: str
    severity: str
    query: str
    messages: tuple[tuple[str, str], ...]  # (language, template)
    alone: bool = False  # its result on a node depends on that node alone (shapes:checksEachNodeAlone)

    def on(self, nodes: set[str]) -> str:
        """The query restricted to ``nodes`` (IRIs of the store): ``?this`` (``$this``) bound at
        the start of every group that names it (its targets, its constraint, a MINUS in it), so
        that no group reads the whole store first. The nodes are a subquery's rows, not a bare
        VALUES: Oxigraph starts from the smaller VALUES of a group (a rule's 23 predicates before
        480 nodes), reads every triple of those predicates and then scans the nodes once per
        triple (585 ms at ~1M triples; 70 ms so)."""
        values = f"{{ SELECT ?this WHERE {{ VALUES ?this {{ {' '.join(f'<{n}>' for n in sorted(nodes))} }} }} }} "
        return GROUP_START.sub(lambda m: m.group(0) + " " + values, self.query)


@cache
def rules() -> list[Rule]:
    """Every ``sh:sparql`` constraint of a shape with ``sh:targetClass``, as one query over the store."""
    shapes = shapes_graph()
    out = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        prefixes = "".join(f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
                           for p in shapes.objects(constraint, SH.prefixes) for d in shapes.objects(p, SH.declare))
        # The target classes and their subclasses in the packaged ontology (the store may lack it).
        targets = " ".join(sorted({f"<{c}>" for t in shapes.objects(shape, SH.targetClass)
                                   for c in ontology_graph().transitive_subjects(RDFS.subClassOf, t)}))
        # $this and ?this are one variable in SPARQL: the constraint's query joins its targets.
        query = (f"{prefixes}SELECT * WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ VALUES ?class {{ {targets} }} "
                 f"?this a ?class }} }} {{ {shapes.value(constraint, SH.select)} }} }}")
        severity = shapes.value(constraint, SH.severity) or shapes.value(shape, SH.severity) or SH.Violation
        messages = tuple(sorted((m.language or "en", str(m)) for m in shapes.objects(constraint, SH.message)
                                if isinstance(m, Literal)))
        alone = (shape, ALONE, Literal(True)) in shapes
        out.append(Rule(str(shape), str(severity).rsplit("#", 1)[-1], query, messages, alone))
    return sorted(out, key=lambda r: r.query)


def rule_results(store: AnyStore, chosen: list[Rule] | None = None, nodes: set[str] | None = None) -> list[Result]:
    """Results of the SPARQL-based constraints (``describe`` adds what a reader needs of the focus
    nodes): of every rule, or of those ``chosen``; with ``nodes``, a rule that checks each node
    alone looks at those nodes only."""
    out = []
    for rule in rules() if chosen is None else chosen:
        if rule.alone and nodes is not None and all(SAFE_IRI.fullmatch(n) for n in nodes):
            if not nodes:
                continue
            query = rule.on(nodes)
        else:
            query = rule.query
        table: Table = store.select(query)
        for row in table.rows:
            cells = dict(zip(table.columns, row, strict=True))
            text = {c: _text(v) for c, v in cells.items() if v is not None}

            def fill(template: str, text: dict[str, str] = text) -> str:
                return re.sub(r"\{[?$](\w+)\}", lambda m: text.get(m.group(1), m.group(0)), template)

            messages = {lang: fill(template) for lang, template in rule.messages}
            value = cells.get("value")
            out.append(Result(
                severity=rule.severity, focus=text["this"], focus_label=None, path=None,
                message_en=messages.get("en", ""), message_es=messages.get("es", messages.get("en", "")),
                shape=rule.shape, value=text.get("value"), value_term=None if value is None else str(value),
                component=str(SH.SPARQLConstraintComponent),
            ))
    return out


def describe(results: list[Result], data: Graph) -> list[Result]:
    return [replace(r, **_about(data, URIRef(r.focus))) for r in results]


def _text(term: Any) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else str(term)


# -- the report ------------------------------------------------------------------------------------

def report_graph(rep: Report) -> Graph:
    """The report as a SHACL validation report graph."""
    g = Graph()
    g.bind("sh", SH)
    root = BNode()
    g.add((root, RDF.type, SH.ValidationReport))
    g.add((root, SH.conforms, Literal(rep.conforms)))
    for r in rep.results:
        node = BNode()
        g.add((root, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, URIRef(r.focus)))
        g.add((node, SH.resultSeverity, SH[r.severity]))
        g.add((node, SH.resultMessage, Literal(r.message_en, lang="en")))
        g.add((node, SH.resultMessage, Literal(r.message_es, lang="es")))
        for predicate, iri in ((SH.resultPath, r.path), (SH.sourceShape, r.shape),
                               (SH.sourceConstraintComponent, r.component)):
            if iri:
                g.add((node, predicate, URIRef(iri)))
        if r.value_term:
            g.add((node, SH.value, _term(r.value_term)))
    return g


def _term(n3: str) -> Node:
    return next(iter(Graph().parse(data=f"<urn:x> <urn:x> {n3} .", format="nt").objects()))


def render_report(rep: Report, fmt: str) -> str:
    if fmt == "json":
        # orjson: json's encoder with an indent is its pure-Python one (0.3 s for the ~9,000
        # results of a store of ~1M triples; orjson 5 ms), same text.
        return orjson.dumps({"conforms": rep.conforms, "results": [r.public() for r in rep.results]},
                            option=orjson.OPT_INDENT_2).decode() + "\n"
    if fmt == "turtle":
        return report_graph(rep).serialize(format="turtle")
    counts = {s: sum(r.severity == s for r in rep.results) for s in SEVERITY_ORDER}
    lines = [f"{'conforms' if rep.conforms else 'does not conform'}: "
             + ", ".join(f"{n} {s.lower()}{'s' if n != 1 else ''}" for s, n in counts.items())]
    for r in (r for r in rep.results if r.plan is None):
        what = f"{r.focus_label} <{r.focus}>" if r.focus_label else f"<{r.focus}>"
        lines.append(f"{r.severity}: {what}")
        if r.path:
            lines.append(f"  path: {r.path}")
        lines.append(f"  {r.message_en}")
        lines.append(f"  {r.message_es}")
    # What a coordinator can act on: per plan, one line per part with all its gaps.
    by_plan: dict[str, dict[str, list[Result]]] = {}
    for r in rep.results:
        if r.plan is not None:
            by_plan.setdefault(r.plan, {}).setdefault(r.focus, []).append(r)
    for plan, parts in sorted(by_plan.items()):
        total = sum(len(rs) for rs in parts.values())
        plural = "s" if len(parts) != 1 else ""
        lines.append(f"\n{plan}: {total} result{'s' if total != 1 else ''} on {len(parts)} part{plural}")
        for focus, rs in parts.items():
            first = rs[0]
            label = (first.focus_label or "")[:70] + ("…" if len(first.focus_label or "") > 70 else "")
            what = " ".join(x for x in (first.notation, label) if x) or f"<{focus}>"
            gaps = " ".join(f"{x.severity}: {x.message_en}" for x in rs)
            lines.append(f"  {what}\n    {gaps}\n    <{focus}>")
    return "\n".join(lines) + "\n"


def from_records(records: Iterable[dict[str, Any]]) -> list[Result]:
    return [Result(**r) for r in records]
