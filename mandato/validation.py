"""SHACL validation of the store's data against ``shapes/`` (pySHACL).

pySHACL is given rdflib graphs, never the Oxigraph store (design note §8: through oxrdflib it
was about 100 times slower). The data graph is the union of the source graphs, the registry and
the ontology (so that ``sh:class`` sees subclasses). ``conforms`` means no violation; warnings
and infos are reported but do not fail.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import cache

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, SKOS

from mandato.namespaces import MDO, ONTOLOGY_GRAPH, STAGING_GRAPH_PREFIX
from mandato.packaged import ontology_graph, shapes_graph
from mandato.remote import RemoteStore
from mandato.store import Store

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


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


@dataclass
class Report:
    conforms: bool
    results: list[Result]
    graph: Graph


def data_graph(store: Store | RemoteStore) -> Graph:
    data = Graph()
    data += ontology_graph()
    for name in store.named_graphs():
        if name != str(ONTOLOGY_GRAPH) and not name.startswith(str(STAGING_GRAPH_PREFIX)):
            data += store.graph(name)
    return data


def validate(store: Store | RemoteStore) -> Report:
    return validate_graph(data_graph(store))


def validate_graph(data: Graph) -> Report:
    _, results_graph, _ = shacl_validate(
        data, shacl_graph=shapes_graph(), advanced=True, allow_warnings=True, allow_infos=True,
    )
    results = [_result(results_graph, data, r) for r in results_graph.subjects(RDF.type, SH.ValidationResult)]
    results.sort(key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), r.focus, r.path or "", r.message_en))
    return Report(not any(r.severity == "Violation" for r in results), results, results_graph)


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


def _messages(g: Graph, node: URIRef) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in g.objects(node, SH.resultMessage):
        if isinstance(m, Literal):
            lang = m.language or next((lg for rx, lg in _templates() if rx.fullmatch(str(m))), "en")
            out.setdefault(lang, str(m))
    return out


def _result(g: Graph, data: Graph, node: URIRef) -> Result:
    focus = g.value(node, SH.focusNode)
    severity = str(g.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
    path = g.value(node, SH.resultPath)
    value = g.value(node, SH.value)
    messages = _messages(g, node)
    label = next((str(lbl) for lbl in data.objects(focus, SKOS.prefLabel)
                  if isinstance(lbl, Literal) and lbl.language in (None, "es")), None)
    shape = g.value(node, SH.sourceShape)
    plan = focus if (focus, DCTERMS.title, None) in data else data.value(focus, MDO.inPlan)
    title = data.value(plan, DCTERMS.title) if plan is not None else None
    notation = data.value(focus, SKOS.notation)
    return Result(
        severity=severity, focus=str(focus), focus_label=label,
        path=None if path is None else str(path),
        message_en=messages.get("en", ""), message_es=messages.get("es", messages.get("en", "")),
        shape=None if shape is None or not isinstance(shape, URIRef) else str(shape),
        value=None if value is None else str(value),
        plan=None if title is None else str(title), notation=None if notation is None else str(notation),
    )


def render_report(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"conforms": report.conforms, "results": [asdict(r) for r in report.results]},
                          ensure_ascii=False, indent=2) + "\n"
    if fmt == "turtle":
        return report.graph.serialize(format="turtle")
    counts = {s: sum(r.severity == s for r in report.results) for s in SEVERITY_ORDER}
    lines = [f"{'conforms' if report.conforms else 'does not conform'}: "
             + ", ".join(f"{n} {s.lower()}{'s' if n != 1 else ''}" for s, n in counts.items())]
    for r in (r for r in report.results if r.plan is None):
        what = f"{r.focus_label} <{r.focus}>" if r.focus_label else f"<{r.focus}>"
        lines.append(f"{r.severity}: {what}")
        if r.path:
            lines.append(f"  path: {r.path}")
        lines.append(f"  {r.message_en}")
        lines.append(f"  {r.message_es}")
    # What a coordinator can act on: per plan, one line per part with all its gaps.
    by_plan: dict[str, dict[str, list[Result]]] = {}
    for r in report.results:
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
