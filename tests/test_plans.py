"""Plans read from the corpus: counts made by reading the documents, the traps of the real
matrices, golden files compared as graphs, and the plan queries."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from conftest import HERE, assert_golden
from mandato.catalogue import run
from mandato.ingest.actors import Named, split_actors
from mandato.ingest.plan_matrix import due_period, split_notation
from mandato.namespaces import ID, MDO
from mandato.pipeline import load_manifest, read_source
from mandato.registry import load_registry

CONACOES = "cr-conacoes-plan-anual-2021"
PERU = "pe-plan-nacional-trata-2017-2021"
CORETT_OP = "corett-plan-operativo-2020-2022"
CORETT_SP = "corett-plan-estrategico-2018-2027"
MEDELLIN = "co-medellin-plan-intersectorial-escnna-2018-2028"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _read(source_id: str, registry):
    source = next(s for s in load_manifest() if s.id == source_id)
    return source, *read_source(source, registry)


def _count(graph: Graph, cls: URIRef) -> int:
    return len(set(graph.subjects(RDF.type, cls)))


def _plan_part(graph: Graph) -> Graph:
    """The plan's triples: everything but the treaty actions of the same document."""
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns)
    actions = set(graph.subjects(RDF.type, MDO.TreatyAction))
    for t in graph:
        if t[0] not in actions and not str(t[0]).startswith(str(ID["finding/"])):
            out.add(t)
    return out


@pytest.mark.parametrize("source_id", [CONACOES, PERU, CORETT_OP, CORETT_SP, MEDELLIN])
def test_golden_files(source_id, registry):
    _, graph, _ = _read(source_id, registry)
    assert_golden(_plan_part(graph), HERE / "golden" / f"{source_id}.ttl")


def test_conacoes_counts_made_by_reading_the_document(registry):
    source, graph, _ = _read(CONACOES, registry)
    # Independently: every matrix row whose third cell starts with a notation is one activity.
    printed = [ln.split("\t")[2] for ln in source.lines if len(ln.split("\t")) == 8]
    activities = [c for c in printed if re.match(r"(<p>)?\d+(\.\d+)+", c)]
    assert len(activities) == 21
    assert _count(graph, MDO.Activity) == 21
    assert _count(graph, MDO.Axis) == 3 and _count(graph, MDO.GeneralObjective) == 3
    per_axis = {}
    for axis in graph.subjects(RDF.type, MDO.Axis):
        label = str(graph.value(axis, SKOS.prefLabel))
        per_axis[label] = sum(1 for a in graph.subjects(RDF.type, MDO.Activity) if str(a).startswith(str(axis) + "/"))
    assert sorted(per_axis.values()) == [5, 7, 9]


def test_conacoes_approval_and_issuer(registry):
    _, graph, _ = _read(CONACOES, registry)
    plan = ID["plan/cr-conacoes-2021"]
    assert (plan, MDO.approvedBy, ID["organization/cr-cnna"]) in graph
    assert (plan, MDO.approvalAct, Literal("Sesión Ordinaria CNNA 08-2021")) in graph
    assert (plan, MDO.approvalDate, Literal("2021-07-28", datatype=XSD.date)) in graph
    assert (plan, MDO.issuedBy, ID["organization/cr-conacoes"]) in graph


def test_notations_are_kept_and_inconsistencies_reported(registry):
    _, graph, report = _read(CONACOES, registry)
    mismatches = sorted(f.line for f in report.findings if f.code == "notation-mismatch")
    assert mismatches == [83, 84, 85, 94]  # 2.2.x under objective 2.1; 3.3.1 under objective 3.1
    # 1.1.1 in each sub-commission: three activities, three IRIs.
    ones = [a for a in graph.subjects(SKOS.notation, Literal("1.1.1")) if (a, RDF.type, MDO.Activity) in graph]
    assert len(ones) == 3


def test_roles_and_actors(registry):
    _, graph, _ = _read(CONACOES, registry)
    roles = {(str(graph.value(r, MDO.roleKind)).rsplit("/", 1)[-1], str(graph.value(r, MDO.agent)).rsplit("/", 1)[-1])
             for act in graph.subjects(SKOS.notation, Literal("2.3.3")) for r in graph.objects(act, MDO.hasRole)}
    assert roles == {("collaborator", "cr-paniamor"), ("collaborator", "cr-ict"),
                     ("responsible", "cr-conacoes-prevention")}
    # "No hay" collaborators: no collaborator role on the defence sub-commission's 2.1.1.
    act = ID["plan/cr-conacoes-2021/3/general/2/2-1/2-1-1"]
    kinds = {str(graph.value(r, MDO.roleKind)).rsplit("/", 1)[-1] for r in graph.objects(act, MDO.hasRole)}
    assert kinds == {"responsible"}


