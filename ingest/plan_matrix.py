"""The generic, header-driven reader of plan matrices (tab-separated text from PDFs), shared by
the plan engines, whose layouts say where the tables are and what the levels mean.

Layout handled: a heading row names the columns (synonyms in ``plan_matrices.yaml``, or the
layout step's own ``columns``, role -> normalised heading prefixes), and
repeats after page breaks; title rows before it are skipped; cells may carry HTML; a row whose
hierarchy cells are empty continues the objective or line above. The hierarchy follows the
document's structure; notations are kept as printed, and a notation that does not extend its
parent's, or that repeats under one parent, is reported as a finding (IRIs stay unique and
deterministic: a repeated notation gets a suffix).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from mandato import yamltext
from mandato.namespaces import ID, MDO, class_term, resource
from mandato.normalise import normalise, slug, strip_markup
from mandato.packaged import ontology_graph

from .actors import WORD, ActorSplit, CellWords, Named, split_actors
from .base import ReadContext

CONFIG = yamltext.load(Path(__file__).with_name("plan_matrices.yaml").read_text("utf-8"))
NOTATION = re.compile(r"^\s*(\d+(?:\s*\.\s*\d+)*)\.?(?:\s+|$)")


def headings_of(columns: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(normalised heading prefix, role), longest prefixes first."""
    return sorted(((normalise(p), role) for role, ps in columns.items() for p in ps), key=lambda x: -len(x[0]))


HEADINGS = headings_of(CONFIG["columns"])
BODY_HEADS = frozenset(normalise(w) for w in CONFIG["body_heads"])  # words a body's name begins with
CELL_WORDS = CellWords(frozenset(normalise(w) for w in CONFIG["same_as_above"]),
                       frozenset(normalise(w) + ("*" if w.endswith("*") else "") for w in CONFIG["no_body"]))
ROLE_KINDS = {"responsible": ID["role-kind/responsible"], "collaborator": ID["role-kind/collaborator"]}


def column_role(cell: str, headings: list[tuple[str, str]] = HEADINGS) -> str | None:
    norm = normalise(cell)
    return next((role for prefix, role in headings if norm.startswith(prefix)), None) if norm else None


def split_notation(text: str) -> tuple[str | None, str]:
    plain = strip_markup(text)
    m = NOTATION.match(plain)
    if not m:
        return None, plain
    return m.group(1), plain[m.end():].strip() or plain


def due_period(text: str) -> str | None:
    norm = " ".join(strip_markup(text).lower().split())
    for rule in CONFIG["due_periods"]:
        m = re.search(rule["pattern"], norm)
        if m:
            return rule["period"].format(m.group(1))
    return None


@dataclass
class Node:
    iri: URIRef
    notation: str | None
    path: tuple[str, ...]
    children: dict[str, int] = field(default_factory=dict)


