"""Forgiving resolution of what a person types to one resource (design note §6).

An instrument, country or actor may be given by IRI, code (ISO alpha-2/alpha-3, depositary id,
acronym) or any label or alias, in Spanish or English, case-, accent- and punctuation-insensitive.
Resolution tries, in order: the IRI; an exact normalised name; names that contain every
significant word typed. Ambiguity raises :class:`ParameterError` and an unknown value
:class:`UnknownName` (a 404 over HTTP), both listing the candidates. Readers use
:meth:`Matcher.prefix` to recognise a name at the start of a table cell.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib.namespace import DCTERMS, SKOS

from mandato.errors import ParameterError, UnknownName
from mandato.namespaces import MDO
from mandato.normalise import normalise, tokens

# The properties whose values name a resource: the registry's matchers read them from its graph
# (mandato.registry), the saved queries' resolver from the store (NAMES_QUERY).
NAME_PROPERTIES = (SKOS.prefLabel, SKOS.altLabel, MDO.shortName, MDO.depositaryId, MDO.isoAlpha2, MDO.isoAlpha3,
                   DCTERMS.identifier)
NAMES_QUERY = f"""
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?property ?name (LANG(?name) AS ?lang) WHERE {{
  ?s a/rdfs:subClassOf* ?class .
  VALUES ?property {{ {" ".join(f"<{p}>" for p in NAME_PROPERTIES)} }}
  ?s ?property ?name .
}}
"""


def name_rows(records: Iterable[dict[str, str | None]]) -> list[tuple[str, str, str | None, str | None]]:
    """Records of NAMES_QUERY's columns (s, property, name, lang; from the store, or from the
    registry's graph) as a Matcher's rows: each name with its resource's Spanish and English
    labels (its skos:prefLabel in each language, among its names: no OPTIONAL, which Oxigraph
    evaluates over the whole store)."""
    records = list(records)
    labels: dict[tuple[str | None, str | None], str | None] = {}
    for r in records:
        if r["property"] == str(SKOS.prefLabel) and r["lang"] in ("es", "en"):
            labels.setdefault((r["s"], r["lang"]), r["name"])
    return [(str(r["s"]), str(r["name"]), labels.get((r["s"], "es")), labels.get((r["s"], "en"))) for r in records]


@dataclass
class Entry:
    iri: str
    label: str  # in Spanish, else a name
    names: set[str] = field(default_factory=set)
    word_sets: list[frozenset[str]] = field(default_factory=list)
    label_en: str | None = None

    def describe(self) -> str:
        return f"{self.label} <{self.iri}>"

    def label_in(self, lang: str) -> str:
        return (self.label_en or self.label) if lang == "en" else self.label

    def lang_of(self, lang: str) -> str:
        """The language of :meth:`label_in` ``lang``: Spanish where the English label is missing."""
        return "en" if lang == "en" and self.label_en else "es"


class Matcher:
    """Resolves typed names to the entries of one kind (countries, instruments, actors)."""

    def __init__(self, kind: str, rows: Iterable[tuple[str, str, str | None, str | None]]):
        """``rows`` (:func:`name_rows`): IRI, a name, its Spanish label, its English label."""
        self.kind = kind
        self.entries: dict[str, Entry] = {}
        for iri, name, label, label_en in rows:
            entry = self.entries.setdefault(iri, Entry(iri, label or name))
            if label:
                entry.label = label
            if label_en:
                entry.label_en = label_en
            entry.names.add(name)
        self._exact: dict[str, set[str]] = defaultdict(set)
        self._by_word: dict[str, set[str]] = defaultdict(set)  # a word of a name -> the entries it names
        for entry in self.entries.values():
            for name in entry.names:
                self._exact[normalise(name)].add(entry.iri)
                words = tokens(name)
                entry.word_sets.append(words)
                for word in words:
                    self._by_word[word].add(entry.iri)
        # Longest names first, for prefix matching of table cells.
        self._by_length = sorted(self._exact, key=len, reverse=True)

    def resolve(self, text: str) -> Entry:
        text = text.strip()
        if not text:
            raise ParameterError(f"an empty {self.kind} name was given")
        if text in self.entries:
            return self.entries[text]
        hits = self._exact.get(normalise(text), set())
        if not hits:
            wanted = tokens(text)
            if wanted:
                hits = {iri for iri in self._naming_every(wanted)
                        if any(wanted <= w for w in self.entries[iri].word_sets)}
        if len(hits) == 1:
            return self.entries[next(iter(hits))]
        if hits:
            raise ParameterError(
                f"the {self.kind} '{text}' is ambiguous",
                sorted(self.entries[i].describe() for i in hits),
            )
        close = difflib.get_close_matches(normalise(text), list(self._exact), n=5, cutoff=0.6)
        suggestions = sorted({self.entries[i].describe() for n in close for i in self._exact[n]})
        raise UnknownName(f"no {self.kind} is known as '{text}'", suggestions)

    def _naming_every(self, words: frozenset[str]) -> set[str]:
        """The entries whose names, together, hold every word (rarest word first): the only ones
        a name holding them all can belong to."""
        postings = sorted((self._by_word.get(w, set()) for w in words), key=len)
        return set(postings[0]).intersection(*postings[1:])

    def search(self, text: str, limit: int = 20) -> list[tuple[int, Entry]]:
        """The entries a search box should offer for ``text``, best first, each with its rank: 0 an
        exact name, 1 a name that starts with it, 2 a name holding every word typed, 3 a name with
        words that start with each word typed (a word being typed). Nothing found is []."""
        norm, wanted = normalise(text), tokens(text)
        if not norm:
            return []
        ranks: dict[str, int] = {}
        for name, iris in self._exact.items():
            rank = 0 if name == norm else 1 if name.startswith(norm) else None
            if rank is not None:
                for iri in iris:
                    ranks[iri] = min(rank, ranks.get(iri, rank))
        if wanted:
            for entry in self.entries.values():
                if entry.iri in ranks:
                    continue
                if any(wanted <= w for w in entry.word_sets):
                    ranks[entry.iri] = 2
                elif any(all(any(word.startswith(t) for word in w) for t in wanted) for w in entry.word_sets):
                    ranks[entry.iri] = 3
        if text.strip() in self.entries:
            ranks[text.strip()] = 0
        best = sorted(ranks.items(), key=lambda r: (r[1], normalise(self.entries[r[0]].label)))
        return [(rank, self.entries[iri]) for iri, rank in best[:limit]]

    def prefix(self, text: str) -> Entry | None:
        """The entry whose longest name starts ``text`` (at a word boundary), if one does."""
        norm = normalise(text)
        for name in self._by_length:
            if name and (norm == name or norm.startswith(name + " ")):
                hits = self._exact[name]
                if len(hits) == 1:
                    return self.entries[next(iter(hits))]
        return None