def test_targets_keep_text_and_due_period(registry):
    _, graph, _ = _read(CONACOES, registry)
    due = {str(graph.value(t, MDO.duePeriod)) for t in graph.subjects(RDF.type, MDO.Target)}
    assert "2021-Q4" in due
    _, peru, _ = _read(PERU, registry)
    act = next(a for a in peru.subjects(SKOS.notation, Literal("1.5.1")))
    targets = list(peru.objects(act, MDO.hasTarget))
    assert len(targets) == 3  # three targets in one cell, separated by wide spaces
    assert {str(peru.value(t, MDO.duePeriod)) for t in targets} == {"2021"}  # "METAS AL 2021"


def test_peru_counts_made_by_reading_the_document(registry):
    source, graph, report = _read(PERU, registry)
    start = source.lines.index("# ACCIONES Y METAS PRIORITARIAS")
    end = next(i for i, ln in enumerate(source.lines) if ln.startswith("# ¿CÓMO IMPLEMENTAMOS"))
    section = "\n".join(source.lines[start:end])
    assert len(re.findall(r"<b>\d+\.\d+\.\d+\.?</b>", section)) == 50
    assert _count(graph, MDO.Activity) == 50
    assert _count(graph, MDO.ImmediateObjective) == 17
    assert _count(graph, MDO.StrategicObjective) == 4 and _count(graph, MDO.Axis) == 4
    assert [f.line for f in report.findings if f.code == "unresolved-actor"] == []
    assert [f.line for f in report.findings if f.code == "name-fragment"] == [449]


def test_a_cell_of_several_targets_is_split_alike_in_every_row(registry):
    # Peru's targets follow one another after two spaces in most rows and after one in others
    # (lines 422, 459-464): every row gives one target per sentence, each as printed.
    source, graph, _ = _read(PERU, registry)
    targets: dict[int, list[str]] = {}
    for t in graph.subjects(RDF.type, MDO.Target):
        targets.setdefault(int(graph.value(t, MDO.sourceLine)), []).append(str(graph.value(t, SKOS.prefLabel)))
    assert len(targets[459]) == 6 and len(targets[464]) == 3 and len(targets[422]) == 5
    for line, texts in targets.items():
        cell = source.lines[line - 1].split("\t")[2]
        assert all(text in cell for text in texts)
        assert all(not re.search(r"\.\s+[A-ZÁÉÍÓÚ]", text) for text in texts), (line, texts)


def test_multi_actor_cells_without_separators(registry):
    names = registry.actors["PE"]
    split = split_actors("MININTER-PNP MP PJ MIMP", names)
    assert [str(a).rsplit("/", 1)[-1] for a in split.actors] == ["pe-pnp", "pe-mp", "pe-pj", "pe-mimp"]
    split = split_actors("Secretaría Técnica de la CMNP TPTIM CMNP TPTIM Gobiernos Regionales y Gobiernos Locales",
                         names)
    assert [str(a).rsplit("/", 1)[-1] for a in split.actors] == [
        "pe-cmnp-tptim-st", "pe-cmnp-tptim", "pe-regional-governments", "pe-local-governments"]
    cr = registry.actors["CR"]
    for variant in ("ST CONACOES", "STCONACOES", "Secretaría Técnica de CONACOES"):
        assert [str(a).rsplit("/", 1)[-1] for a in split_actors(variant, cr).actors] == ["cr-conacoes-st"]
    assert split_actors("No hay", cr).actors == [] and split_actors("No hay", cr).unresolved == []
    assert split_actors("Ministerio de Cosas Raras", cr).unresolved == [Named("Ministerio de Cosas Raras")]


def _keys(actors) -> list[str]:
    return [str(a).rsplit("/", 1)[-1] for a in actors]