class PlanBuilder:
    """Mints and describes a plan's components under the plan's IRI."""

    def __init__(self, ctx: ReadContext, key: str, scope: str):
        """``scope``: the actor registry the plan's cells resolve against (``data/reference/actors/
        <scope>.yaml``): a country's ISO alpha-2 code, or a regional body's key."""
        self.ctx, self.key, self.scope = ctx, key, scope
        self.plan = resource("plan", key)
        self.root = Node(self.plan, None, ())
        # The bodies of the reference data, and those the plan names that it does not (each found
        # again by its name and its acronym in the cells after it: one body, not one per cell).
        self.actors = dict(ctx.registry.actors.get(scope, {}))
        self.separators: list[str] = []  # a layout's extra separators of bodies in a cell ("-", "/")
        self._last: dict[str, list[URIRef]] = {}  # the bodies of the last cell of each kind ("Ídem")
        self._pending: list[tuple] = []  # the cells naming bodies, resolved at the end (finish)
        self.activities = 0
        self._near: dict[str, list[str]] = {}  # candidates() per unresolved name
        self.period: tuple[int, int] | None = None  # the plan's first and last year
        self.period_line: int | None = None  # where the period is printed (None: the manifest entry)
        self.line = 1  # the line of the plan's title

    def require_activities(self, where: str) -> None:
        """A plan matrix that yields no activity is an error, never an empty plan."""
        if not self.activities:
            raise self.ctx.error(None, None, f"{where}: no activity was read for the plan '{self.key}'",
                                 "matrices whose heading row names an activity column (Actividad, Acción…)")

    def component(self, cls: URIRef, parent: Node, text: str, line: int, locator: str,
                  notation: str | None = None, key: str | None = None, notation_line: int | None = None,
                  more: Sequence[int] = ()) -> Node:
        """A part of the plan read from ``line`` (its notation from ``notation_line``, a heading
        above the text, where it is printed apart; its text running on to the lines ``more``)."""
        if notation is None and key is None:
            notation, text = split_notation(text)
        else:
            text = strip_markup(text)
        base = slug(key or notation or cls.rsplit("#", 1)[-1])
        n = parent.children.get(base, 0) + 1
        parent.children[base] = n
        if n > 1 and notation:
            self.ctx.find("duplicate-notation", f"{notation} appears {n} times under the same parent; kept as printed",
                          line, parent.iri)
        part = base if n == 1 else f"{base}-{n}"
        node = Node(resource("plan", self.key, *parent.path, part), notation, (*parent.path, part))
        self.activities += cls == MDO.Activity
        g = self.ctx.graph
        g.add((node.iri, RDF.type, cls))
        g.add((node.iri, MDO.partOf, parent.iri))
        g.add((node.iri, MDO.inPlan, self.plan))
        if notation:
            self.ctx.state(node.iri, SKOS.notation, Literal(notation), notation_line or line)
            parent_notation = parent.notation
            # Only a dotted notation claims a parent ("2.2.1" claims "2.2"); a plain number is a
            # numbering of its own (Peru's axis 4 holds strategic objective 1), and a result may
            # repeat its objective's number ("Resultado 2.1" of "Objetivo Estratégico 2.1").
            mine, theirs = notation.replace(" ", ""), parent_notation.replace(" ", "") if parent_notation else ""
            if parent_notation and "." in notation and mine != theirs and not mine.startswith(theirs + "."):
                self.ctx.find("notation-mismatch",
                              f"{notation} sits under {parent_notation} in the document; the hierarchy follows the "
                              "document and both notations are kept as printed", line, node.iri)
        g.add((node.iri, SKOS.prefLabel, Literal(text, lang="es")))
        self.ctx.derive(node.iri, line, locator)
        self.ctx.also(node.iri, SKOS.prefLabel, Literal(text, lang="es"), more)
        return node

    def detail(self, owner: URIRef, kind: str, text: str, line: int, n: int, due: str | None = None,
               more: Sequence[int] = ()) -> None:
        """A target, indicator or means of verification of a component."""
        cls, prop = {"target": (MDO.Target, MDO.hasTarget), "indicator": (MDO.Indicator, MDO.hasIndicator),
                     "means": (MDO.MeansOfVerification, MDO.hasMeansOfVerification)}[kind]
        node = URIRef(f"{owner}/{kind}-{n}")
        g = self.ctx.graph
        g.add((owner, prop, node))
        g.add((node, RDF.type, cls))
        g.add((node, SKOS.prefLabel, Literal(text, lang="es")))
        if kind == "target":
            period = due_period(text) or due
            if period:
                g.add((node, MDO.duePeriod, Literal(period)))
        self.ctx.derive(node, line, f"line {line}, {kind}")
        self.ctx.also(node, SKOS.prefLabel, Literal(text, lang="es"), more)

    def progress(self, activity: URIRef, values: dict[tuple[str, str | None], str], line: int,
                 period: tuple[int, int] | None, heading: Sequence[int] = ()) -> None:
        """Programmed and executed percentages, one progress record per year or semester; its
        dates are cited on the ``heading`` lines that name the column (and, for a semester, the
        line of the plan's period, which gives its year)."""
        g = self.ctx.graph
        for (kind, label), text in sorted(values.items(), key=lambda kv: (kv[0][1] or "", kv[0][0])):
            m = PERCENT.match(text.strip())
            if label is None or m is None:
                why = "no year heads its column" if label is None else "it is not one percentage"
                self.ctx.find("unreadable-progress", f"'{text}' ({kind}) is not recorded: {why}", line, activity)
                continue
            year = int(label[:4])
            if period and not period[0] <= year <= period[1]:
                self.ctx.find("year-outside-period", f"the table gives {kind} progress for {year}, outside the "
                              f"plan's period {period[0]}-{period[1]}; kept as printed", line, activity)
            record = URIRef(f"{activity}/progress-{label.lower()}")
            g.add((activity, MDO.hasProgress, record))
            g.add((record, RDF.type, MDO.ProgressRecord))
            first, last = _bounds(label)
            named = [*heading, *([self.period_line] if "-S" in label and self.period_line else [])] or [line]
            for prop, date in ((MDO.startDate, first), (MDO.endDate, last)):
                self.ctx.state(record, prop, date, named[0])
                self.ctx.also(record, prop, date, named[1:])
            lexical = format(Decimal(m.group(1).replace(",", ".")), "f")  # canonical xsd:decimal: 50.0
            lexical += "" if "." in lexical else ".0"
            g.add((record, MDO.programmed if kind == "programmed" else MDO.executed,
                   Literal(lexical, datatype=XSD.decimal)))
            self.ctx.derive(record, line, f"line {line}, {kind} {year}")

    def roles(self, activity: URIRef, kind: str, text: str, line: int, cell: int | None = None,
              more: Sequence[int] = (), inferred: str | None = None) -> None:
        """The bodies a responsible or collaborators cell names, each in a role of ``activity``
        (``inferred``: why the cell's bodies are given to this activity though it does not say so).
        Resolved once the whole document is read (:meth:`finish`)."""
        if not self._pending:
            self.ctx.at_end.append(self.finish)
        self._pending.append((activity, kind, text, line, cell, tuple(more), inferred, self.ctx.sheet))

    def finish(self) -> None:
        """The bodies of every cell, in two passes: the first learns what the plan prints of the
        bodies the reference data lacks, each "Name (ACR)" making one body known by both; the
        second gives each cell its bodies, so that "ACR" alone in one row and the full name in
        another are one body, whichever comes first."""
        sheet = self.ctx.sheet
        for _, kind, text, line, cell, _, _, in_sheet in self._pending:
            self.ctx.sheet = in_sheet
            split = split_actors(text, self.actors, BODY_HEADS, self.separators, CELL_WORDS)
            for named in split.unresolved:
                if named.acronym:
                    self.unresolved(named, f"the {kind} cell", line, cell, split)
            self._learn_from(split)
        for activity, kind, text, line, cell, more, inferred, in_sheet in self._pending:
            self.ctx.sheet = in_sheet
            self._roles(activity, kind, text, line, cell, more, inferred)
        self._pending.clear()
        self.ctx.sheet = sheet

    def _roles(self, activity: URIRef, kind: str, text: str, line: int, cell: int | None,
               more: Sequence[int], inferred: str | None) -> None:
        split = self.split(text, f"the {kind} cell", line, cell)
        if split.same_as_above:  # "Ídem": the bodies of the same column in the row above
            agents = self._last.get(kind, [])
            self.ctx.find("same-as-above", f"'{text.strip()}' in the {kind} cell: the bodies of the row above "
                          f"({len(agents)}), as that cell names them", line, activity, cell)
        else:
            agents = [*split.actors, *(self.unresolved(named, f"the {kind} cell", line, cell, split)
                                       for named in split.unresolved)]
        self._last[kind] = agents
        for agent in agents:
            role = URIRef(f"{activity}/{kind}/{str(agent).rsplit('/', 1)[-1]}")
            g = self.ctx.graph
            if inferred:
                self.ctx.state(activity, MDO.hasRole, role, line, basis="inferred", note=inferred)
            else:
                g.add((activity, MDO.hasRole, role))
            g.add((role, RDF.type, MDO.ActivityRole))
            g.add((role, MDO.agent, agent))
            g.add((role, MDO.roleKind, ROLE_KINDS[kind]))
            self.ctx.derive(role, line, f"line {line}, {kind} cell", text)
            self.ctx.also(role, MDO.agent, agent, more)

    def split(self, text: str, where: str, line: int | None, cell: int | None = None) -> ActorSplit:
        """The bodies a cell names (:func:`split_actors`); its notes and name fragments reported."""
        split = split_actors(text, self.actors, BODY_HEADS, self.separators, CELL_WORDS)
        self._learn_from(split)
        for placeholder in split.placeholders:
            self.ctx.find("no-body-named", f"'{placeholder}' in {where} names no body; none is recorded for it",
                          line, None, cell)
        for first, again in split.repeated:
            twice = f"'{first}' is named twice" if first == again else f"'{first}' and '{again}' name the same body"
            self.ctx.find("body-named-twice", f"{twice} in {where}; recorded once", line, None, cell)
        for odd in split.odd:
            self.ctx.find("not-an-acronym", f"'{odd}' in {where}: what the parenthesis holds does not spell the "
                          "name before it (a unit of the body, or another body?); kept as printed, one body",
                          line, None, cell)
        for joined in split.joined:
            self.ctx.find("names-joined", f"'{joined}' in {where} is read as the name of one body (what follows "
                          "a comma or 'y' does not begin as a body's name does); if it names several, separate "
                          "them with ';' or a line break", line, None, cell)
        for note in split.notes:
            self.ctx.find("cell-note", f"'{note}' in {where} is an instruction or a task, not a body; not recorded "
                          "as an actor (the cell is kept whole as the role's source text)", line, None, cell)
        for fragment in split.fragments:
            self.ctx.find("name-fragment", f"'{fragment}' in {where} only repeats words of the bodies the cell "
                          "names (the extraction shuffled their names); not recorded as an actor", line, None, cell)
        return split

    def _learn_from(self, split: ActorSplit) -> None:
        for actor, name in split.names.items():  # "Name (ACR)" of a body met as "ACR"
            self.learn(actor, name, None)
        for actor, acronym in split.acronyms.items():  # "Name (ACR)" of a body met as "Name"
            self.learn(actor, None, acronym)

    def learn(self, agent: URIRef, name: str | None, acronym: str | None) -> None:
        """What a cell says of a body the plan named before: its full name, where it was met as its
        acronym ("SVET", then "Secretaría contra … (SVET)"), or its acronym. Only a body the plan
        itself made (not of the reference data) is changed: its name becomes the full name, the
        acronym an alternative label; both find it in the cells after."""
        g = self.ctx.graph
        if (agent, SKOS.prefLabel, None) not in g or "-unresolved/" not in str(agent):
            return
        old = str(g.value(agent, SKOS.prefLabel))
        if name and normalise(name) != normalise(old):
            g.remove((agent, SKOS.prefLabel, None))
            g.add((agent, SKOS.prefLabel, Literal(name, lang="es")))
            acronym = acronym or old
        if acronym and normalise(acronym) != normalise(str(g.value(agent, SKOS.prefLabel))):
            g.add((agent, SKOS.altLabel, Literal(acronym, lang="es")))
        for words in (name, acronym):
            if words:
                self.actors.setdefault(tuple(normalise(w) for w in WORD.findall(words)), agent)

    def unresolved(self, named: Named, where: str, line: int | None, cell: int | None = None,
                   split: ActorSplit | None = None) -> URIRef:
        """A body that matches no actor of the plan's registry: kept as its own actor, as printed
        (with the acronym printed beside it), and reported with the other bodies of its cell and
        the nearest names, so that a curator can add the alias. The cells after it find it again
        by its name or its acronym."""
        name = named.name
        agent = resource("organization", f"{self.scope.lower()}-unresolved", slug(name))
        near = self.candidates(name)
        for words in (named.name, named.acronym):
            if words:
                self.actors.setdefault(tuple(normalise(w) for w in WORD.findall(words)), agent)
        g = self.ctx.graph
        g.add((agent, RDF.type, URIRef("http://www.w3.org/ns/org#Organization")))
        g.add((agent, SKOS.prefLabel, Literal(name, lang="es")))
        if named.acronym:
            g.add((agent, SKOS.altLabel, Literal(named.acronym, lang="es")))
        if len(self.scope) == 2:
            g.add((agent, MDO.jurisdiction, resource("country", self.scope)))
        if line is not None:
            self.ctx.derive(agent, line, f"line {line}, {where.removeprefix('the ')}")
        else:
            self.ctx.citations.home(agent, self.ctx.place(None))
        others = [n.name for n in split.unresolved if n != named] if split else []
        others += [str(self.ctx.registry.graph.value(a, SKOS.prefLabel) or a) for a in split.actors] if split else []
        files = self.ctx.registry.actor_files.get(self.scope.upper())
        tables = (" or ".join(files) if files else f"the reference data (no actor table for {self.scope}: add "
                  f"actors/{self.scope}.yaml with --reference DIR)")
        self.ctx.find("unresolved-actor", f"'{name}' in {where} matches no actor of "
                      f"{tables}; kept as its own actor"
                      + (f" (did you mean {' or '.join(near)}?)" if near else "")
                      + (f"; the cell also names {', '.join(repr(o) for o in others)}" if others else ""),
                      line, agent, cell)
        return agent

    def candidates(self, name: str) -> list[str]:
        """The plan's actors whose names are nearest to ``name`` (at most three), as printed in
        the reference data, for a curator to pick or to add as a variant."""
        if name in self._near:
            return self._near[name]
        names = {" ".join(words): iri for words, iri in self.ctx.registry.actors.get(self.scope, {}).items()}
        pieces = [name, *(p for p in re.split(r"[,;]|\s+y\s+", name) if p.strip() and p != name)]
        out: list[str] = []
        for key in (k for piece in pieces for k in difflib.get_close_matches(normalise(piece), list(names), n=3,
                                                                               cutoff=0.6)):
            label = self.ctx.registry.graph.value(names[key], SKOS.prefLabel) or key
            if f"'{label}'" not in out:
                out.append(f"'{label}'")
        self._near[name] = out[:3]
        return out[:3]


