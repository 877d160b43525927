"""Saved queries through the real command line and the real store with the bundled corpus."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from mandato.catalogue import load_catalogue, run, sort_lists
from mandato.errors import ParameterError
from mandato.results import Table


def rows(cli, store, *args) -> list[dict]:
    code, out, err = cli("--store", store, "query", *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_palermo_protocol_ratifications(cli, corpus_store_path):
    data = rows(cli, corpus_store_path, "ratifications", "-p", "instrument=Protocolo de Palermo")
    assert list(data[0])[:7] == ["country", "country_code", "instrument", "action", "date", "deposit_date", "source"]
    by_code = {r["country_code"]: r for r in data if r["country_code"] != "PE"}
    assert set(by_code) == {"CR", "SV", "GT", "HN", "MX", "NI", "PA", "DO"}
    assert by_code["CR"]["date"] == "2003-09-09" and by_code["CR"]["action"] == "ratification"
    assert by_code["CR"]["source"] == "corett-plan-estrategico-2018-2027.txt, line 434"
    assert by_code["CR"]["sources"] == "1"
    # Peru's plan: a signature in 2000 (line 188), and a ratification it states without a date (184).
    peru = sorted((r["action"], r["date"], r["source"]) for r in data if r["country_code"] == "PE")
    assert peru == [("ratification", None, "pe-plan-nacional-trata-2017-2021.txt, line 184"),
                    ("signature", "2000", "pe-plan-nacional-trata-2017-2021.txt, line 188")]


@pytest.mark.parametrize("name", ["XVIII-12-a", "xviii-12-a", "Palermo Protocol", "protocolo de palermo",
                                  "PROTOCOLO PARA PREVENIR, REPRIMIR Y SANCIONAR LA TRATA DE PERSONAS",
                                  "https://w3id.org/mandato/id/instrument/un-xviii-12-a"])
@pytest.mark.parametrize("country", ["Rep. Dominicana", "República Dominicana", "republica dominicana",
                                     "Dominican Republic", "DO", "DOM"])
def test_forgiving_names(corpus_store, name, country):
    table = run(corpus_store, "ratifications", {"instrument": name, "country": country})
    assert [(r["country_code"], r["date"]) for r in table.records()] == [("DO", "2008-02-05")]


def test_csv_output(cli, corpus_store_path):
    code, out, _ = cli("--store", corpus_store_path, "query", "ratifications", "-p", "instrument=XVIII-12-a",
                       "-p", "country=Rep. Dominicana", "--format", "csv")
    assert code == 0
    records = list(csv.DictReader(io.StringIO(out)))
    assert len(records) == 1 and records[0]["date"] == "2008-02-05" and records[0]["deposit_date"] == ""


def test_belem_do_para_keeps_deposit_dates(corpus_store):
    table = run(corpus_store, "ratifications", {"instrument": "Convención de Belém do Pará", "country": "SV"})
    assert [(r["date"], r["deposit_date"]) for r in table.records()] == [("1995-11-13", "1996-01-26")]


def test_not_ratified_lists_members_without_an_act(cli, corpus_store_path):
    data = rows(cli, corpus_store_path, "not-ratified", "-p",
                "instrument=Protocolo Facultativo de la Convención contra la Tortura")
    assert {r["country_code"] for r in data} == {"SV", "DO", "BZ"}


def test_not_ratified_defaults_to_the_regional_coalition(corpus_store):
    # Belize is a member (line 72) with no act recorded in the tables; Peru is no member.
    table = run(corpus_store, "not-ratified", {"instrument": "Palermo Protocol"})
    members = {r["country_code"] for r in table.records()}
    assert members == {"BZ"}


def test_country_instruments_of_honduras(cli, corpus_store_path):
    data = rows(cli, corpus_store_path, "country-instruments", "-p", "country=HN")
    assert list(data[0])[:4] == ["instrument", "action", "date", "source"]
    # 14 of the 15 instruments of table A (OP-CEDAW empty), 3 of table B, and the signature of the
    # Central American victims convention (section C, line 561)
    assert len(data) == 18
    assert [r["date"] for r in data] == sorted(r["date"] for r in data)


def test_ratification_matrix(cli, corpus_store_path):
    code, out, _ = cli("--store", corpus_store_path, "query", "ratification-matrix", "--format", "csv")
    assert code == 0
    records = list(csv.DictReader(io.StringIO(out)))
    header = next(csv.reader(io.StringIO(out)))
    assert header[:2] == ["country", "country_code"] and len(header) == 2 + 19
    by_code = {r["country_code"]: r for r in records}
    # An instrument without a short name is a column under its name (its acts were once dropped).
    convention = next(c for c in header if c.startswith("Convenio centroamericano para la protección de víctimas"))
    assert {c for c, r in by_code.items() if r[convention] == "2007-12-11 (signature)"} == {
        "BZ", "CR", "SV", "GT", "HN", "NI", "PA", "DO"}
    assert by_code["CR"]["Protocolo de Palermo"] == "2003-09-09 (ratification)"
    assert by_code["PE"]["Pacto de San José"] == "1978 (ratification)"
    assert by_code["BZ"]["Protocolo de Palermo"] == ""  # a member with no act is a row of empty cells


def test_ratification_matrix_for_a_group_in_english(corpus_store):
    table = run(corpus_store, "ratification-matrix", {"group": "Regional Coalition", "lang": "en"})
    codes = [r["country_code"] for r in table.records()]
    assert sorted(codes) == ["BZ", "CR", "DO", "GT", "HN", "MX", "NI", "PA", "SV"]
    assert "Palermo Protocol" in table.columns


def test_ambiguous_name_lists_candidates(cli, corpus_store_path):
    code, _, err = cli("--store", corpus_store_path, "query", "ratifications", "-p", "instrument=Palermo")
    assert code == 2
    assert "ambiguous" in err and "un-xviii-12>" in err and "un-xviii-12-a>" in err


def test_unknown_name_suggests(corpus_store):
    with pytest.raises(ParameterError) as info:
        run(corpus_store, "ratifications", {"instrument": "Protocolo de Palermp"})
    assert "no instrument is known" in str(info.value)
    assert any("un-xviii-12-a" in c for c in info.value.candidates)


def test_missing_required_parameter(cli, corpus_store_path):
    code, _, err = cli("--store", corpus_store_path, "query", "ratifications")
    assert code == 2 and "needs the parameter 'instrument'" in err


def test_unknown_query_and_parameter(cli, corpus_store_path):
    assert cli("--store", corpus_store_path, "query", "nope")[0] == 2
    code, _, err = cli("--store", corpus_store_path, "query", "ratifications",
                       "-p", "instrument=C182", "-p", "colour=red")
    assert code == 2 and "colour" in err


HOSTILE = ['" } ; DROP ALL ; #', 'es" . } #', "<http://x>", "\\u0022 }", "x" * 5000, "es\nen", "es' } #"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_never_change_the_query(corpus_store, hostile):
    for params in ({"instrument": hostile}, {"instrument": "C182", "lang": hostile}):
        with pytest.raises(ParameterError):
            run(corpus_store, "ratifications", params)
    try:  # a value the resolver reads as a name ('es" . } #' is Spain's code, ES) is a country's IRI
        rows = run(corpus_store, "ratifications", {"instrument": "C182", "country": hostile}).rows
    except ParameterError:
        rows = []
    assert rows == []  # no country outside the corpus states an act
    assert len(run(corpus_store, "ratifications", {"instrument": "C182"}).rows) == 8


def test_catalogue_headers():
    catalogue = load_catalogue()
    assert {"ratifications", "not-ratified", "country-instruments", "ratification-matrix"} <= set(catalogue)
    for q in catalogue.values():
        assert q.summary and q.description
        for p in q.params:
            assert p.example and p.description
    assert "no act recorded in the sources" in catalogue["not-ratified"].summary


@pytest.mark.parametrize(("text", "problem"), [
    ("SELECT * WHERE { ?s ?p ?o }", "has no summary"),
    ("#+ summary: x\nSELECT * WHERE { ?s ?p ", "not valid SPARQL"),
    ("#+ summary: x\n#+ params:\n#+   a: {type: colour}\nSELECT ?a WHERE { ?s ?p ?a }", "has type 'colour'"),
    ("#+ summary: x\n#+ params:\n#+   a: {type: country, var: nope}\nSELECT ?a WHERE { ?s ?p ?a }", "?nope"),
    ("#+ summary: [unclosed\nSELECT * WHERE { ?s ?p ?o }", "not valid YAML"),
    ("#+ summary: x\n#+ params:\n#+   a: {type: choice}\nSELECT ?a WHERE { ?s ?p ?a }", "a list of words"),
    ("#+ summary: x\n#+ params:\n#+   a: {type: lang, choices: [es]}\nSELECT ?a WHERE { ?s ?p ?a }", "type choice"),
    ("#+ summary: x\n#+ params:\n#+   a: {type: choice, choices: ['a b']}\nSELECT ?a WHERE { ?s ?p ?a }", "choices"),
])
def test_a_broken_saved_query_stops_start_up(tmp_path, text, problem):
    from mandato.errors import CatalogueError

    (tmp_path / "broken.rq").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(tmp_path)
    assert "broken.rq" in str(info.value) and problem in str(info.value)


def test_a_concatenated_column_lists_its_parts_in_order(corpus_store):
    """GROUP_CONCAT's order is the engine's: the catalogue sorts the parts (numbers by value)
    and gives an empty list as no value, so every engine answers the same text."""
    assert load_catalogue()["resource"].lists == {"source": "; "}
    table = sort_lists(Table(["source", "n"], [[ox.Literal("a.txt, line 10; a.txt, line 9"), ox.Literal("2; 1")],
                                               [ox.Literal(""), None]]), {"source": "; "})
    assert table.rows == [[ox.Literal("a.txt, line 9; a.txt, line 10"), ox.Literal("2; 1")], [None, None]]
    # Links that two statements of one source make, on two lines.
    twice = corpus_store.select("""PREFIX mdo: <https://w3id.org/mandato/ontology#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT DISTINCT ?s WHERE { ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; mdo:citation/mdo:locator ?x .
                          ?b rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; mdo:citation/mdo:locator ?y .
                          FILTER(STRSTARTS(?x, "line ") && STRSTARTS(?y, "line ") && ?x != ?y) } LIMIT 20""")
    rows = [r for (s,) in twice.rows for r in run(corpus_store, "resource", {"resource": s.value}).records()]
    cited = [[int(part.rsplit("line ", 1)[1].split()[0]) for part in r["source"].split("; ")]
             for r in rows if r["source"] and r["source"].count(", line ") > 1]
    assert cited and all(lines == sorted(lines) for lines in cited)


def test_a_language_the_data_holds_no_labels_in_is_an_error_naming_those_it_holds(corpus_store):
    """One language is checked with an ASK (it stops at the first label); a language the data
    does not hold lists those it holds, for the error and for every later check."""
    from mandato.catalogue import holds_language

    corpus_store.matchers.pop("@languages", None)  # a cache: as if the store had just been opened
    assert holds_language(corpus_store, "en") and "@languages" not in corpus_store.matchers
    assert len(run(corpus_store, "ratifications", {"instrument": "C182", "lang": "en"}).rows) > 1
    with pytest.raises(ParameterError) as info:
        run(corpus_store, "ratifications", {"instrument": "C182", "lang": "fr"})
    assert "'fr'" in str(info.value) and info.value.candidates == ["en", "es"]
    assert corpus_store.matchers["@languages"] == ["en", "es"]
    assert holds_language(corpus_store, "es") and not holds_language(corpus_store, "de")


def test_finding_counts_count_the_findings_of_each_source_by_kind(corpus_store):
    from collections import Counter

    counts = {(r["source_iri"], r["code"]): int(r["findings"]) for r in run(corpus_store, "finding-counts").records()}
    listed = Counter((r["source_iri"], r["code"]) for r in run(corpus_store, "findings").records())
    assert counts == dict(listed) and len({s for s, _ in counts}) > 1