def test_instructions_tasks_and_name_fragments_in_a_cell_are_never_actors(registry):
    # CORETT's 2020-2022 operational plan, line 11: an instruction in parentheses (naming the
    # plenary as its addressee) and a task after a colon.
    split = split_actors("Presidencia y Secretaría Técnica (Presentar versión final diagramada al pleno) Países "
                         "miembros: Validar la Estrategia Regional de Prevención", registry.actors["CORETT"])
    assert _keys(split.actors) == ["corett-presidency", "corett-st", "corett-member-states"]
    assert split.notes == ["Presentar versión final diagramada al pleno",
                           "Validar la Estrategia Regional de Prevención"]
    assert split.unresolved == [] and split.fragments == []
    # Peru's plan, line 449: the extraction shuffled "Gobiernos Regionales y Gobiernos Locales"; a
    # parenthesis holding a body's name is that name.
    split = split_actors("Secretaría Técnica de la CMNP TPTIM CMNP TPTIM MINJUS (INDAGA) INEI Gobiernos Regionales "
                         "Gobiernos y Locales", registry.actors["PE"])
    assert _keys(split.actors) == ["pe-cmnp-tptim-st", "pe-cmnp-tptim", "pe-minjus-indaga", "pe-inei",
                                   "pe-regional-governments", "pe-local-governments"]
    assert split.fragments == ["Gobiernos"] and split.unresolved == [] and split.notes == []
    # Words that name no body and repeat none stay an unresolved body, as before.
    split = split_actors("MINJUS (revisar) Ministerio de Cosas Raras", registry.actors["PE"])
    assert _keys(split.actors) == ["pe-minjus"] and split.notes == ["revisar"]
    assert split.unresolved == [Named("Ministerio de Cosas Raras")]


def test_the_cells_of_coretts_operational_plan_name_no_instruction_as_a_body(registry):
    _, graph, report = _read("corett-plan-operativo-2020-2022", registry)
    labels = {str(o) for o in graph.objects(None, SKOS.prefLabel)}
    assert "Presentar versión final diagramada al" not in labels
    assert not any(str(s).endswith("/presentar-version-final-diagramada-al") for s in graph.subjects())
    assert {f.line for f in report.findings if f.code == "cell-note"} == {11}


@pytest.mark.parametrize(("text", "period"), [
    ("Estrategia comunicacional definida al cuarto trimestre 2021", "2021-Q4"),
    ("Presentar para finales del 4° trimestre 2021 la propuesta", "2021-Q4"),
    ("Para el 4° trimestre 2021", "2021-Q4"),
    ("Una línea de base al 2021", "2021"),
    ("Mínimo 10 sesiones de trabajo", None),
])
def test_due_periods(text, period):
    assert due_period(text) == period


def test_notation_as_printed():
    assert split_notation("<b>1.1.</b> <b>Se fortalece</b>") == ("1.1", "Se fortalece")
    assert split_notation("<p>3.3.1. Revisar los alcances</p>") == ("3.3.1", "Revisar los alcances")
    assert split_notation("2. 1.1. Actualizar la Estrategia")[0] == "2. 1.1"
    assert split_notation("Sin número")[0] is None


def test_plan_queries(corpus_store):
    plans = {r["plan"]: r for r in run(corpus_store, "plans", {}).records()}
    assert plans["cr-conacoes-2021"]["period"] == "2021" and plans["cr-conacoes-2021"]["country_code"] == "CR"
    assert plans["pe-plan-nacional-trata-2017-2021"]["period"] == "2017-2021"
    outline = run(corpus_store, "plan-outline", {"plan": "Plan Nacional contra la Trata 2017-2021"}).records()
    assert len(outline) == 4 + 4 + 17 + 50
    assert outline[0]["level"] == "axis" and outline[0]["notation"] == "4"
    assert {r["level"] for r in outline} == {"axis", "objective", "activity"}
    rows = run(corpus_store, "actor-activities", {"actor": "CONACOES"}).records()
    assert {r["role"] for r in rows} == {"responsible", "collaborator"}
    assert len({r["activity_iri"] for r in rows if r["role"] == "responsible"}) == 21  # its units own every activity
    mimp = run(corpus_store, "actor-activities", {"actor": "MIMP"}).records()
    assert mimp and all(r["plan"].startswith("PLAN NACIONAL") for r in mimp)


def test_validate_lists_warnings_per_plan(cli, corpus_store_path):
    code, out, _ = cli("--store", corpus_store_path, "validate")
    assert code == 0
    assert "PLAN NACIONAL CONTRA LA TRATA DE PERSONAS 2017-2021: " in out
    assert "2.1.1 Fortalecer los servicios" in out and "The activity has no indicator." in out