@dataclass
class Levels:
    """The hierarchy of a matrix: the class of each hierarchy column, outermost first."""

    classes: dict[str, URIRef]
    split_targets: bool = False
    headings: list[tuple[str, str]] = field(default_factory=lambda: HEADINGS)  # the matrices' column synonyms


def levels_of(ctx: ReadContext, step: dict) -> Levels:
    """The ``levels`` option of a layout's step: hierarchy column role -> ontology class name."""
    spec = ctx.option(step, "levels")
    roles = set(step.get("columns") or CONFIG["columns"]) - {"activity"}
    if not isinstance(spec, dict) or not set(spec) <= roles:
        raise ctx.error(None, None, f"the layout's levels {spec!r} are not hierarchy columns",
                        "levels: {objective: SpecificObjective} with roles among " + ", ".join(sorted(roles)))
    classes = {}
    for role, name in spec.items():
        cls = class_term(str(name))
        if (cls, RDFS.subClassOf, None) not in ontology_graph():
            raise ctx.error(None, None, f"the layout's level {role}: '{name}' is not a class of the ontology",
                            "a plan component class such as StrategicObjective")
        classes[role] = cls
    columns = step.get("columns")
    return Levels(classes, bool(step.get("split_targets")), headings_of(columns) if columns else HEADINGS)


