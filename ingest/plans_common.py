"""The plan node every plan engine opens: its key, kind, title, period, jurisdiction, issuer,
approval and the plan it implements, from the document's text (the layout's ``cover`` and
``approval`` patterns) or from its manifest entry, which states or overrides them (``plan:``, or
``plans: {role: …}`` for the other plans of a document).

A ``cover`` pattern is a regular expression over the text (lines joined with newlines); its
named groups are facts: ``title`` (kept as printed, line breaks as spaces), ``period`` (``2021``,
``2018 - 2028``), ``issued_by``, ``approved_by``, ``approval_act``, ``approval_date`` (Spanish,
``28 de julio de 2021``). The plan's key is the manifest's ``key``, or the source id (the main
plan) or ``<source id>-<role>``: never a constant of an engine, so two documents never share a
plan's IRIs unless their manifests say so.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from mandato.namespaces import MDO, class_term, resource
from mandato.normalise import normalise, strip_markup
from mandato.packaged import ontology_graph
from mandato.provenance import Citation

from .actors import EXTRA
from .base import ReadContext, readable
from .dates import DateProblem, PartialDate, parse_spanish
from .layouts import PatternError, layout_pattern
from .plan_matrix import PlanBuilder

PLAN_FACTS = ("key", "kind", "title", "period", "issued_by", "approved_by", "approval_act", "approval_date",
              "implements")
PERIOD = re.compile(r"^\s*(\d{4})\s*(?:[-–]\s*(\d{4}))?\s*$")
MAIN = "main"
KEY = re.compile(r"[a-z0-9][a-z0-9.-]*")


def plan_kinds() -> list[str]:
    """The plan classes of the ontology a manifest or layout may name as a plan's ``kind``."""
    g = ontology_graph()
    return sorted(str(c).rsplit("#", 1)[-1] for c in g.transitive_subjects(RDFS.subClassOf, MDO.Plan)
                  if c != MDO.Plan and str(c).startswith(str(MDO)))


def plan_kind(name: str) -> str | None:
    """The plan class a kind names: its ontology name (``NationalPlan``), written apart
    (``national-plan``) or its Spanish or English label ("plan nacional"), case aside."""
    g = ontology_graph()
    for kind in [*plan_kinds(), "Plan"]:
        forms = {kind, re.sub(r"(?<!^)(?=[A-Z])", " ", kind), *map(str, g.objects(MDO[kind], RDFS.label))}
        if normalise(name) in {normalise(f) for f in forms}:
            return kind
    return None


def plan_key(ctx: ReadContext, role: str) -> str:
    stated = ctx.source.plans.get(role, {}).get("key")
    return str(stated) if stated else ctx.source.id if role == MAIN else f"{ctx.source.id}-{role}"


def scope_of(ctx: ReadContext) -> str:
    """The actor registry a plan's cells resolve against: the regional body's, or the country's."""
    scope = ctx.source.actors or ctx.source.jurisdiction
    if not scope:
        raise ctx.error(None, None, "the document's plans name bodies, but its manifest entry gives no jurisdiction",
                        "jurisdiction: an ISO alpha-2 code (CR, PE…), or actors: a regional body's actor file")
    return scope


def _printed(ctx: ReadContext, pattern: str, start: int, end: int | None, what: str,
             required: bool, spans: dict[str, list[int]]) -> dict[str, tuple[str, int]]:
    """The facts a pattern's named groups read from lines ``start``..``end``, each with its
    line (and, in ``spans``, the further lines with text a fact runs on to)."""
    lines = ctx.source.lines[start:end]
    text = "\n".join(lines)
    try:
        m = layout_pattern(pattern, re.MULTILINE).search(text)
    except PatternError as exc:
        raise ctx.error(None, None, f"the layout's {what} pattern: {exc.problem}", exc.expected) from None
    if m is None:
        if required:
            raise ctx.missing(f"the {what} the layout expects", readable(pattern), start, end)
        return {}
    out = {}
    for name, value in m.groupdict().items():
        if value is not None and name in PLAN_FACTS:
            line = start + text[: m.start(name)].count("\n") + 1
            out[name] = (" ".join(strip_markup(value).split()), line)
            last = line + value.count("\n")
            spans[name] = [n for n in range(line + 1, last + 1) if ctx.source.lines[n - 1].strip()]
    return out


