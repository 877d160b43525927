"""Documents written by an outsider (tests/inputs/unseen): the real command line must read, or
refuse, each case as its expected.yaml says (format and matching rules: tests/inputs/unseen/README.md).

Each case runs `mandato ingest --dry-run` and `mandato ingest` as subprocesses in a store of its
own, then reads the facts back with the saved queries (`plans`, `plan-outline`, `activity`) and,
where they do not give a fact, with SPARQL over `mandato export --format nquads`. The facts are
compared with expected.yaml only; a case that differs fails with one message listing every fact
that differs. `mentions_ideally` is never a failure: what is missing is printed in a report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
UNSEEN = HERE / "inputs" / "unseen"
QUERIES = ROOT / "queries"
_BIN = Path(sys.executable).parent
MANDATO = _BIN / "mandato" if (_BIN / "mandato").exists() else ROOT / ".venv" / "bin" / "mandato"
TIMEOUT = 600

CASES = sorted(p.parent for p in UNSEEN.rglob("expected.yaml"))
CASE_IDS = [c.relative_to(UNSEEN).as_posix() for c in CASES]

MDO = "https://w3id.org/mandato/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
PREFIXES = f"""PREFIX mdo: <{MDO}>
PREFIX skos: <{SKOS}>
PREFIX rdf: <{RDF}>
PREFIX rdfs: <{RDFS}>
PREFIX dcterms: <{DCT}>
PREFIX org: <{ORG}>
"""
LABELS = (SKOS + "prefLabel", SKOS + "altLabel", MDO + "acronym", RDFS + "label", DCT + "title", MDO + "shortName")
NAME_LABELS = (SKOS + "prefLabel", SKOS + "altLabel", RDFS + "label", DCT + "title", MDO + "shortName")

# The levels of expected.yaml and the classes of the ontology (ontology/mandato.ttl) that state them.
# The ontology has no class for a section of a plan (a sub-commission's part of a work plan): a
# section is accepted as a top-level Axis, "a main area of work of a plan".
LEVELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # level -> (any of, none of)
    "axis": (("Axis",), ()),
    "section": (("Axis",), ()),
    "line": (("StrategicLine",), ()),
    "strategic_action": (("StrategicLine",), ()),
    "objective": (("Objective",), ("GeneralObjective",)),
    "general_objective": (("GeneralObjective",), ()),
    "result": (("Result",), ()),
}
NORM_KINDS = {"ley": "Law", "decreto": "Decree", "reglamento": "Regulation"}

# Notes for people (mentions_ideally that are missing, facts that cannot be checked), printed at the end.
NOTED: list[str] = []


# ------------------------------------------------------------------------------------------------
# Text


def norm(value: Any) -> str:
    """NFC, trimmed, runs of white space (line breaks in a cell included) as one space."""
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def fold(value: Any) -> str:
    return norm(value).casefold()


def strip_notation(label: str, notation: str | None) -> str:
    label = norm(label)
    if notation:
        label = re.sub(r"^" + re.escape(norm(notation)) + r"\.?\s*", "", label)
    return label


def mentions(text: str, needle: str) -> bool:
    """Case-insensitive; a mention that ends in a digit is not followed by another digit."""
    n = fold(needle)
    tail = r"(?!\d)" if n[-1:].isdigit() else ""
    return re.search(re.escape(n) + tail, fold(text)) is not None


def short(text: Any, width: int = 70) -> str:
    text = norm(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def first_error(out: str) -> str:
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower():
            return short(line, 300)
    return short(lines[-1], 300) if lines else "(no output)"


# ------------------------------------------------------------------------------------------------
# The command line


@dataclass
class Run:
    args: list[str]
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + "\n" + self.err


def mandato(*args: Any, cwd: Path) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MANDATO_")}
    argv = [str(MANDATO), *map(str, args)]
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    return Run(argv, proc.returncode, proc.stdout, proc.stderr)


def query_json(name: str, store: Path, cwd: Path, **params: str) -> tuple[list[dict[str, Any]] | None, str]:
    args: list[Any] = ["query", name]
    for key, value in params.items():
        args += ["-p", f"{key}={value}"]
    run = mandato(*args, "--format", "json", "--store", store, cwd=cwd)
    if run.rc != 0:
        return None, f"`mandato query {name} {' '.join(f'-p {k}={v}' for k, v in params.items())}` exit {run.rc}: " \
                     f"{first_error(run.text)}"
    try:
        return json.loads(run.out), ""
    except json.JSONDecodeError:
        return None, f"`mandato query {name}` gave no JSON: {short(run.out, 200)}"


def export(store: Path, cwd: Path) -> str | None:
    if not store.exists():
        return None
    run = mandato("export", "--format", "nquads", "--store", store, cwd=cwd)
    return run.out if run.rc == 0 else None


WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


@cache
def saved_query(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def bind(text: str, bindings: dict[str, str]) -> str:
    """A saved query with its parameters as a VALUES clause at the start of every WHERE group, as
    `mandato query` binds them (mandato/catalogue.py, inject_values)."""
    values = " ".join(f"VALUES ?{var} {{ {term} }}" for var, term in bindings.items())
    return WHERE.sub(lambda m: f"{m.group(0)}\n  {values}\n", text)


# ------------------------------------------------------------------------------------------------
# The exported dataset


def _value(term: Any) -> str | None:
    if term is None:
        return None
    return term.value if not isinstance(term, ox.BlankNode) else f"_:{term.value}"


class Dataset:
    """The N-Quads of `mandato export`, queried with the union of the named graphs as default graph."""

    def __init__(self, nquads: str):
        self.store = ox.Store()
        self.store.load(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        self.sources = [g.value for g in self.store.named_graphs()
                        if isinstance(g, ox.NamedNode) and "/graph/source/" in g.value]
        self._sub: dict[str, set[str]] = {}

    def select(self, text: str, prefixes: bool = True) -> list[dict[str, str | None]]:
        result = self.store.query((PREFIXES if prefixes else "") + text, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        return [{n: _value(row[n]) for n in names} for row in result]

    def values(self, subject: str, predicate: str) -> list[str]:
        out: list[str] = []
        if subject.startswith("_:"):
            return out
        for quad in self.store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None, None):
            v = _value(quad.object)
            if v is not None and v not in out:
                out.append(v)
        return out

    def labels(self, node: str, props: Iterable[str] = LABELS) -> list[str]:
        out: list[str] = []
        for p in props:
            out += [v for v in self.values(node, p) if v not in out]
        return out

    def label(self, node: str) -> str:
        for p in (SKOS + "prefLabel", DCT + "title", RDFS + "label"):
            got = self.values(node, p)
            if got:
                return got[0]
        return node.rsplit("/", 1)[-1]

    def subclasses(self, cls: str) -> set[str]:
        if cls not in self._sub:
            rows = self.select(f"SELECT ?c WHERE {{ ?c rdfs:subClassOf* <{cls}> }}")
            self._sub[cls] = {r["c"] for r in rows if r["c"]} | {cls}
        return self._sub[cls]

    def is_a(self, node: str, cls: str) -> bool:
        return bool(set(self.values(node, RDF + "type")) & self.subclasses(cls))

    def classes(self, node: str) -> list[str]:
        return [c.rsplit("#", 1)[-1] for c in self.values(node, RDF + "type")]

    def lines(self, node: str) -> list[int]:
        return sorted({int(v) for v in self.values(node, MDO + "sourceLine") if v.lstrip("-").isdigit()})

    def countries(self, node: str) -> list[str]:
        out = []
        for j in self.values(node, MDO + "jurisdiction"):
            codes = self.values(j, MDO + "isoAlpha2") or [j.rsplit("/", 1)[-1].upper()]
            out += [c for c in codes if c not in out]
        return out

    def source_terms(self) -> set[str]:
        """Every IRI a source graph names, as subject or object."""
        out: set[str] = set()
        for g in self.sources:
            for quad in self.store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
                for term in (quad.subject, quad.object):
                    if isinstance(term, ox.NamedNode):
                        out.add(term.value)
        return out

    def source_subjects(self) -> set[str]:
        out: set[str] = set()
        for g in self.sources:
            for quad in self.store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
                if isinstance(quad.subject, ox.NamedNode):
                    out.add(quad.subject.value)
        return out


def graphs_of(nquads: str) -> dict[str, set[str]]:
    """The quads of an export, by graph ("" for the default graph); blank node labels as written."""
    out: dict[str, set[str]] = {}
    for quad in ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS):
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        out.setdefault(graph, set()).add(str(ox.Triple(quad.subject, quad.predicate, quad.object)))
    return out


def store_diff(before: str, after: str) -> list[str]:
    a, b = graphs_of(before), graphs_of(after)
    out = []
    for g in sorted(set(a) | set(b)):
        if g not in a:
            out.append(f"graph <{g}> added ({len(b[g])} quads)")
        elif g not in b:
            out.append(f"graph <{g}> removed ({len(a[g])} quads)")
        elif a[g] != b[g]:
            out.append(f"graph <{g}> changed (+{len(b[g] - a[g])} -{len(a[g] - b[g])} quads)")
    return out


# ------------------------------------------------------------------------------------------------
# Cases


def load_case(case: Path) -> dict[str, Any]:
    return yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))


def manifest_entries(case: Path) -> list[dict[str, Any]]:
    path = case / "sources.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return data if isinstance(data, list) else data.get("sources", [])


def doc_kind(case: Path, path: str) -> str:
    """sheet (XLSX: rows), table (CSV/TSV: rows and lines) or text (lines)."""
    files = [case / path] if (case / path).is_file() else [case / e.get("file", "") for e in manifest_entries(case)]
    suffixes = {f.suffix.lower() for f in files}
    if ".xlsx" in suffixes:
        return "sheet"
    if suffixes & {".csv", ".tsv"}:
        return "table"
    return "text"


@dataclass
class Case:
    name: str
    root: Path
    expected: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    noted: list[str] = field(default_factory=list)

    def differ(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def note(self, message: str) -> None:
        if message not in self.noted:
            self.noted.append(message)


@dataclass
class Seed:
    """A store with the bundled corpus, its export and its plans (refused cases must not change it)."""

    path: Path
    nquads: str
    plans: list[dict[str, Any]]


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    root = tmp_path_factory.mktemp("unseen-seed")
    store = root / "store"
    run = mandato("ingest", "--store", store, cwd=root)
    assert run.rc == 0, f"the bundled corpus does not ingest: {first_error(run.text)}"
    nquads = export(store, root)
    assert nquads, "the bundled corpus's store does not export"
    plans, err = query_json("plans", store, root)
    assert plans is not None, err
    return Seed(store, nquads, plans)


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest):
    yield
    if not NOTED:
        return
    lines = ["", "unseen documents, noted (not failures):", *(f"  {n}" for n in NOTED)]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for line in lines:
            reporter.write_line(line)
    else:
        print("\n".join(lines))


# ------------------------------------------------------------------------------------------------
# Refused cases


def check_refused(case: Case, seed: Seed, tmp: Path) -> None:
    error = case.expected.get("error") or {}
    entries = manifest_entries(case.root)
    countries = sorted({str(v) for e in entries for k, v in e.items() if k.startswith("jurisd")})
    for i, rel in enumerate(case.expected.get("ingest_paths") or ["."]):
        tag = f"[{rel}] " if len(case.expected.get("ingest_paths") or ["."]) > 1 else ""
        store = tmp / f"store-{i}"
        shutil.copytree(seed.path, store)
        path = (case.root / rel).resolve()
        dry = mandato("ingest", "--dry-run", path, "--store", store, cwd=tmp)
        after_dry = export(store, tmp) or ""
        run = mandato("ingest", path, "--store", store, cwd=tmp)
        after = export(store, tmp) or ""

        accepted = [int(x) for x in (error.get("dry_run_exit") or [1, 2])]
        if dry.rc not in accepted:
            case.differ(f"{tag}dry run: exit {dry.rc}, expected one of {accepted}")
        if "exit" in error and run.rc != int(error["exit"]):
            case.differ(f"{tag}ingest: exit {run.rc}, expected {error['exit']}")
        for which, r in (("dry run", dry), ("ingest", run)):
            if "Traceback" in r.text:
                case.differ(f"{tag}{which}: a Traceback ({first_error(r.text)})")
            for entry in error.get("mentions") or []:
                alts = entry if isinstance(entry, list) else [entry]
                if not any(mentions(r.text, str(a)) for a in alts):
                    case.differ(f"{tag}{which}: the message does not mention {' or '.join(map(repr, alts))}")
            one_of = error.get("mentions_one_of") or []
            if one_of and not any(any(mentions(r.text, str(a)) for a in (e if isinstance(e, list) else [e]))
                                  for e in one_of):
                flat = [e[0] if isinstance(e, list) else e for e in one_of]
                case.differ(f"{tag}{which}: the message mentions none of {flat} (nor their variants)")
        for entry in error.get("mentions_ideally") or []:
            if not any(mentions(r.text, str(entry)) for r in (dry, run)):
                case.note(f"{tag}ideally the message would mention {entry!r}")
        if case.expected.get("store_unchanged"):
            for which, got in (("dry run", after_dry), ("ingest", after)):
                changes = store_diff(seed.nquads, got) if got else ["the store no longer exports"]
                if changes:
                    case.differ(f"{tag}{which} changed the store: " + "; ".join(changes[:5]))
        plans, err = query_json("plans", store, tmp)
        if plans is None:
            case.differ(f"{tag}{err}")
        else:
            new = [p for p in plans if p not in seed.plans]
            for cc in countries or [""]:
                mine = [p["plan"] for p in new if not cc or p.get("country_code") == cc]
                if mine:
                    case.differ(f"{tag}`plans -p country={cc}` lists {mine}; expected no new plan")
        if after and after != seed.nquads and case.expected.get("not_bodies"):
            check_not_bodies(case, Dataset(after), tag, changed_only=graphs_of(seed.nquads))


# ------------------------------------------------------------------------------------------------
# Read cases


@dataclass
class Node:
    iri: str
    classes: list[str]
    notation: str | None
    labels: list[str]
    parents: list[str]
    lines: list[int]
    locators: list[str]


class Reader:
    """Compares one ingest's store with expected.yaml."""

    def __init__(self, case: Case, ds: Dataset, tag: str, kind: str, plans: list[dict[str, Any]] | None,
                 outline: list[dict[str, Any]] | None, printed: str):
        self.case, self.ds, self.tag, self.kind = case, ds, tag, kind
        self.exp = case.expected
        self.plans_rows = plans
        self.outline = outline
        self.printed = printed
        self.country = str((self.exp.get("plan") or {}).get("country", ""))
        self.bodies_exp: list[dict[str, Any]] = self.exp.get("bodies") or []
        self.plan_iri: str | None = None
        self.nodes: dict[str, Node] = {}

    def differ(self, message: str) -> None:
        self.case.differ(self.tag + message)

    # -- places ----------------------------------------------------------------------------------

    def where(self, item: dict[str, Any]) -> str:
        bits = []
        if item.get("row") is not None:
            bits.append(f"row {item['row']}")
        if item.get("line") is not None:
            bits.append(f"line {item['line']}")
        return f" ({', '.join(bits)})" if bits else ""

    def expected_line(self, item: dict[str, Any]) -> int | None:
        """The line the tool must cite: the physical line (text, CSV, TSV); in a sheet, the row."""
        if item.get("line") is not None:
            return int(item["line"])
        if item.get("row") is not None and self.kind == "sheet":
            return int(item["row"])
        return None

    def check_place(self, what: str, node: Node, item: dict[str, Any]) -> None:
        """One message per node: the line (a sheet: the row) it cites, and rows or lines its locator names."""
        line = self.expected_line(item)
        row = int(item["row"]) if item.get("row") is not None else None
        unit = "row" if self.kind == "sheet" else "line"
        wrong = []
        if line is not None and node.lines != [line]:
            wrong.append(f"cites {unit} {', '.join(map(str, node.lines)) or 'none'}")
        for loc in node.locators:
            for m in re.finditer(r"\b(row|fila|line|línea)\s+(\d+)", loc, re.IGNORECASE):
                n, word = int(m.group(2)), m.group(1).lower()
                if (word in ("row", "fila") and row is not None and n != row) or \
                        (word in ("line", "línea") and line is not None and n != line):
                    wrong.append(f"locator {loc!r}")
                    break
        if wrong:
            want = [f"row {row}"] if row is not None and self.kind != "text" else []
            want += [f"line {line}"] if line is not None and self.kind != "sheet" else []
            self.differ(f"{what}: {'; '.join(wrong)}; expected {', '.join(want)}")

    # -- bodies ----------------------------------------------------------------------------------

    @staticmethod
    def keys(body: dict[str, Any]) -> set[str]:
        out = {norm(body["name"])}
        if body.get("acronym"):
            out.add(norm(body["acronym"]))
        return out

    def body_of_printed(self, printed: str) -> dict[str, Any] | None:
        for body in self.bodies_exp:
            if norm(printed) in {norm(p) for p in body.get("printed") or []}:
                return body
        for body in self.bodies_exp:
            if norm(printed) in self.keys(body):
                return body
        return None

    def body_of_node(self, node: str) -> dict[str, Any] | None:
        labels = {norm(v) for v in self.ds.labels(node)}
        for body in self.bodies_exp:
            if labels & self.keys(body):
                return body
        return None

    def show_body(self, node: str) -> str:
        """A body as stored: its name, and its other labels and acronyms in square brackets."""
        pref = self.ds.label(node)
        alts = [a for a in self.ds.labels(node, (SKOS + "altLabel", MDO + "acronym")) if norm(a) != norm(pref)]
        return f"{pref} [{', '.join(dict.fromkeys(alts))}]" if alts else pref

    # -- the run ---------------------------------------------------------------------------------

    def run(self) -> None:
        self.check_plan()
        self.collect_nodes()
        self.check_activities()
        self.check_parts()
        self.check_bodies()
        self.check_norms()
        self.check_findings()
        allowed: dict[str, str] = {}
        title = (self.exp.get("plan") or {}).get("title")
        if self.plan_iri and title is not None and fold(title) in {fold(x) for x in self.exp.get("not_bodies") or []}:
            allowed[self.plan_iri] = fold(title)
            self.case.note("not_bodies lists the plan's own title "
                           f"{title!r}: not counted against the plan itself (expected.yaml)")
        check_not_bodies(self.case, self.ds, self.tag, nodes=self.named_nodes(), allowed=allowed)
        self.check_running_lines()

    # -- the plan --------------------------------------------------------------------------------

    def check_plan(self) -> None:
        plan = self.exp.get("plan") or {}
        key = str(plan.get("key", ""))
        row = None
        if self.plans_rows is not None:
            rows = [r for r in self.plans_rows if r.get("plan") == key]
            row = rows[0] if rows else None
            if row is None:
                got = [r.get("plan") for r in self.plans_rows]
                self.differ(f"plan {key}: not listed by `plans -p country={self.country}` (it lists {got})")
        if row is not None:
            self.plan_iri = row.get("iri")
        else:
            found = self.ds.select(f'SELECT ?p WHERE {{ ?p dcterms:identifier "{key}" }}')
            self.plan_iri = found[0]["p"] if found else None
        if self.plan_iri is None:
            self.differ(f"plan {key}: not in the store")
            return
        iri = self.plan_iri
        titles = [norm(t) for t in self.ds.values(iri, DCT + "title")]
        if row is not None:
            titles = [norm(row.get("title") or "")]
        if "title" in plan and norm(plan["title"]) not in titles:
            self.differ(f"plan: title {titles} expected {norm(plan['title'])!r}")
        if "period" in plan:
            period: str | None = row.get("period") if row is not None else None
            if period is None:
                starts, ends = self.ds.values(iri, MDO + "startDate"), self.ds.values(iri, MDO + "endDate")
                period = "-".join(dict.fromkeys([*starts[:1], *ends[:1]])) or None
            if norm(period or "") != norm(plan["period"]):
                self.differ(f"plan: period {period!r} expected {str(plan['period'])!r}")
        if "country" in plan:
            codes = self.ds.countries(iri)
            if codes != [str(plan["country"])]:
                self.differ(f"plan: country {codes} expected {plan['country']!r}")
        if "kind" in plan and not self.ds.is_a(iri, MDO + str(plan["kind"])):
            self.differ(f"plan: kind {self.ds.classes(iri)} expected {plan['kind']!r}")
        for fact, prop in (("issued_by", "issuedBy"), ("approved_by", "approvedBy")):
            if fact not in plan:
                continue
            want = norm(plan[fact])
            body = next((b for b in self.bodies_exp if norm(b["name"]) == want), None)
            keys = self.keys(body) if body else {want}
            nodes = self.ds.values(iri, MDO + prop)
            ok = [n for n in nodes if {norm(v) for v in self.ds.labels(n)} & keys]
            if not ok or len(nodes) != 1:
                self.differ(f"plan: {fact} {[self.show_body(n) for n in nodes]} expected {want!r}")
        if "approval_act" in plan:
            acts = self.ds.values(iri, MDO + "approvalAct")
            if [norm(g) for g in acts] != [norm(plan["approval_act"])]:
                self.differ(f"plan: approval_act {acts} expected {norm(plan['approval_act'])!r}")
        if "approval_date" in plan:
            dates = self.ds.values(iri, MDO + "approvalDate")
            if dates != [str(plan["approval_date"])]:
                self.differ(f"plan: approval_date {dates} expected {str(plan['approval_date'])!r}")
        if plan.get("line") is not None:
            lines = self.ds.lines(iri)
            if lines != [int(plan["line"])]:
                self.differ(f"plan: cites line {lines or 'none'}, expected line {plan['line']}")
        others = [s for s in self.ds.source_subjects() if s != iri and self.ds.is_a(s, MDO + "Plan")]
        for other in sorted(others):
            self.differ(f"another plan read from the document: {self.ds.label(other)!r} <{other}>")

    # -- parts and activities -----------------------------------------------------------------------

    def collect_nodes(self) -> None:
        if self.plan_iri is None:
            return
        iris = [r["n"] for r in self.ds.select(f"SELECT DISTINCT ?n WHERE {{ ?n mdo:inPlan <{self.plan_iri}> }}")]
        for row in self.outline or []:
            if row.get("iri") and row["iri"] not in iris:
                iris.append(row["iri"])
        outline = {r["iri"]: r for r in self.outline or [] if r.get("iri")}
        for n in iris:
            if n is None:
                continue
            notations = self.ds.values(n, SKOS + "notation")
            o = outline.get(n)
            self.nodes[n] = Node(
                iri=n,
                classes=self.ds.values(n, RDF + "type"),
                notation=(o.get("notation") if o else None) or (notations[0] if notations else None),
                labels=self.ds.labels(n, NAME_LABELS),
                parents=self.ds.values(n, MDO + "partOf"),
                lines=self.ds.lines(n),
                locators=self.ds.values(n, MDO + "locator"),
            )
        if self.outline is not None:
            missing = [n for n in self.nodes if n not in outline]
            for n in missing:
                self.differ(f"{self.describe(self.nodes[n])}: not listed by `plan-outline` (no partOf or no line?)")

    def describe(self, node: Node) -> str:
        cls = ", ".join(c.rsplit("#", 1)[-1] for c in node.classes) or "?"
        notation = f" {node.notation}" if node.notation else ""
        label = short(node.labels[0], 60) if node.labels else "(no label)"
        lines = ",".join(map(str, node.lines)) or "-"
        return f"{cls}{notation} {label!r} (line {lines})"

    def has(self, node: Node, cls: str) -> bool:
        return bool(set(node.classes) & self.ds.subclasses(MDO + cls))

    def level_ok(self, node: Node, level: str) -> bool:
        any_of, none_of = LEVELS.get(level, ((), ()))
        return any(self.has(node, c) for c in any_of) and not any(self.has(node, c) for c in none_of)

    def ancestors(self, node: Node) -> list[Node]:
        out, todo, seen = [], list(node.parents), set()
        while todo:
            p = todo.pop(0)
            if p in seen or p not in self.nodes:
                continue
            seen.add(p)
            out.append(self.nodes[p])
            todo += self.nodes[p].parents
        return out

    def in_section(self, node: Node, section: str) -> bool:
        return any(norm(section) in {norm(v) for v in a.labels} for a in self.ancestors(node))

    def text_ok(self, node: Node, text: str, notation: str | None) -> bool:
        want = norm(text)
        return any(norm(v) == want or strip_notation(v, notation) == want for v in node.labels)

    def find(self, item: dict[str, Any], pool: list[Node], used: set[str]) -> Node | None:
        notation = item.get("notation")
        notation = None if notation is None else str(notation)
        cands = [n for n in pool if n.iri not in used]
        if item.get("section") is not None:
            cands = [n for n in cands if self.in_section(n, str(item["section"]))] or cands
        by_notation = [n for n in cands if notation and n.notation and
                       norm(n.notation).rstrip(".") == norm(notation).rstrip(".")]
        by_text = [n for n in cands if self.text_ok(n, str(item.get("text", "")), notation)]
        for group in (
            [n for n in by_notation if n in by_text], by_notation, by_text,
        ):
            if group:
                line = self.expected_line(item)
                group.sort(key=lambda n: (line not in n.lines, n.lines[:1]))
                return group[0]
        return None

    def name(self, item: dict[str, Any], what: str) -> str:
        if item.get("notation") is not None:
            label = f"{what} {item['notation']}"
        else:
            label = f"{what} {short(item.get('text'), 40)!r}"
        if item.get("section"):
            label += f" in {short(item['section'], 32)!r}"
        return label + self.where(item)

    def check_common(self, what: str, node: Node, item: dict[str, Any]) -> None:
        notation = None if item.get("notation") is None else str(item["notation"])
        if notation is not None and norm(node.notation or "") != norm(notation):
            self.differ(f"{what}: notation {node.notation!r} expected {notation!r}")
        if notation is None and "notation" in item and node.notation:
            self.differ(f"{what}: notation {node.notation!r} expected none")
        if "text" in item and not self.text_ok(node, str(item["text"]), notation):
            self.differ(f"{what}: text {[short(v, 90) for v in node.labels]} expected {short(item['text'], 90)!r}")
        self.check_place(what, node, item)
        if "parent" in item:
            want = norm(item["parent"])
            parents = [self.nodes.get(p) for p in node.parents]
            shown = [(p.notation or short(p.labels[0] if p.labels else p.iri, 40)) if p else "the plan"
                     for p in parents]
            ok = any(p is not None and (norm(p.notation or "") == want or want in {norm(v) for v in p.labels})
                     for p in parents)
            if not ok or len(parents) != 1:
                self.differ(f"{what}: parent {shown} expected {str(item['parent'])!r}")
        if item.get("section") and not self.in_section(node, str(item["section"])):
            self.differ(f"{what}: not under the section {short(item['section'], 50)!r}")

    def check_parts(self) -> None:
        pool = [n for n in self.nodes.values() if not self.has(n, "Activity")]
        taken: set[str] = set()
        for item in self.exp.get("parts") or []:
            what = self.name(item, str(item.get("level", "part")))
            fits = [n for n in pool if self.level_ok(n, str(item.get("level")))]
            node = self.find(item, fits, taken) or self.find(item, pool, taken)
            if node is None:
                self.differ(f"{what}: missing")
                continue
            taken.add(node.iri)
            if not self.level_ok(node, str(item.get("level"))):
                self.differ(f"{what}: read as {', '.join(c.rsplit('#', 1)[-1] for c in node.classes)}")
            self.check_common(what, node, item)
        for node in pool:
            if node.iri not in taken:
                self.differ(f"unexpected part: {self.describe(node)}")

    def check_activities(self) -> None:
        pool = [n for n in self.nodes.values() if self.has(n, "Activity")]
        taken: set[str] = set()
        for item in self.exp.get("activities") or []:
            what = self.name(item, "activity")
            node = self.find(item, pool, taken)
            if node is None:
                self.differ(f"{what}: missing")
                continue
            taken.add(node.iri)
            self.check_common(what, node, item)
            self.check_activity_facts(what, node, item)
        for node in pool:
            if node.iri not in taken:
                self.differ(f"unexpected activity: {self.describe(node)}")

    def activity_rows(self, node: Node) -> list[dict[str, str | None]]:
        text = bind(saved_query("activity"), {"activity_iri": f"<{node.iri}>", "lang": '"es"'})
        return self.ds.select(text, prefixes=False)

    def check_activity_facts(self, what: str, node: Node, item: dict[str, Any]) -> None:
        rows = self.activity_rows(node)
        for role, key in (("responsible", "responsible"), ("collaborator", "collaborators")):
            if key not in item:
                continue
            want = [str(p) for p in item[key] or []]
            agents = list(dict.fromkeys(r["iri"] for r in rows if r["aspect"] == role and r["iri"]))
            want_bodies, unknown = [], []
            for p in want:
                body = self.body_of_printed(p)
                if body is None:
                    unknown.append(p)
                want_bodies.append(norm(body["name"]) if body else norm(p))
            got_bodies = []
            for a in agents:
                body = self.body_of_node(a)
                got_bodies.append(norm(body["name"]) if body else "?" + a)
            if unknown:
                self.case.note(f"{self.tag}{what}: {key} {unknown} is printed by no body of `bodies` (expected.yaml)")
            if Counter(got_bodies) != Counter(want_bodies):
                self.differ(f"{what}: {key} {[self.show_body(a) for a in agents]} expected {want}")
        for fact, aspect in (("indicator", "indicator"), ("target", "target"), ("means", "means")):
            if fact not in item:
                continue
            got = list(dict.fromkeys(r["label"] for r in rows if r["aspect"] == aspect and r["label"] is not None))
            if [norm(g) for g in got] != [norm(item[fact])]:
                self.differ(f"{what}: {fact} {[short(g, 80) for g in got]} expected {short(item[fact], 80)!r}")
        if "baseline" in item:
            got = self.ds.values(node.iri, MDO + "baseline")
            if [norm(g) for g in got] != [norm(item["baseline"])]:
                self.differ(f"{what}: baseline {got} expected {str(item['baseline'])!r}")
        periods = self.ds.values(node.iri, MDO + "deadline")
        periods += [str(r["period"]) for r in rows if r["aspect"] == "target" and r["period"]]
        periods = list(dict.fromkeys(periods))
        if "period" in item and norm(item["period"]) not in {norm(p) for p in periods}:
            self.differ(f"{what}: period (Plazo) {periods} expected {str(item['period'])!r}")
        if "period_date" in item and str(item["period_date"]) not in {norm(p) for p in periods}:
            self.differ(f"{what}: period date {periods} expected {str(item['period_date'])!r}")

    # -- bodies ----------------------------------------------------------------------------------

    def source_bodies(self) -> list[str]:
        org = ORG + "Organization"
        return sorted(t for t in self.ds.source_terms() if self.ds.is_a(t, org))

    def named_nodes(self) -> list[str]:
        out = set(self.source_bodies()) | set(self.nodes)
        out |= {s for s in self.ds.source_subjects() if self.ds.is_a(s, MDO + "Plan")}
        return sorted(out)

    def check_bodies(self) -> None:
        found = self.source_bodies()
        claimed: set[str] = set()
        for body in self.bodies_exp:
            keys = self.keys(body)
            what = f"body {body['name']!r}" + (f" ({body['acronym']})" if body.get("acronym") else "")
            nodes = [n for n in found if {norm(v) for v in self.ds.labels(n)} & keys]
            claimed |= set(nodes)
            if not nodes:
                self.differ(f"{what}: missing")
                continue
            if len(nodes) > 1:
                self.differ(f"{what}: {len(nodes)} bodies, expected one: {[self.show_body(n) for n in nodes]}")
            for n in nodes:
                labels = {norm(v) for v in self.ds.labels(n, NAME_LABELS)}
                every = {norm(v) for v in self.ds.labels(n)}
                shown = self.show_body(n)
                if len(nodes) == 1 and norm(body["name"]) not in labels:
                    self.differ(f"{what}: stored as {shown!r}, without the name {norm(body['name'])!r}")
                elif len(nodes) == 1 and body.get("acronym") and norm(body["acronym"]) not in every:
                    self.differ(f"{what}: stored as {shown!r}, without the acronym {body['acronym']!r}")
                countries = self.ds.countries(n)
                if "country" in body and countries != [str(body["country"])]:
                    self.differ(f"{what}: {shown!r} <{n}> belongs to {countries or 'no country'}, "
                                f"expected {body['country']}")
        for n in found:
            if n not in claimed:
                where = ", ".join(self.ds.countries(n)) or "no country"
                self.differ(f"unexpected body: {self.show_body(n)!r} ({where})")

    # -- norms -----------------------------------------------------------------------------------

    def check_norms(self) -> None:
        mentioned: dict[str, list[str]] = {}
        for row in self.ds.select("""SELECT DISTINCT ?part ?n WHERE {
                GRAPH ?g { ?part mdo:mentions ?n } FILTER(CONTAINS(STR(?g), "/graph/source/")) }"""):
            if row["part"] and row["n"]:
                mentioned.setdefault(row["n"], []).append(row["part"])
        # a norm the store does not describe (no class) is still the norm a part names
        norms = {n: parts for n, parts in mentioned.items()
                 if self.ds.is_a(n, MDO + "LegalInstrument") or not self.ds.values(n, RDF + "type")}
        claimed: set[str] = set()
        for item in self.exp.get("norms") or []:
            what = f"norm {short(item.get('printed'), 60)!r}{self.where(item)}"
            cands = []
            for n in norms:
                names = {norm(v) for v in self.ds.labels(n) + self.ds.values(n, MDO + "sourceText")}
                known = {norm(v) for v in self.ds.values(n, MDO + "number")}
                if (item.get("number") is not None and norm(item["number"]) in known) or \
                        names & {norm(item.get("printed", "")), norm(item.get("title", ""))}:
                    cands.append(n)
            line = self.expected_line(item)
            if not cands:  # the norm a part at that place names (a part may cite its row instead of its line)
                places = {x for x in (line, item.get("row")) if x is not None}
                cands = [n for n in norms if any(set(self.ds.lines(p)) & places for p in norms[n])]
            cands.sort(key=lambda n: not any(line in self.ds.lines(p) for p in norms[n]))
            if not cands:
                got = [self.ds.label(n) for n in norms]
                self.differ(f"{what}: not linked from the plan (its parts mention {got})")
                continue
            n = cands[0]
            claimed.add(n)
            if not self.ds.values(n, RDF + "type"):
                self.differ(f"{what}: linked to <{n}>, which the store does not describe (no class, label, "
                            "number or country)")
            if line is not None and not any(line in self.ds.lines(p) for p in norms[n]):
                at = sorted({x for p in norms[n] for x in self.ds.lines(p)})
                self.differ(f"{what}: mentioned by parts at line {at}, expected line {line}")
            kind = NORM_KINDS.get(fold(item.get("kind", "")))
            if kind and not self.ds.is_a(n, MDO + kind):
                self.differ(f"{what}: kind {self.ds.classes(n)} expected {item['kind']} ({kind})")
            numbers = self.ds.values(n, MDO + "number")
            if item.get("number") is not None and [norm(x) for x in numbers] != [norm(item["number"])]:
                self.differ(f"{what}: number {numbers} expected {str(item['number'])!r}")
            if item.get("year") is not None:
                dates = self.ds.values(n, MDO + "adoptionDate") + self.ds.values(n, MDO + "publicationDate")
                if not any(d.startswith(str(item["year"])) for d in dates):
                    self.differ(f"{what}: year {dates or 'not recorded'} expected {item['year']}")
            labels = list(dict.fromkeys(self.ds.labels(n) + self.ds.values(n, MDO + "sourceText")))
            if item.get("title") and not any(norm(item["title"]) in norm(v) for v in labels):
                self.differ(f"{what}: title {labels} expected {item['title']!r}")
            if item.get("printed"):
                quotes = [r["q"] for r in self.ds.select(
                    f"SELECT ?q WHERE {{ ?s rdf:object <{n}> ; ?p ?q . FILTER(isLiteral(?q)) }}") if r["q"]]
                if norm(item["printed"]) not in {norm(v) for v in labels + quotes}:
                    self.differ(f"{what}: printed form not recorded (has {labels})")
            if item.get("country") and self.ds.countries(n) != [str(item["country"])]:
                self.differ(f"{what}: country {self.ds.countries(n)} expected {item['country']}")
        for n in norms:
            if n not in claimed:
                at = sorted({x for p in norms[n] for x in self.ds.lines(p)})
                self.differ(f"unexpected norm or treaty: {self.ds.label(n)!r} ({', '.join(self.ds.classes(n))}, "
                            f"mentioned at line {at})")

    # -- findings --------------------------------------------------------------------------------

    def findings(self) -> list[tuple[list[int], list[tuple[str, int]], str]]:
        """(lines, places named in words, text) of every finding: stored and printed by the runs."""
        out: list[tuple[list[int], list[tuple[str, int]], str]] = []
        rows = self.ds.select("""SELECT ?f ?code ?message ?line WHERE {
            GRAPH ?g { ?f a mdo:Finding } FILTER(CONTAINS(STR(?g), "/graph/source/"))
            OPTIONAL { ?f mdo:findingCode ?code } OPTIONAL { ?f mdo:message ?message }
            OPTIONAL { ?f mdo:sourceLine ?line } }""")
        by: dict[str, dict[str, Any]] = {}
        for r in rows:
            f = by.setdefault(r["f"] or "", {"lines": set(), "text": set()})
            if r["line"]:
                f["lines"].add(int(r["line"]))
            for t in (r["code"], r["message"]):
                if t:
                    f["text"].add(t)
        for f in by.values():
            out.append((sorted(f["lines"]), [], " | ".join(sorted(f["text"]))))
        for line in self.printed.splitlines():
            if re.search(r"\[[a-z0-9-]+\]\s*$", line):
                places = [(m.group(1).lower(), int(m.group(2)))
                          for m in re.finditer(r"\b(row|fila|line|línea)\s+(\d+)", line, re.IGNORECASE)]
                out.append(([], places, line.strip()))
        return out

    @staticmethod
    def at(f: tuple[list[int], list[tuple[str, int]], str], line: int | None, row: int | None) -> bool:
        """Whether a finding cites the place of an expected one (anywhere, for a finding about the file)."""
        lines, places, _ = f
        if line is None and row is None:
            return True
        if line is not None and line in lines:
            return True
        for word, n in places:
            if word in ("row", "fila") and row is not None and n == row:
                return True
            if word in ("line", "línea") and line is not None and n == line:
                return True
        return False

    def check_findings(self) -> None:
        every = self.findings()
        for item in self.exp.get("findings") or []:
            want = [norm(m) for m in item.get("mentions") or []]
            line = self.expected_line(item)
            row = None if item.get("row") is None else int(item["row"])
            hits = [f for f in every if self.at(f, line, row) and all(w in norm(f[2]) for w in want)]
            if not hits:
                near = [short(f[2], 120) for f in every if self.at(f, line, row)]
                place = self.where(item) or " (about the whole file)"
                self.differ(f"finding{place} mentioning {want} not reported"
                            + (f" (there: {near[:4]})" if near and (line or row) else ""))
            if item.get("sheet"):
                note = (f"finding{self.where(item)}: the sheet {item['sheet']!r} is not checked "
                        "(a stored finding cites a line, not a sheet)")
                if note not in self.case.noted:
                    self.case.note(note)

    # -- running headers -------------------------------------------------------------------------

    def check_running_lines(self) -> None:
        running = {int(x) for x in self.exp.get("running_lines") or []}
        if not running:
            return
        skip = (MDO + "Finding", RDF + "Statement", MDO + "Citation", MDO + "SourceDocument")
        by_line: dict[int, list[str]] = {}
        for s in sorted(self.ds.source_subjects()):
            if any(self.ds.is_a(s, c) for c in skip) or "/finding/" in s or "/statement/" in s:
                continue
            for n in sorted(set(self.ds.lines(s)) & running):
                by_line.setdefault(n, []).append(s)
        for n, nodes in sorted(by_line.items()):
            named = [f"{', '.join(self.ds.classes(x))} {short(self.ds.label(x), 50)!r}" for x in nodes
                     if not self.ds.is_a(x, MDO + "ActivityRole") and not self.ds.is_a(x, MDO + "Target")
                     and not self.ds.is_a(x, MDO + "Indicator") and not self.ds.is_a(x, MDO + "MeansOfVerification")]
            rest = len(nodes) - len(named)
            self.differ(f"line {n} (a running header or page number) is cited by {'; '.join(named)}"
                        + (f" and {rest} roles, targets, indicators or means" if rest else ""))