def test_corett_operational_plan_counts_made_by_reading_the_document(registry):
    source, graph, _ = _read(CORETT_OP, registry)
    printed = [ln for ln in source.lines if len(ln.split("\t")) >= 10 and re.match(r"\d+\.", ln.split("\t")[1])]
    assert len(printed) == 20
    assert _count(graph, MDO.Activity) == 20
    assert _count(graph, MDO.OperationalObjective) == 10 and _count(graph, MDO.StrategicObjective) == 5
    assert _count(graph, MDO.Axis) == 4


def test_corett_operational_plan_traps(registry):
    _, graph, report = _read(CORETT_OP, registry)
    codes = {}
    for f in report.findings:
        codes.setdefault(f.code, []).append(f.line)
    assert codes["continuation-line"] == [15]
    assert codes["duplicate-notation"] == [12]  # two activities numbered 1.1
    assert sorted(set(codes["year-outside-period"])) == [59, 60]  # a 2020-2022 table headed 2018/2019
    assert codes["value-without-column"] == [51, 65]  # percentages under no year heading
    assert 46 in codes["notation-mismatch"]  # activity 3.1.2 under operational objective 3.1.1
    ones = [a for a in graph.subjects(SKOS.notation, Literal("1.1")) if (a, RDF.type, MDO.Activity) in graph]
    assert len(ones) == 2
    merged = next(a for a in graph.subjects(SKOS.notation, Literal("1.2")) if (a, RDF.type, MDO.Activity) in graph)
    assert str(graph.value(merged, SKOS.prefLabel)).endswith("acciones contenidas en la estrategia regional.")


def test_progress_stays_numbers_with_their_period(corpus_store):
    rows = run(corpus_store, "plan-progress", {"plan": "Plan Operativo 2020-2022"}).records()
    first = [r for r in rows if r["line"] == "11"]
    # Oxigraph prints decimals in their shortest form (the graph holds xsd:decimal "50.0").
    assert [(r["period"], r["programmed"], r["executed"]) for r in first] == [("2020", "100", "100")]
    line_12 = [(r["period"], r["programmed"], r["executed"]) for r in rows if r["line"] == "12"]
    assert line_12 == [("2020", "50", "0"), ("2021", "100", None)]
    # No 2022 value is printed under a 2022 heading; 2018 and 2019 come from the table so headed.
    assert {r["period"] for r in rows} == {"2018", "2019", "2020", "2021"}
    assert all(0 <= float(r["programmed"]) <= 100 for r in rows if r["programmed"])


def test_regional_plans_have_no_country(corpus_store):
    plans = {r["plan"]: r for r in run(corpus_store, "plans", {}).records()}
    assert plans[CORETT_OP]["country_code"] is None and plans[CORETT_OP]["issued_by"].startswith("Coalición Regional")
    assert CORETT_OP not in {r["plan"] for r in run(corpus_store, "plans", {"country": "CR"}).records()}


def test_corett_strategic_plan_narrative(registry):
    source, graph, report = _read(CORETT_SP, registry)
    plan = ID["plan/corett-plan-estrategico-2018-2027"]
    vision_at = source.lines.index("1. VISIÓN")
    assert str(graph.value(plan, MDO.vision)) == next(t for t in source.lines[vision_at + 1:] if t.strip()).strip()
    mission_at = source.lines.index("2. MISIÓN")
    assert str(graph.value(plan, MDO.mission)) == next(t for t in source.lines[mission_at + 1:] if t.strip()).strip()
    assert _count(graph, MDO.GeneralObjective) == 1
    strategic = [o for o in graph.subjects(RDF.type, MDO.StrategicObjective) if str(o).startswith(str(plan) + "/")]
    assert sorted(str(graph.value(o, SKOS.notation)) for o in strategic) == ["1", "2.1", "2.2", "3.1", "3.2", "4.1"]
    results = [r for r in graph.subjects(RDF.type, MDO.Result)]
    assert len(results) == 9
    # The objective whose text runs on into the next paragraph is joined.
    o31 = next(o for o in strategic if str(graph.value(o, SKOS.notation)) == "3.1")
    assert "instancias competentes de la investigación" in str(graph.value(o31, SKOS.prefLabel))
    r1 = next(r for r in results if str(graph.value(r, SKOS.notation)) == "1")
    assert len(list(graph.objects(r1, MDO.hasIndicator))) == 2
    # Resultado 2.1 printed again under objective 2.2: kept, reported.
    assert 737 in [f.line for f in report.findings if f.code == "notation-mismatch"]
    functions = {str(o) for o in graph.objects(ID["organization/corett-presidency"], MDO.function)}
    assert "Convocar a reuniones de la Coalición Regional." in functions
    assert len(list(graph.objects(ID["organization/corett-st"], MDO.function))) >= 9