def open_plan(ctx: ReadContext, step: dict[str, Any], start: int = 0, end: int | None = None,
              printed: dict[str, tuple[str, int]] | None = None) -> PlanBuilder:
    """The plan of ``step`` (its ``plan`` role, ``main`` unless said), with the facts its
    ``cover`` and ``approval`` patterns read between lines ``start`` and ``end`` (0-based), those
    an engine read elsewhere (``printed``: fact -> value and line) and those its manifest entry
    states, which win."""
    role = step.get("plan", MAIN)
    stated: dict[str, Any] = ctx.source.plans.get(role, {})
    facts: dict[str, tuple[Any, int | None]] = dict(printed or {})
    need_cover = not all(stated.get(k) or k in facts for k in ("title", "period"))
    spans: dict[str, list[int]] = {}
    if step.get("cover"):
        facts.update(_printed(ctx, step["cover"], start, end, "plan's title and period", need_cover, spans))
    elif need_cover:
        missing = " and ".join(k for k in ("title", "period") if not (stated.get(k) or k in facts))
        raise ctx.error(None, None, f"nothing states the {missing} of the plan '{role}': the layout reads none from "
                        "the document and the manifest entry gives none", "plan: {title: …, period: …} in the "
                        "manifest entry (or, in a workbook, the sheet of plan facts)")
    if step.get("approval"):
        facts.update(_printed(ctx, step["approval"], start, end, "approval", False, spans))
    facts.update({k: (v, None) for k, v in stated.items() if v not in (None, "")})
    title, title_line = facts["title"]
    line = title_line or 1
    stated_kind = str(facts.get("kind", (step.get("kind", "Plan"), None))[0])
    kind = plan_kind(stated_kind)
    if kind is None:
        raise ctx.error(facts.get("kind", (None, None))[1], None,
                        f"the plan kind '{stated_kind}' is not a plan class of the ontology",
                        "one of " + ", ".join(plan_kinds()))
    first, last = _period(ctx, facts["period"])
    scope = scope_of(ctx)
    key = str(facts["key"][0]) if "key" in facts else plan_key(ctx, role)
    if not KEY.fullmatch(key):
        raise ctx.error(facts.get("key", (None, None))[1], None, f"the plan key '{key}' cannot be part of an IRI",
                        "lower-case letters, digits and hyphens, such as py-plan-nacional-2024")
    builder = PlanBuilder(ctx, key, scope)
    builder.period, builder.line = (first, last), line
    separators = step.get("separators", [])  # "-", "/": also separate two bodies in a cell (ingest.actors)
    if not isinstance(separators, list) or not set(separators) <= set(EXTRA):
        raise ctx.error(None, None, f"the layout's 'separators' are {separators!r}",
                        "a list of the separators of bodies in a cell besides , ; y e and line breaks: "
                        + " or ".join(f"'{s}'" for s in EXTRA))
    builder.separators = separators
    g, plan = ctx.graph, builder.plan
    # Each fact is cited where it was read: its line, or the manifest entry (line None).
    g.add((plan, RDF.type, class_term(kind)))
    ctx.derive(plan, line, f"sheet '{ctx.sheet}', row {line}" if ctx.sheet else f"title, line {line}")
    for prop in (DCTERMS.title, SKOS.prefLabel):
        _state(ctx, plan, prop, Literal(str(title), lang="es"), title_line)
        if title_line:
            ctx.also(plan, prop, Literal(str(title), lang="es"), spans.get("title", []))
    ctx.state(plan, DCTERMS.identifier, Literal(builder.key), facts.get("key", (None, None))[1])
    period_line = builder.period_line = facts["period"][1]
    _state(ctx, plan, MDO.startDate, Literal(str(first), datatype=XSD.gYear), period_line)
    _state(ctx, plan, MDO.endDate, Literal(str(last), datatype=XSD.gYear), period_line)
    if ctx.source.locality:
        _state(ctx, plan, MDO.jurisdiction, resource("municipality", ctx.source.locality), None)
    elif ctx.source.jurisdiction and not ctx.source.actors:
        _state(ctx, plan, MDO.jurisdiction, resource("country", ctx.source.jurisdiction), None)
    for fact, prop in (("issued_by", MDO.issuedBy), ("approved_by", MDO.approvedBy)):
        if fact in facts:
            for actor in _actors(ctx, builder, fact, *facts[fact]):
                _state(ctx, plan, prop, actor, facts[fact][1])
    if "approval_act" in facts:
        _state(ctx, plan, MDO.approvalAct, Literal(str(facts["approval_act"][0])), facts["approval_act"][1])
    if "approval_date" in facts:
        _state(ctx, plan, MDO.approvalDate, _date(ctx, *facts["approval_date"]), facts["approval_date"][1])
    if step.get("approval") and not {"approval_act", "approval_date", "approved_by"} & set(facts):
        ctx.find("no-approval", "the cover states no approval of the plan", None, plan)
    implements = facts.get("implements", (step.get("implements"), None))[0]
    if implements:
        target = resource("plan", plan_key(ctx, MAIN) if implements == MAIN else str(implements))
        if "implements" in facts:
            _state(ctx, plan, MDO.implementsPlan, target, facts["implements"][1])
        else:  # the layout says so of every document it reads
            g.add((plan, MDO.implementsPlan, target))
            ctx.citations.cite((plan, MDO.implementsPlan, target), Citation(ctx.source.iri, whole="layout"))
    return builder