def _bounds(label: str) -> tuple[Literal, Literal]:
    """A period label ("2020", "2018-S1") as first and last date, at its precision."""
    if "-S" not in label:
        return Literal(label, datatype=XSD.gYear), Literal(label, datatype=XSD.gYear)
    year, half = label.split("-S")
    first, last = ("01-01", "06-30") if half == "1" else ("07-01", "12-31")
    return Literal(f"{year}-{first}", datatype=XSD.date), Literal(f"{year}-{last}", datatype=XSD.date)


@dataclass
class Row:
    line: int
    cells: dict[str, str]
    progress: dict[tuple[str, str | None], str] = field(default_factory=dict)
    more: dict[str, list[int]] = field(default_factory=dict)  # role -> the lines its cell runs on to
    heading: tuple[int, ...] = ()  # the lines of the table's heading (its columns' years or semesters)
    items: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # detail role -> further items, by line

    def details(self, kind: str) -> list[tuple[int, str]]:
        """The cells of a detail role (target, indicator, means), by line: the row's own, then
        the items continuation lines add."""
        return ([(self.line, self.cells[kind])] if kind in self.cells else []) + self.items.get(kind, [])


DETAILS = ("target", "indicator", "means")
# Where a target cell that lists targets (``split_targets``) starts the next: a wide space, or a
# sentence's end followed by a capital (the extraction keeps two spaces in some rows, one in others).
TARGET_BREAK = re.compile(r"\s{2,}|(?<=\.)\s+(?=[A-ZÁÉÍÓÚÑ¿¡])")
# A cell above that ends on one of these runs on to the next line ("…con Organismos y" / "Países").
RUNS_ON = re.compile(r"(?:\b(?:y|e|o|u|de|del|la|las|los|el|en|con|por|para|a|al|que|su|sus|se)|[,;:(/-])\s*$")