def test_corett_2018_matrix(registry):
    source, graph, report = _read(CORETT_SP, registry)
    plan = ID["plan/corett-plan-operativo-2018"]
    assert (plan, MDO.implementsPlan, ID["plan/corett-plan-estrategico-2018-2027"]) in graph
    activities = [a for a in graph.subjects(RDF.type, MDO.Activity) if str(a).startswith(str(plan) + "/")]
    # 17 rows with an activity, two of them listing two activities each.
    start = source.lines.index("MATRIZ DEL PLAN OPERATIVO 2018")
    rows = [ln for ln in source.lines[start:] if len(ln.split("\t")) == 7 and ln.split("\t")[1].strip()
            and ln.split("\t")[1] != "Actividad"]
    assert len(rows) == 17 and len(activities) == 19
    codes = {}
    for f in report.findings:
        codes.setdefault(f.code, set()).add(f.line)
    assert codes["list-cell"] == {1080, 1081}
    assert codes["heading-in-table"] == {1065}
    assert codes["continuation-line"] == {1046}
    # A list cell's row: two goals run together in one cell, "100% 50%" under one semester and
    # "50%" under the next. No activity of the list takes them (neither both goals nor 150 %);
    # the finding keeps each cell as printed, and the row's bodies are each activity's by inference.
    listed = [a for a in activities if int(graph.value(a, MDO.sourceLine)) in (1080, 1081)]
    assert len(listed) == 4
    for a in listed:
        assert not {*graph.objects(a, MDO.hasTarget), *graph.objects(a, MDO.hasIndicator),
                    *graph.objects(a, MDO.hasProgress)}
        assert len(list(graph.objects(a, MDO.hasRole))) == 2
    kept = next(f.message for f in report.findings if f.code == "list-cell" and f.line == 1080)
    assert "target: 'Comité de elaboración conformado y aprobado Estrategia Institucional Diseñada" in kept
    assert "programmed 2018-S1: '100% 50%'" in kept and "programmed 2018-S2: '50%'" in kept
    inferred = {s for s in graph.subjects(MDO.basis, ID["statement-basis/inferred"])
                if graph.value(s, RDF.predicate) == MDO.hasRole}
    assert {(graph.value(s, RDF.subject), graph.value(s, RDF.object)) for s in inferred} == {
        (a, r) for a in listed for r in graph.objects(a, MDO.hasRole)}
    semesters = {str(graph.value(r, MDO.startDate)) for a in activities for r in graph.objects(a, MDO.hasProgress)}
    assert semesters == {"2018-01-01", "2018-07-01"}


def test_medellin_plan(registry):
    _, graph, report = _read(MEDELLIN, registry)
    plan = ID["plan/co-medellin-plan-intersectorial-escnna-2018-2028"]
    assert (plan, MDO.jurisdiction, ID["municipality/co-medellin"]) in graph
    assert (plan, MDO.issuedBy, ID["organization/co-medellin-inclusion"]) in graph
    assert (plan, MDO.startDate, Literal("2018", datatype=XSD.gYear)) in graph
    assert _count(graph, MDO.TransversalLine) == 5
    strategic = [x for x in graph.subjects(RDF.type, MDO.StrategicLine) if str(x).startswith(str(plan) + "/line-")]
    declared = sorted((int(graph.value(x, MDO.declaredActions)), int(graph.value(x, MDO.declaredTargets)))
                      for x in strategic)
    assert declared == [(5, 7), (6, 8), (9, 16), (12, 22)]  # as printed in "Matriz de acciones"
    assert len([f for f in report.findings if f.code == "actions-not-listed"]) == 4
    milestones = list(graph.objects(plan, MDO.milestone))
    assert len(milestones) == 11 and "timeline-years" in {f.code for f in report.findings}
    operational = ID["plan/co-medellin-plan-operativo-2020"]
    assert (operational, MDO.implementsPlan, plan) in graph
    assert len(list(graph.objects(operational, MDO.reportedAdvance))) == 9
    challenges = [c for x in graph.subjects(MDO.partOf, operational) for c in graph.objects(x, MDO.challenge)]
    assert len(challenges) == 4