def graphs_of_store(ds: Dataset) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for quad in ds.store.quads_for_pattern(None, None, None, None):
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        out.setdefault(graph, set()).add(str(ox.Triple(quad.subject, quad.predicate, quad.object)))
    return out


def check_not_bodies(case: Case, ds: Dataset, tag: str, nodes: Iterable[str] | None = None,
                     changed_only: dict[str, set[str]] | None = None, allowed: dict[str, str] | None = None) -> None:
    banned = {fold(x): str(x) for x in case.expected.get("not_bodies") or []}
    if not banned:
        return
    if nodes is None:
        before = changed_only or {}
        now = graphs_of_store(ds)
        candidates: set[str] = set()
        for g in ds.sources:
            if g in before and before[g] == now.get(g):
                continue
            for quad in ds.store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
                if isinstance(quad.subject, ox.NamedNode):
                    candidates.add(quad.subject.value)
        kinds = (ORG + "Organization", MDO + "PlanComponent", MDO + "Plan")
        nodes = [n for n in candidates if any(ds.is_a(n, k) for k in kinds)]
    for n in sorted(nodes):
        for label in dict.fromkeys(ds.labels(n)):
            if fold(label) in banned and (allowed or {}).get(n) != fold(label):
                case.differ(f"{tag}{', '.join(ds.classes(n)) or 'node'} labelled {label!r} <{n}> "
                            "(a heading, placeholder or fragment, not a body or part)")