def starts_item(above: str, text: str) -> bool:
    """A continuation line's detail cell starts an item of its own (a second indicator under the
    first) rather than running on: it opens with a capital and the text above it is complete."""
    first = strip_markup(text)[:1]
    return first.isupper() and RUNS_ON.search(normalise(strip_markup(above))) is None


YEAR = re.compile(r"^ano (\d{4})$")
SEMESTER = re.compile(r"^(i|ii) semestre$")
PROGRESS = {"programado": "programmed", "ejecutado": "executed"}
LIST_ITEM = re.compile(r"(?:^|\s)(\d+)\.\s+")
PERCENT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*%$")


def _semester_columns(cells: list[str], period: tuple[int, int] | None) -> dict[int, tuple[str, str | None]]:
    """Column -> (programmed, "2018-S1") for "I Semestre" / "II Semestre" headings of a one-year plan."""
    year = str(period[0]) if period and period[0] == period[1] else None
    out = {}
    for n, c in enumerate(cells):
        if m := SEMESTER.match(normalise(c)):
            out[n] = ("programmed", f"{year}-S{len(m.group(1))}" if year else None)
    return out


def _progress_columns(cells: list[str], sub: list[str]) -> dict[int, tuple[str, str | None]]:
    """Column -> (programmed|executed, year) from a heading row with "Año 2020" cells and the row
    under it with "Programado"/"Ejecutado" (also split as "Progra mado")."""
    years: dict[int, str] = {}
    for n, c in enumerate(cells):
        if m := YEAR.match(normalise(c)):
            years[n] = m.group(1)
    out = {}
    for n, c in enumerate(sub):
        kind = PROGRESS.get(normalise(c).replace(" ", ""))
        if kind:
            year = years.get(n) or (years.get(n - 1) if kind == "executed" else None)
            out[n] = (kind, year)
    return out


