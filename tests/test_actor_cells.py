"""Cells that name several bodies (issue 31): every body is split out, known or not, on the
separators curators write; a name keeps its hyphen and its acronym; two names are never joined
into one body, and a name read across a comma or "y" is reported."""

from __future__ import annotations

import pytest

from mandato.ingest.actors import Named, spells, split_actors
from mandato.ingest.plan_matrix import BODY_HEADS, CELL_WORDS
from mandato.registry import load_registry


def unknown(cell: str, names=None) -> list[tuple[str, str | None]]:
    split = split_actors(cell, names or {}, BODY_HEADS)
    return [(n.name, n.acronym) for n in split.unresolved]


@pytest.mark.parametrize(("cell", "bodies"), [
    ("MINEDUC, SVET", [("MINEDUC", None), ("SVET", None)]),
    ("DGME, ISNA", [("DGME", None), ("ISNA", None)]),
    ("SE-CNCTP", [("SE-CNCTP", None)]),  # one body; its hyphen kept
    ("SVET, Secretaría de Bienestar Social (SBS)", [("SVET", None), ("Secretaría de Bienestar Social", "SBS")]),
    ("PNC, Ministerio de Gobernación", [("PNC", None), ("Ministerio de Gobernación", None)]),
    ("PNC; MP", [("PNC", None), ("MP", None)]),
    ("SVET y PGN", [("SVET", None), ("PGN", None)]),
    ("MINEDUC e ISNA", [("MINEDUC", None), ("ISNA", None)]),
    ("MINEDUC\nSVET\r\nPGN", [("MINEDUC", None), ("SVET", None), ("PGN", None)]),
    ("Ministerio de Gobernación, Policía Nacional Civil (PNC)",
     [("Ministerio de Gobernación", None), ("Policía Nacional Civil", "PNC")]),
    # an acronym closing a name whose initials it spells: one body, across its comma and "y"
    ("Secretaría contra la Violencia Sexual, Explotación y Trata de Personas (SVET)",
     [("Secretaría contra la Violencia Sexual, Explotación y Trata de Personas", "SVET")]),
    ("Ministerio de Trabajo y Previsión Social (MTPS), PNC",
     [("Ministerio de Trabajo y Previsión Social", "MTPS"), ("PNC", None)]),
    ("Ministerio Público (MP); Procuraduría General de la Nación (PGN); Ministerio de Salud, PNC",
     [("Ministerio Público", "MP"), ("Procuraduría General de la Nación", "PGN"), ("Ministerio de Salud", None),
      ("PNC", None)]),
])
def test_every_body_of_a_cell_is_its_own(cell, bodies):
    assert unknown(cell) == bodies


def test_a_name_read_across_a_comma_is_reported():
    split = split_actors("Ministerio de Educación, Cultura y Deportes, PNC", {}, BODY_HEADS)
    assert split.unresolved == [Named("Ministerio de Educación, Cultura y Deportes"), Named("PNC")]
    assert split.joined == ["Ministerio de Educación, Cultura y Deportes"]
    assert split_actors("MINEDUC, SVET", {}, BODY_HEADS).joined == []


def test_known_and_unknown_bodies_in_one_cell_stay_apart():
    pe = load_registry().actors["PE"]
    split = split_actors("MIMP, Ministerio de Cosas Raras y PNC Regional", pe, BODY_HEADS)
    assert [str(a).rsplit("/", 1)[-1] for a in split.actors] == ["pe-mimp"]
    assert split.unresolved == [Named("Ministerio de Cosas Raras"), Named("PNC Regional")]


def test_a_layout_may_split_on_a_slash_or_a_hyphen():
    assert unknown("MINEDUC/SVET") == [("MINEDUC/SVET", None)]
    assert [n.name for n in split_actors("MINEDUC/SVET", {}, BODY_HEADS, ["/"]).unresolved] == ["MINEDUC", "SVET"]


def test_a_known_acronym_after_a_name_is_that_body():
    """"Ministerio de Educación (MINEDUC)" where MINEDUC is known: one body, whose full name the
    cell gives; a name its parenthesis does not spell is kept whole and reported."""
    names = {("mineduc",): "mineduc", ("cicesct",): "cicesct"}
    split = split_actors("Ministerio de Educación (MINEDUC)", names, BODY_HEADS)
    assert split.actors == ["mineduc"] and split.unresolved == []
    assert split.names == {"mineduc": "Ministerio de Educación"}
    split = split_actors("Comisión Interinstitucional contra la Explotación Sexual Comercial y Trata de Personas "
                         "(CICESCT)", names, BODY_HEADS)
    assert split.actors == ["cicesct"] and split.unresolved == []
    split = split_actors("Policía Nacional (DINAPEN)", {}, BODY_HEADS)
    assert split.unresolved == [Named("Policía Nacional (DINAPEN)")] and split.odd == ["Policía Nacional (DINAPEN)"]


@pytest.mark.parametrize(("acronym", "name", "spelt"), [
    ("SVET", "Secretaría contra la Violencia Sexual, Explotación y Trata de Personas", True),
    ("MINEDUC", "Ministerio de Educación", True),
    ("MRREE", "Ministerio de Relaciones Exteriores", True),  # a doubled letter: a plural's word
    ("CICESCT", "Comisión Interinstitucional contra la Explotación Sexual Comercial y Trata de Personas", True),
    ("DINAPEN", "Policía Nacional", False),
    ("PNC", "Ministerio de Gobernación", False),
])
def test_an_acronym_spells_its_name(acronym, name, spelt):
    assert spells(acronym, name) is spelt


def test_cells_that_name_no_body_or_the_row_above():
    words = CELL_WORDS
    assert split_actors("Ídem", {}, BODY_HEADS, (), words).same_as_above
    for cell in ("Por definir", "N/A", "—", "Todas las instituciones del Comité"):
        split = split_actors(cell, {}, BODY_HEADS, (), words)
        assert split.placeholders == [cell] and split.unresolved == [] and split.actors == []
    split = split_actors("MINEDUC; Por definir", {}, BODY_HEADS, (), words)
    assert split.unresolved == [Named("MINEDUC")] and split.placeholders == ["Por definir"]


def test_a_body_named_twice_in_a_cell_is_one_and_reported():
    split = split_actors("PGN, Procuraduría General de la Nación (PGN)", {("pgn",): "pgn"}, BODY_HEADS)
    assert split.actors == ["pgn"] and split.repeated == [("PGN", "Procuraduría General de la Nación (PGN)")]
    assert split_actors("PGN y SVET, PGN", {}, BODY_HEADS).repeated == [("PGN", "PGN")]

