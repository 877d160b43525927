"""One fact, many sources (issue 18): the bundled corpus plus a depositary's status table written
for this test, in the UN Treaty Collection's layout, with dates that agree with the Regional
Coalition's tables (Costa Rica, El Salvador), a date that differs (Honduras), an accession mark
the Coalition's table does not print (Guatemala) and a country no other source covers (Chile).
Each act is one node whatever the number of sources; its values are the depositary's; every
difference is a finding naming both sources and lines. The same holds of the one-value facts of a
body described by two sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from mandato.catalogue import run
from mandato.packaged import CORPUS_DIR
from mandato.pipeline import ingest, load_manifest
from mandato.store import Store

STATUS = """\
"12. a Protocol to Prevent, Suppress and Punish Trafficking in Persons (written for mandato's tests)",,
Participant,Signature,"Ratification, Acceptance(A), Approval(AA), Accession(a), Succession(d)"
Chile,8 Aug 2002,29 Nov 2004
Costa Rica,16 Mar 2001,9 Sep 2003
El Salvador,15 Aug 2002,18 Mar 2004
Guatemala,,1 Apr 2004 a
Honduras,,1 Apr 2009
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    corpus = tmp_path_factory.mktemp("many") / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    (corpus / "status.csv").write_text(STATUS, encoding="utf-8")
    entries = yaml.safe_load((corpus / "sources.yaml").read_text(encoding="utf-8"))
    entries.append({"id": "untc-test-status", "file": "status.csv", "title": "A depositary's status table (test)",
                    "layout": "untc-status", "instrument": "XVIII-12-a", "authority": "depositary",
                    "as_at": "2024-06-30"})
    (corpus / "sources.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    s = Store(corpus / "store")
    ingest(s, load_manifest(corpus), progress=lambda _m: None)
    return s


def status(store: Store, country: str) -> list[dict]:
    return run(store, "attestations", {"instrument": "XVIII-12-a", "country": country}).records()


def consent(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["act_iri"].endswith("/consent")]


def test_sources_that_agree_make_one_act_with_the_depositarys_values(store):
    rows = consent(status(store, "CR"))
    assert [(r["source"], r["chosen"], r["agrees"]) for r in rows] == [
        ("status.csv, line 4", "true", "true"),
        ("corett-plan-estrategico-2018-2027.txt, line 434", "false", "true")]
    assert {(r["action"], r["date"], r["sources"], r["authority"]) for r in rows[:1]} == {
        ("ratification", "2003-09-09", "2", "depositary")}
    assert rows[0]["as_at"] == "2024-06-30" and rows[1]["authority"] == "regional"
    acts = run(store, "ratifications", {"instrument": "XVIII-12-a", "country": "CR"}).records()
    assert [(r["action"], r["date"], r["sources"]) for r in acts] == [
        ("signature", "2001-03-16", "1"), ("ratification", "2003-09-09", "2")]


def test_a_mark_or_a_date_that_differs_is_kept_beside_and_reported(store):
    guatemala = consent(status(store, "GT"))
    assert {r["action"] for r in guatemala} == {"accession"}  # the depositary's mark, "a"
    regional = next(r for r in guatemala if r["source"].startswith("corett"))
    assert (regional["stated_action"], regional["agrees"], regional["chosen"]) == ("ratification", "false", "false")
    honduras = consent(status(store, "HN"))
    assert {r["date"] for r in honduras} == {"2009-04-01"}
    assert {(r["stated_date"], r["agrees"]) for r in honduras} == {("2009-04-01", "true"), ("2008-04-01", "false")}
    findings = [r for r in run(store, "findings", {}).records() if r["code"] == "sources-disagree"]
    messages = {r["about_iri"].rsplit("/", 2)[-2]: r["message"] for r in findings}
    assert set(messages) == {"gt", "hn"}
    assert "corett-plan-estrategico-2018-2027.txt, line 436 gives a ratification where status.csv, line 6 gives " \
        "an accession" in messages["gt"]
    assert "line 437 gives dated 2008-04-01 where status.csv, line 7 gives dated 2009-04-01" in messages["hn"]


def test_treaty_status_gives_each_act_once_with_what_agrees_and_what_does_not(store):
    rows = {(r["country_code"], r["action"]): r for r in run(store, "treaty-status", {"instrument": "XVIII-12-a"}
                                                             ).records()}
    cr = rows[("CR", "ratification")]
    assert (cr["date"], cr["sources"], cr["agree"], cr["disagreeing"], cr["as_at"], cr["source"]) == (
        "2003-09-09", "2", "2", None, "2024-06-30", "status.csv, line 4")
    gt = rows[("GT", "accession")]
    assert (gt["sources"], gt["agree"], gt["disagreeing"]) == (
        "2", "1", "corett-plan-estrategico-2018-2027.txt, line 436: ratification 2004-04-01")
    hn = rows[("HN", "ratification")]
    assert (hn["date"], hn["disagreeing"]) == ("2009-04-01", "corett-plan-estrategico-2018-2027.txt, line 437: "
                                                             "ratification 2008-04-01")
    cl = rows[("CL", "ratification")]
    assert (cl["sources"], cl["agree"], cl["disagreeing"]) == ("1", "1", None)
    pe = rows[("PE", "ratification")]  # Peru's plan: no date, no 'as at'
    assert (pe["date"], pe["as_at"], pe["source"]) == (None, None, "pe-plan-nacional-trata-2017-2021.txt, line 184")


def test_a_country_one_source_covers_is_one_act_of_one_source(store):
    (chile,) = consent(status(store, "CL"))
    assert (chile["date"], chile["sources"], chile["chosen"], chile["agrees"]) == ("2004-11-29", "1", "true", "true")


def test_an_act_a_source_states_without_a_date_is_an_act_of_unknown_date(store):
    rows = consent(status(store, "PE"))
    assert [(r["action"], r["date"], r["source"]) for r in rows] == [
        ("ratification", None, "pe-plan-nacional-trata-2017-2021.txt, line 184")]
    not_ratified = run(store, "not-ratified", {"instrument": "XVIII-12-a", "group": "CORETT"}).records()
    assert "PE" not in {r["country_code"] for r in not_ratified}


def test_reconciling_does_not_depend_on_the_order_sources_are_read(store, tmp_path: Path):
    """The same sources read in the other order give the same reconciled values."""
    corpus = Path(store.path).parent
    again = Store(tmp_path / "again")
    ingest(again, list(reversed(load_manifest(corpus))), progress=lambda _m: None)
    for country in ("CR", "GT", "HN"):
        assert status(again, country) == status(store, country)


def test_not_ratified_says_what_each_absence_rests_on(store, corpus_store):
    # The bundled tables list El Salvador under the OPCAT with an empty cell; Belize is in no table.
    rows = {r["country_code"]: r for r in run(corpus_store, "not-ratified", {"instrument": "OPCAT"}).records()}
    assert (rows["SV"]["evidence"], rows["SV"]["listed_in"]) == (
        "listed", "corett-plan-estrategico-2018-2027.txt, line 466")
    assert (rows["BZ"]["evidence"], rows["BZ"]["listed_in"]) == ("no source covers it", None)
    # A depositary's table lists every party: a member it does not name had not acted as at its date.
    rows = {r["country_code"]: r for r in run(store, "not-ratified", {"instrument": "XVIII-12-a"}).records()}
    assert set(rows) == {"BZ"}
    assert (rows["BZ"]["evidence"], rows["BZ"]["complete_lists"]) == (
        "not among the parties listed", "status.csv as at 2024-06-30")


def test_not_ratified_as_of_a_date_counts_the_acts_dated_by_then(store):
    by_2004 = {r["country_code"] for r in run(store, "not-ratified", {"instrument": "XVIII-12-a", "as_of": "2004"}
                                              ).records()}
    # Honduras (2009 per the depositary), the Dominican Republic (2008) had not; Belize never did.
    assert by_2004 == {"BZ", "HN", "DO"}
    by_day = {r["country_code"] for r in run(store, "not-ratified", {"instrument": "XVIII-12-a",
                                                                     "as_of": "2004-03-31"}).records()}
    assert by_day == by_2004 | {"GT", "NI", "PA"}  # 1 April, 12 October, 18 August 2004


def test_two_sources_that_give_a_body_two_values_are_both_kept_and_reported(tmp_path: Path):
    # A report reprinting the Regional Coalition's account of Costa Rica's coalition, with 25
    # member institutions where the plan prints 22 (line 249).
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    plan = "corett-plan-estrategico-2018-2027"
    text = (corpus / f"{plan}.txt").read_text(encoding="utf-8")
    reprint = text.replace("representadas 22 instituciones", "representadas 25 instituciones")
    (corpus / "reprint.txt").write_text(reprint, encoding="utf-8")
    curated = (corpus / "curated" / f"{plan}.yaml").read_text(encoding="utf-8")
    assert curated.count("22 instituciones") == 2  # the body's quote and its members
    (corpus / "curated" / "reprint.yaml").write_text(curated.replace("22 instituciones", "25 instituciones").replace(
        "members: {value: 22,", "members: {value: 25,"), encoding="utf-8")
    entries = yaml.safe_load((corpus / "sources.yaml").read_text(encoding="utf-8"))
    entries.append({"id": "reprint", "file": "reprint.txt", "title": "A reprint of the coalition's account",
                    "actors": "CORETT", "authority": "regional", "curated": "curated/reprint.yaml"})
    (corpus / "sources.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    store = Store(corpus / "store")
    ingest(store, load_manifest(corpus), progress=lambda _m: None)
    members = run(store, "coordination-bodies", {"country": "CR"}).records()
    assert {r["members"] for r in members if r["acronym"] == "CONNATT"} == {"22", "25"}  # both kept
    (finding,) = [r for r in run(store, "findings", {}).records() if r["code"] == "sources-disagree"]
    assert finding["about_iri"].endswith("/organization/cr-connatt") and finding["line"] == "249"
    assert "reprint.txt, line 249 gives memberCount 25" in finding["message"]
    assert "corett-plan-estrategico-2018-2027.txt, line 249 gives 22" in finding["message"]


def test_a_source_read_again_replaces_what_it_said_of_acts(tmp_path: Path):
    """Reconciling at ingest reads the attestations the store keeps, not those of the graphs being
    replaced: when Peru's plan no longer says that Peru ratified the Palermo Protocol (line 184),
    no reconciled value of that act is left behind."""
    import pyoxigraph as ox

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    s = Store(tmp_path / "store")
    ingest(s, load_manifest(corpus), progress=lambda _m: None)
    act = ox.NamedNode("https://w3id.org/mandato/id/treaty-action/un-xviii-12-a/pe/consent")
    reconciled = ox.NamedNode("https://w3id.org/mandato/graph/reconciled")
    assert list(s.ox.quads_for_pattern(act, None, None, reconciled))
    peru = corpus / "pe-plan-nacional-trata-2017-2021.txt"
    peru.chmod(0o644)
    lines = peru.read_text(encoding="utf-8").split("\n")
    assert "la han ratificado" in lines[183]
    lines[183] = lines[183].replace("la han ratificado", "la han estudiado")
    peru.write_text("\n".join(lines), encoding="utf-8")
    ingest(s, [x for x in load_manifest(corpus) if x.id == "pe-plan-nacional-trata-2017-2021"],
           progress=lambda _m: None)
    assert not list(s.ox.quads_for_pattern(act, None, None, None))