def _rows(builder: PlanBuilder, start: int, end: int, levels: Levels,
          period: tuple[int, int] | None) -> tuple[list[Row], str | None]:
    """The matrix's rows, with continuation lines merged into the row above."""
    ctx = builder.ctx
    lines = ctx.source.lines
    roles: list[str | None] | None = None
    progress: dict[int, tuple[str, str | None]] = {}
    due: str | None = None
    rows: list[Row] = []
    hierarchy = set(levels.classes)
    skip_next = False
    for i in range(start, end):
        number, text = i + 1, lines[i]
        if "\t" not in text or skip_next:
            skip_next = skip_next and "\t" not in text
            continue
        cells = [c.strip() for c in text.split("\t")]
        found = [column_role(c, levels.headings) for c in cells]
        if sum(r is not None for r in found) >= 3 and "activity" in found:
            roles = found
            target_heading = next((c for c, r in zip(cells, found, strict=True) if r == "target"), "")
            m = re.search(CONFIG["target_due"], normalise(target_heading))
            due = m.group(1) if m else None
            below = next((j for j in range(i + 1, end) if "\t" in lines[j]), None)
            progress = _semester_columns(cells, period)
            heading: tuple[int, ...] = (number,)
            if below is not None and any(YEAR.match(normalise(c)) for c in cells):
                progress = _progress_columns(cells, [c.strip() for c in lines[below].split("\t")])
                skip_next = bool(progress)
                heading = (number, below + 1) if progress else heading
            continue
        if roles is None or not any(cells):
            continue
        if any(normalise(c).startswith("objetivo estrategico") for c in cells):
            ctx.find("heading-in-table", f"a strategic objective heading stands inside a table row: "
                     f"'{strip_markup(cells[0])[:80]}'; skipped", number)
            continue
        row = Row(number, {r: c for r, c in zip(roles, cells, strict=False) if r and c}, heading=heading)
        for n, value in enumerate(cells):
            if value and (roles[n] if n < len(roles) else None) is None:  # a cell under no role heading
                if n in progress:
                    row.progress[progress[n]] = value
                else:
                    ctx.find("value-without-column", f"'{value}' stands in column {n + 1}, which has no heading; "
                             "not recorded", number)
        activity = row.cells.get("activity", "")
        continues = rows and not hierarchy & set(row.cells) and split_notation(activity)[0] is None
        if continues:
            above = rows[-1]
            for role, value in row.cells.items():
                items = above.items.setdefault(role, [])
                last = items[-1][1] if items else above.cells.get(role)
                if role in DETAILS and last is not None and starts_item(last, value):
                    items.append((number, value))
                    ctx.find("item-on-continuation-line", f"line {number} gives the row of line {above.line} another "
                             f"{role} ('{strip_markup(value)[:60]}'); kept as an item of its own", number)
                elif items:
                    items[-1] = (items[-1][0], f"{items[-1][1]} {value}")
                else:
                    above.cells[role] = f"{above.cells[role]} {value}" if role in above.cells else value
                    above.more.setdefault(role, []).append(number)
            if row.progress:
                ctx.find("progress-on-continuation-line", f"line {number} continues the row of line {above.line} with "
                         f"progress values ({', '.join(row.progress.values())}) that no item of that row takes; "
                         "not recorded", number)
            ctx.find("continuation-line", f"line {number} continues the row of line {above.line} (a cell broken "
                     "across lines by the PDF extraction); merged", number)
            continue
        rows.append(row)
    return rows, due


