"""One search box over the graph (the home page of ``mandato serve``, ``/search?q=``).

It reads the same names as the saved queries' resolver (:mod:`mandato.resolve`: labels, aliases,
short names, depositary ids, ISO codes, in Spanish and English, forgiving of case and accents), for
each kind a person looks for, and answers the best entries of each kind. Treaties, national norms
and other instruments are kinds of their own, as are bodies, plans and the parts of plans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from mandato.catalogue import matcher
from mandato.namespaces import MDO, ORG
from mandato.resolve import Matcher

# kind: the class whose instances it lists (a class's subclasses included), in the order shown.
KINDS: dict[str, URIRef] = {
    "instrument": MDO.Treaty,
    "norm": MDO.NationalNorm,
    "soft-law": MDO.SoftLawInstrument,
    "country": MDO.Country,
    "body": ORG.Organization,
    "plan": MDO.Plan,
    "activity": MDO.PlanComponent,
}


@dataclass
class Hit:
    iri: str
    label: str
    rank: int  # 0 an exact name, 1 a name that starts so, 2 every word, 3 words that start so
    label_lang: str = "es"  # the language of ``label``: Spanish where the one asked for is missing


def search(store: Any, text: str, lang: str = "es", limit: int = 20) -> dict[str, list[Hit]]:
    """The best entries of each kind for ``text``, labels in ``lang`` (Spanish where a label is
    missing in ``lang``); kinds with none are left out, and the kind with the best hit comes first."""
    found: dict[str, list[Hit]] = {}
    for kind in KINDS:
        hits = _names(store, kind).search(text, limit)
        if hits:
            found[kind] = [Hit(e.iri, e.label_in(lang), rank, e.lang_of(lang)) for rank, e in hits]
    return dict(sorted(found.items(), key=lambda kv: kv[1][0].rank))


def warm(store: Any) -> None:
    """Read the names of every kind now (at ~1M triples the parts of plans take seconds), so that
    the first search does not wait for them."""
    for kind in KINDS:
        _names(store, kind)


def _names(store: Any, kind: str) -> Matcher:
    """The names of one kind, kept with the store's resolvers (apart from the parameter types')."""
    return matcher(store, f"search:{kind}", KINDS[kind])