def test_municipal_plans_belong_to_their_country(corpus_store):
    plans = {r["plan"]: r for r in run(corpus_store, "plans", {"country": "Colombia"}).records()}
    # The plan, its 2020 operational plan and the ten-year plan it is based on (line 23).
    assert set(plans) == {MEDELLIN, "co-medellin-plan-operativo-2020", "co-medellin-plan-docenal-2016-2028"}
    assert {r["country_code"] for r in plans.values()} == {"CO"}


def test_matrix_traps_on_a_small_excerpt(registry):
    """Repeated headings after a page break, a two-row heading with split words ("Progra mado"),
    a cell broken across lines, HTML in cells, repeated and foreign notations, several actors in
    one cell, "No hay", an unknown actor, a percentage under no heading, due periods."""
    from mandato.ingest.base import ReadContext, Source
    from mandato.ingest.plan_matrix import Levels, read_matrix
    from mandato.ingest.plans_common import open_plan

    source = Source("matrix-traps", HERE / "inputs" / "plans" / "matrix-traps.txt", "excerpt", jurisdiction="PE",
                    plans={"main": {"key": "excerpt", "title": "Excerpt", "period": "2020-2021",
                                    "kind": "OperationalPlan"}})
    ctx = ReadContext(source, registry)
    builder = open_plan(ctx, {})
    read_matrix(builder, builder.root, 0, len(source.lines), Levels({"objective": MDO.OperationalObjective}),
                "excerpt", period=(2020, 2021))
    for finish in ctx.at_end:  # as the pipeline does once every step has read the document
        finish()
    g = ctx.graph
    activities = sorted(g.subjects(RDF.type, MDO.Activity))
    assert len(activities) == 4 and _count(g, MDO.OperationalObjective) == 2
    codes = {}
    for f in ctx.findings:
        codes.setdefault(f.code, []).append(f.line)
    assert codes["duplicate-notation"] == [6]
    assert codes["continuation-line"] == [7]
    assert codes["notation-mismatch"] == [8]
    assert codes["unresolved-actor"] == [8]
    assert codes["value-without-column"] == [12]
    second = ID["plan/excerpt/1/1-1-2"]
    assert str(g.value(second, SKOS.prefLabel)).endswith("cuyo texto sigue en la línea siguiente.")
    targets = {str(g.value(t, SKOS.prefLabel)) for t in g.objects(second, MDO.hasTarget)}
    assert targets == {"Meta dos (continúa la meta)"}
    assert list(g.objects(second, MDO.hasRole)) == []  # "No hay"
    first = ID["plan/excerpt/1/1-1"]
    agents = {str(g.value(r, MDO.agent)).rsplit("/", 1)[-1] for r in g.objects(first, MDO.hasRole)}
    assert agents == {"pe-mp", "pe-pj"}
    progress = {(str(g.value(p, MDO.startDate)), str(g.value(p, MDO.programmed)), str(g.value(p, MDO.executed)))
                for p in g.objects(first, MDO.hasProgress)}
    assert progress == {("2020", "25.0", "10.0"), ("2021", "75.0", "None")}
    assert {str(g.value(t, MDO.duePeriod)) for t in g.objects(first, MDO.hasTarget)} == {"2021-Q4"}
    html = ID["plan/excerpt/1/2-1-1"]
    assert {str(g.value(t, SKOS.prefLabel)) for t in g.objects(html, MDO.hasTarget)} == {"Meta tres"}
    after_break = ID["plan/excerpt/2/2-1"]
    assert (after_break, RDF.type, MDO.Activity) in g


def test_a_continuation_line_that_starts_a_new_indicator_gives_an_item_of_its_own(registry):
    # CORETT's strategic plan, lines 1045-1046: the second line holds a second indicator (and a
    # second 100 % that no item takes), not the end of the first indicator.
    _, graph, report = _read("corett-plan-estrategico-2018-2027", registry)
    first = next(s for s, o in graph.subject_objects(SKOS.prefLabel)
                 if str(o) == "Número de minutos o reportes de la sesión de socialización")
    activity = next(graph.subjects(MDO.hasIndicator, first))
    indicators = {str(graph.value(i, SKOS.prefLabel)): int(graph.value(i, MDO.sourceLine))
                  for i in graph.objects(activity, MDO.hasIndicator)}
    assert indicators == {"Número de minutos o reportes de la sesión de socialización": 1045,
                          "Número de protocolos revisados y adecuados": 1046}
    codes = {f.code for f in report.findings if f.line == 1046}
    assert {"item-on-continuation-line", "progress-on-continuation-line"} <= codes