def read_matrix(builder: PlanBuilder, parent: Node, start: int, end: int, levels: Levels, where: str,
                period: tuple[int, int] | None = None) -> None:
    """Read the matrix between lines ``start`` and ``end`` (0-based, end excluded) under ``parent``."""
    rows, due = _rows(builder, start, end, levels, period)
    current: dict[str, Node] = {}
    order = list(levels.classes)
    for row in rows:
        number = row.line
        for depth, role in enumerate(order):
            if role in row.cells:
                up = current.get(order[depth - 1]) if depth else None
                node = builder.component(levels.classes[role], up or parent, row.cells[role], number,
                                         f"{where}, line {number}", more=row.more.get(role, ()))
                current[role] = node
                for deeper in order[depth + 1:]:
                    current.pop(deeper, None)
        if "activity" not in row.cells:
            continue
        owner = next((current[r] for r in reversed(order) if r in current), parent)
        items = _activities(row)
        for text in items:
            act = builder.component(MDO.Activity, owner, text, number, f"{where}, line {number}",
                                    more=row.more.get("activity", ()))
            if len(items) == 1:
                _describe(builder, act, row, levels, due, period)
            else:  # the row's bodies, as an inference: it does not say which is whose
                _bodies(builder, act, row, f"line {row.line} lists {len(items)} activities in one cell and names "
                        "its bodies once for all of them; that each body takes part in each activity is read from "
                        "the row, not printed")
        if len(items) > 1:
            _keep_whole(builder, row, len(items))