def check_read(case: Case, tmp: Path) -> None:
    exp = case.expected
    plan = exp.get("plan") or {}
    paths = exp.get("ingest_paths") or ["."]
    for i, rel in enumerate(paths):
        tag = f"[{rel}] " if len(paths) > 1 else ""
        store = tmp / f"store-{i}"
        path = (case.root / rel).resolve()
        dry = mandato("ingest", "--dry-run", path, "--store", store, cwd=tmp)
        run = mandato("ingest", path, "--store", store, cwd=tmp)
        if dry.rc != 0:
            case.differ(f"{tag}dry run: exit {dry.rc}, expected 0 ({first_error(dry.text)})")
        if run.rc != 0:
            case.differ(f"{tag}ingest: exit {run.rc}, expected 0 ({first_error(run.text)})")
        for which, r in (("dry run", dry), ("ingest", run)):
            if "Traceback" in r.text:
                case.differ(f"{tag}{which}: a Traceback ({first_error(r.text)})")
        nquads = export(store, tmp)
        ds = Dataset(nquads) if nquads else None
        if ds is None or not ds.sources:
            counts = {k: len(exp.get(k) or []) for k in ("parts", "activities", "bodies", "norms", "findings")}
            case.differ(f"{tag}nothing read (no source graph in the store): "
                        + ", ".join(f"{v} {k}" for k, v in counts.items() if v) + " expected")
            continue
        country = str(plan.get("country", ""))
        plans, err = query_json("plans", store, tmp, country=country) if country else (None, "")
        if err:
            case.differ(tag + err)
        outline, err = query_json("plan-outline", store, tmp, plan=str(plan.get("key", "")))
        if err:
            case.differ(tag + err)
        Reader(case, ds, tag, doc_kind(case.root, rel), plans, outline, dry.text + "\n" + run.text).run()