def _state(ctx: ReadContext, plan: URIRef, prop: URIRef, value: Any, line: int | None) -> None:
    """A fact about the plan, read from ``line``, or (None) given by the source's manifest entry:
    the curator's reading of the document, not printed at a line of it, so kept as an inference."""
    if line is None:
        ctx.state(plan, prop, value, None, basis="inferred",
                  note="given by the source's manifest entry (the curator's reading of the whole document), "
                  "not printed at a line of it")
    else:
        ctx.state(plan, prop, value, line)


def _period(ctx: ReadContext, fact: tuple[Any, int | None]) -> tuple[int, int]:
    value, line = fact
    m = PERIOD.match(str(value))
    if m is None:
        raise ctx.error(line, None, f"the plan's period '{value}' is not a year or a range of years",
                        "2022, or 2023-2026")
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if last < first:
        raise ctx.error(line, None, f"the plan's period '{value}' ends before it starts", "2023-2026")
    return first, last


def _date(ctx: ReadContext, value: Any, line: int | None) -> Literal:
    """An approval date: ISO (``2021-07-28``, as manifests and workbooks write dates) or Spanish
    (``28 de julio de 2021``, as covers print them)."""
    try:
        return PartialDate.from_iso(str(value)).literal()
    except DateProblem:
        pass
    try:
        return parse_spanish(str(value)).literal()
    except DateProblem:
        raise ctx.error(line, None, f"'{value}' is not a date", "a date such as 2021-07-28 or "
                        "'28 de julio de 2021'") from None


def _actors(ctx: ReadContext, builder: PlanBuilder, fact: str, value: Any, line: int | None) -> list[URIRef]:
    """The bodies a fact names: keys of the reference data's organisations, or names of the plan's
    actors. A key that names nothing is an error (a typo); a name that matches no actor is kept as
    its own actor and reported, as a cell's would be."""
    names = value if isinstance(value, list) else [value]
    out: list[URIRef] = []
    for name in map(str, names):
        if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", name):  # a key, such as cr-conacoes
            known = resource("organization", name)
            if (known, None, None) not in ctx.registry.graph:
                raise ctx.error(line, None, f"the {fact} '{name}' is no organisation key of the reference data",
                                "an organisation's key (data/reference) or a body's name")
            out.append(known)
            continue
        where = f"the plan's {fact.replace('_', ' ')}" + ("" if line else " (manifest)")
        split = builder.split(name, where, line)
        out.extend([*split.actors, *(builder.unresolved(n, where, line, None, split) for n in split.unresolved)])
    return out
