"""Reference data given with ``--reference`` adds to the bundled reference and overrides it by
key (sources as data, item 5): a new country's actors need only their file; a row whose key the
bundled data holds replaces that row; a directory that is not there is a clear error."""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal
from rdflib.namespace import PROV, SKOS

from mandato.namespaces import MDO, resource
from mandato.registry import load_registry

GT_ACTORS = """\
- key: gt-svet
  class: mdo:Secretariat
  name:
    es: Secretaría contra la Violencia Sexual, Explotación y Trata de Personas
    en: Secretariat against Sexual Violence, Exploitation and Trafficking in Persons
  variants: [SVET]
"""


def test_a_new_countrys_actors_need_only_their_file(tmp_path: Path):
    (tmp_path / "actors").mkdir()
    (tmp_path / "actors" / "GT.yaml").write_text(GT_ACTORS, encoding="utf-8")
    registry = load_registry(tmp_path)
    svet = resource("organization", "gt-svet")
    assert ("svet",) in registry.actors["GT"] and registry.actors["GT"][("svet",)] == svet
    table = registry.graph.value(svet, PROV.wasDerivedFrom)
    assert str(registry.graph.value(table, MDO.fileName)) == "actors/GT.yaml"  # not in a sources.yaml: its path
    assert table != resource("reference", "actors/GT.yaml")  # not confused with a bundled table
    bundled = load_registry()
    assert registry.countries.resolve("Costa Rica").iri == bundled.countries.resolve("Costa Rica").iri
    assert set(bundled.graph) <= set(registry.graph)  # added to, nothing lost
    assert len(registry.actors["CR"]) == len(bundled.actors["CR"])


def test_a_row_with_a_bundled_key_replaces_that_row(tmp_path: Path):
    (tmp_path / "countries.csv").write_text(
        "alpha2,alpha3,name_es,name_en,variants,wikidata\n"
        "CR,CRI,Costa Rica,Republic of Costa Rica,República de Costa Rica,Q800\n"
        "BO,BOL,Bolivia,Bolivia (Plurinational State of),Estado Plurinacional de Bolivia,Q750\n", encoding="utf-8")
    registry = load_registry(tmp_path)
    cr = resource("country", "CR")
    assert set(registry.graph.objects(cr, SKOS.prefLabel)) == {Literal("Costa Rica", lang="es"),
                                                               Literal("Republic of Costa Rica", lang="en")}
    assert registry.countries.resolve("República de Costa Rica").iri == str(cr)
    assert registry.countries.resolve("Bolivia (Plurinational State of)").iri == str(resource("country", "BO"))
    assert registry.countries.resolve("Honduras").iri == str(resource("country", "HN"))  # the rest kept


def test_a_missing_reference_directory_is_a_clear_error(cli, tmp_path: Path):
    code, _out, err = cli("--store", tmp_path / "store", "ingest", "--reference", tmp_path / "nowhere")
    assert code == 2 and "no such directory of reference data" in err and "Traceback" not in err
    assert not (tmp_path / "store").exists()  # nothing written


def test_every_iso_country_is_known_with_the_forms_depositaries_print():
    """A depositary's table of 190 participants reads without a curator adding countries."""
    import pycountry

    registry = load_registry()
    for country in pycountry.countries:
        assert registry.countries.resolve(country.alpha_2).iri == str(resource("country", country.alpha_2))
    un_forms = {  # as the UN Treaty Collection prints participants
        "Bolivia (Plurinational State of)": "BO", "Venezuela (Bolivarian Republic of)": "VE",
        "Iran (Islamic Republic of)": "IR", "Micronesia (Federated States of)": "FM", "Republic of Korea": "KR",
        "Democratic People's Republic of Korea": "KP", "Republic of Moldova": "MD", "Türkiye": "TR",
        "United Republic of Tanzania": "TZ", "Netherlands (Kingdom of the)": "NL", "Holy See": "VA",
        "United Kingdom of Great Britain and Northern Ireland": "GB", "Democratic Republic of the Congo": "CD",
        "Congo": "CG", "State of Palestine": "PS", "Côte d'Ivoire": "CI", "Lao People's Democratic Republic": "LA",
        "Guinea": "GN", "Equatorial Guinea": "GQ", "Niger": "NE", "Dominica": "DM", "Dominican Republic": "DO",
        "Paraguay": "PY", "Estado Plurinacional de Bolivia": "BO", "República de Corea": "KR",
    }
    for name, code in un_forms.items():
        assert registry.countries.resolve(name).iri == str(resource("country", code)), name


def test_added_reference_data_stays_with_the_store_until_replaced(cli, tmp_path: Path):
    """A later ingest without --reference resolves names as the one that added them did."""
    from mandato.store import Store

    reference = tmp_path / "reference" / "actors"
    reference.mkdir(parents=True)
    (reference / "PY.yaml").write_text(
        "- key: py-minna\n  class: mdo:PublicInstitution\n"
        "  name: {es: Ministerio de la Niñez y la Adolescencia, en: Ministry of Childhood and Adolescence}\n"
        "  variants: [MINNA]\n", encoding="utf-8")
    store = tmp_path / "store"

    def minna() -> list:
        rows = Store(store, must_exist=True).query(
            "SELECT ?l WHERE { <https://w3id.org/mandato/id/organization/py-minna> "
            "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }")
        return [r["l"].value for r in rows]

    assert cli("--store", store, "ingest", "--reference", tmp_path / "reference")[0] == 0
    assert "Ministerio de la Niñez y la Adolescencia" in minna()
    code, _, err = cli("--store", store, "ingest")  # no --reference: the added data is kept
    assert code == 0 and "reference data an earlier ingest added is kept" in err
    assert "Ministerio de la Niñez y la Adolescencia" in minna()
    assert cli("--store", store, "ingest", "--drop-reference")[0] == 0
    assert minna() == []


def test_a_reference_directory_with_no_table_is_an_error(cli, tmp_path: Path):
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "PY.yaml").write_text("- key: x\n", encoding="utf-8")  # not in actors/
    code, _, err = cli("--store", tmp_path / "store", "ingest", "--reference", tmp_path / "reference")
    assert code == 2 and "holds none of the reference tables" in err and "actors/XX.yaml" in err
    assert not (tmp_path / "store").exists()