# ------------------------------------------------------------------------------------------------


# What issue 31 still has to build, by case: each is a strict xfail, so that a case that comes to
# pass fails here until it is taken off this list (the assertion message lists every fact that differs).
NOT_YET = {
    "csv-excel-es-semicolon": "dates kept as printed beside their ISO form; a norm 'Ley N° 4788/12' read whole",
    "csv-excel-es-windows1252": "dates kept as printed beside their ISO form; a norm 'Ley N° 4788/12' read whole",
    "flat-sheet-hn-tsv": "a norm named by a plan ('Decreto 59-2012') described in a store without the corpus",
    "flat-sheet-sv-xlsx": "a date cell kept as shown; a norm named without a number linked",
    "template-filled-bo": "a date cell kept as shown",
    "text-plan-running-headers": "an acronym printed on the cover only, given to the body the manifest names",
}
CASE_PARAMS = [pytest.param(case, id=case_id, marks=[pytest.mark.xfail(reason=NOT_YET[case_id], strict=True)]
                            if case_id in NOT_YET else []) for case, case_id in zip(CASES, CASE_IDS, strict=True)]


@pytest.mark.parametrize("case_dir", CASE_PARAMS)
def test_unseen_document(case_dir: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    case = Case(case_dir.relative_to(UNSEEN).as_posix(), case_dir, load_case(case_dir))
    outcome = case.expected.get("outcome")
    if outcome == "refused":
        check_refused(case, request.getfixturevalue("seeded_store"), tmp_path)
    elif outcome == "read":
        check_read(case, tmp_path)
    else:
        case.differ(f"expected.yaml: unknown outcome {outcome!r}")
    for n in case.noted:
        NOTED.append(f"{case.name}: {n}")
    print(f"{case.name}: {len(case.problems)} facts differ")
    for n in case.noted:
        print(f"  noted: {n}")
    differing = len(case.problems)
    assert differing == 0, f"{case.name}: {differing} facts differ:\n  " + "\n  ".join(case.problems)