def _activities(row: Row) -> list[str]:
    """The activities of a row: one, or the items of a list cell (``<ol>``)."""
    cell = row.cells["activity"]
    if "<ol" not in cell and "<li" not in cell:
        return [cell]
    plain = strip_markup(cell)
    starts = [m.start(1) for m in LIST_ITEM.finditer(plain)]
    return [plain[a:b].strip() for a, b in zip(starts, [*starts[1:], len(plain)], strict=True)] or [plain]


def _bodies(builder: PlanBuilder, act: Node, row: Row, inferred: str | None = None) -> None:
    """The responsible and collaborating bodies the row names, in roles of ``act`` (``inferred``:
    why they are given to it though the row does not say so)."""
    for kind, column in (("responsible", "responsible"), ("collaborator", "collaborators")):
        if column in row.cells:
            builder.roles(act.iri, kind, row.cells[column], row.line, more=row.more.get(column, ()),
                          inferred=inferred)


def _keep_whole(builder: PlanBuilder, row: Row, n: int) -> None:
    """A row whose activity cell lists ``n`` activities: its targets, indicators, means and
    progress belong to them in a way the source does not print (two goals run together in one
    cell, "100% 50%" under one semester, one value under the next), so no activity takes them;
    each cell is kept whole, as printed, in a finding."""
    cells = [(kind, strip_markup(text)) for kind in DETAILS for _, text in row.details(kind)]
    cells += [(f"{kind} {label or '?'}", text) for (kind, label), text in sorted(row.progress.items(),
                                                                                  key=lambda kv: str(kv[0]))]
    kept = "; ".join(f"{kind}: '{text}'" for kind, text in cells if text)
    builder.ctx.find("list-cell", f"one cell lists {n} activities; each is its own activity with the bodies of "
                     f"the row (inferred), but the row's other cells are not split among them, since the source "
                     f"does not say which part is whose; kept whole here: {kept}", row.line)


def _describe(builder: PlanBuilder, act: Node, row: Row, levels: Levels, due: str | None,
              period: tuple[int, int] | None) -> None:
    number = row.line
    for kind in DETAILS:
        n = 0
        for line, cell in row.details(kind):
            raw = TARGET_BREAK.split(cell) if kind == "target" and levels.split_targets else [cell]
            for part in (strip_markup(p) for p in raw if strip_markup(p)):
                n += 1
                builder.detail(act.iri, kind, part, line, n, due, row.more.get(kind, ()) if line == number else ())
    _bodies(builder, act, row)
    builder.progress(act.iri, row.progress, number, period, row.heading)
