"""The Reconciliation Service API (W3C Entity Reconciliation Community Group, version 0.2, as
OpenRefine speaks it) over the names of the graph: a partner with a spreadsheet column of country,
treaty or institution names gets mandato's identifiers for them, then facts of each (ISO codes,
depositary ids, Wikidata items, the date and kind of a country's consent to a treaty).

Candidates come from the saved queries' resolver (:mod:`mandato.resolve`, the same names, aliases,
codes and forgiving matching as ``mandato query -p country=…``): a name the resolver resolves to
one entity is that entity's ``match``; the others are ranked as the search box ranks them (an
exact name, a name starting so, every word, words starting so). An entity's id is its IRI after
``https://w3id.org/mandato/id/`` (the manifest's ``identifierSpace``), so ``view`` opens its page on
this server; ``preview`` is a card of it (:func:`card`), the one page another site may frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef

from mandato.catalogue import cached, inject_values, matcher
from mandato.errors import MandatoError, ParameterError, UnknownName
from mandato.namespaces import ID, MDO, ORG, WD
from mandato.normalise import normalise
from mandato.resolve import Entry
from mandato.terms import SAFE_IRI

# type id (the class IRI) -> the resolver kind that reads its names, and the class where it is not
# the parameter type's
TYPES: dict[str, tuple[str, URIRef | None]] = {
    str(MDO.Country): ("country", None),
    str(MDO.LegalInstrument): ("instrument", None),
    str(MDO.CoordinationBody): ("reconcile:body", MDO.CoordinationBody),
    str(ORG.Organization): ("actor", None),
}
SCORES = {0: 100.0, 1: 80.0, 2: 60.0, 3: 40.0}  # by the search box's rank (mandato.resolve.Matcher.search)
MAX_QUERIES = 100  # per request
MAX_TEXT = 500  # characters of one query
MAX_IDS = 1000  # entities of one extend request
ACTION_KINDS = "https://w3id.org/mandato/id/treaty-action-kind/"  # signature, ratification, …


@dataclass(frozen=True)
class Property:
    names: dict[str, str]  # language -> name
    types: tuple[str, ...]  # the types whose entities have it
    sparql: str  # ?s (the entity, bound) -> ?value [?label]; ?instrument or ?country bound from the settings
    of_an_act: bool = False  # a fact of a country's act on a treaty: the other end is a setting

    def name(self, lang: str) -> str:
        return self.names.get(lang, self.names["es"])


PROPERTIES: dict[str, Property] = {
    "iso_alpha2": Property({"es": "código ISO 3166-1 alfa-2", "en": "ISO 3166-1 alpha-2 code"},
                           (str(MDO.Country),), "SELECT ?s ?value WHERE { ?s mdo:isoAlpha2 ?value }"),
    "iso_alpha3": Property({"es": "código ISO 3166-1 alfa-3", "en": "ISO 3166-1 alpha-3 code"},
                           (str(MDO.Country),), "SELECT ?s ?value WHERE { ?s mdo:isoAlpha3 ?value }"),
    "depositary_id": Property({"es": "identificador del depositario", "en": "depositary's identifier"},
                              (str(MDO.LegalInstrument),), "SELECT ?s ?value WHERE { ?s mdo:depositaryId ?value }"),
    "wikidata": Property({"es": "elemento de Wikidata", "en": "Wikidata item"}, tuple(TYPES),
                         f'SELECT ?s ?value WHERE {{ ?s owl:sameAs ?value FILTER(STRSTARTS(STR(?value), "{WD}")) }}'),
    "consent_date": Property(
        {"es": "fecha del consentimiento en obligarse (ratificación, adhesión…)",
         "en": "date of consent to be bound (ratification, accession…)"},
        (str(MDO.Country), str(MDO.LegalInstrument)),
        "SELECT ?s ?value WHERE { ?act a mdo:TreatyAction ; mdo:instrument ?instrument ; mdo:party ?country ; "
        f"mdo:actionKind ?kind ; mdo:actionDate ?value . FILTER(?kind != <{ACTION_KINDS}signature>) }}", True),
    "consent_kind": Property(
        {"es": "forma del consentimiento en obligarse", "en": "how consent to be bound was given"},
        (str(MDO.Country), str(MDO.LegalInstrument)),
        "SELECT ?s ?value ?label WHERE { ?act a mdo:TreatyAction ; mdo:instrument ?instrument ; mdo:party ?country ; "
        f"mdo:actionKind ?value . FILTER(?value != <{ACTION_KINDS}signature>) ?value skos:prefLabel ?label "
        "FILTER(lang(?label) = ?lang) }", True),
}
# The settings of the consent properties: the other end of the act, by any name the resolver takes.
SETTINGS = {
    "es": [{"name": "instrument", "label": "Tratado (para una columna de países)", "type": "text", "default": "",
            "help_text": "nombre, nombre corto o número de depositario de un tratado, p. ej. Protocolo de Palermo, "
                         "XVIII-12-a"},
           {"name": "country", "label": "País (para una columna de tratados)", "type": "text", "default": "",
            "help_text": "nombre o código ISO de un país, p. ej. Rep. Dominicana, DO"}],
    "en": [{"name": "instrument", "label": "Treaty (for a column of countries)", "type": "text", "default": "",
            "help_text": "a treaty's name, short name or depositary id, e.g. Protocolo de Palermo, XVIII-12-a"},
           {"name": "country", "label": "Country (for a column of treaties)", "type": "text", "default": "",
            "help_text": "a country's name or ISO code, e.g. Rep. Dominicana, DO"}],
}
PREFIXES = """PREFIX mdo: <https://w3id.org/mandato/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


class ReconcileError(MandatoError):
    status = 400


def entity_id(iri: str) -> str:
    return iri[len(ID):] if iri.startswith(str(ID)) else iri


def entity_iri(value: str) -> str:
    return value if value.startswith(("http://", "https://")) else f"{ID}{value}"


def type_names(store: Any, lang: str) -> dict[str, str]:
    """Each type's name from the ontology, in ``lang`` (else Spanish); read once per store."""
    text = PREFIXES + """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?type ?label (LANG(?label) AS ?in) WHERE {
  ?type rdfs:label ?label FILTER(lang(?label) = "es" || lang(?label) = ?lang)
}"""

    def read() -> dict[str, str]:
        names = {}
        for t in TYPES:
            rows = store.select(inject_values(text, {"type": URIRef(t), "lang": Literal(lang)})).records()
            best = sorted(rows, key=lambda r: r["in"] != lang)  # the language asked for first
            names[t] = best[0]["label"] if best else t.rsplit("#", 1)[-1]
        return names

    return dict(cached(store, f"@reconcile-types-{lang}", read))


def manifest(base: str, store: Any, lang: str) -> dict[str, Any]:
    names = type_names(store, lang)
    return {
        "versions": ["0.2"],
        "name": "mandato" + (" (treaties, countries, bodies)" if lang == "en" else " (tratados, países, instancias)"),
        "identifierSpace": str(ID),
        "schemaSpace": str(MDO),
        "defaultTypes": [{"id": t, "name": names[t]} for t in TYPES],
        "view": {"url": f"{base}/id/{{{{id}}}}"},
        "preview": {"url": f"{base}/reconcile/preview?id={{{{id}}}}&lang={lang}", "width": 420, "height": 220},
        "suggest": {
            "entity": {"service_url": base, "service_path": "/reconcile/suggest/entity"},
            "type": {"service_url": base, "service_path": "/reconcile/suggest/type"},
            "property": {"service_url": base, "service_path": "/reconcile/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": base, "service_path": "/reconcile/properties"},
            "property_settings": SETTINGS[lang],
        },
    }


def _matchers(store: Any, type_id: str | None) -> list[tuple[str, Any]]:
    if type_id is not None and type_id not in TYPES:
        raise ReconcileError(f"no type {type_id!r}; types: {', '.join(TYPES)}")
    chosen = [type_id] if type_id else list(TYPES)
    return [(t, matcher(store, TYPES[t][0], TYPES[t][1])) for t in chosen]


def candidates(store: Any, query: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The candidates for one query object (``query``, optional ``type`` and ``limit``), best first."""
    if not isinstance(query, dict):
        raise ReconcileError("each query is an object with at least 'query', the text to reconcile")
    text, type_id, limit = query.get("query"), query.get("type"), query.get("limit", 5)
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise ReconcileError(f"'query' must be a text of 1 to {MAX_TEXT} characters")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
        raise ReconcileError("'limit' must be a whole number from 1 to 100")
    if type_id is not None and not isinstance(type_id, str):
        raise ReconcileError("'type' must be one type id (see the manifest's defaultTypes)")
    constraints = _constraints(query.get("properties"))
    names = type_names(store, lang)
    found: dict[str, dict[str, Any]] = {}
    for t, m in _matchers(store, type_id):
        try:
            resolved: Entry | None = m.resolve(text)
        except ParameterError:  # ambiguous or unknown: candidates without a match
            resolved = None
        for rank, entry in m.search(text, limit):
            match = resolved is not None and resolved.iri == entry.iri
            hit = found.setdefault(entry.iri, {"id": entity_id(entry.iri), "name": entry.label_in(lang),
                                               "type": [], "score": 0.0, "match": False, "rank": rank})
            hit["type"].append({"id": t, "name": names[t]})
            hit["score"] = max(hit["score"], 100.0 if match else SCORES[rank])
            hit["match"] = hit["match"] or match
            hit["rank"] = min(hit["rank"], rank)
    # A candidate whose facts contradict a property the query gives (an ISO code, a depositary id)
    # is no match and scores lower; the facts are those extend gives.
    for pid, wanted in constraints:
        held = _values(store, PROPERTIES[pid], pid, [entity_iri(h["id"]) for h in found.values()], {}, lang)
        for iri, h in ((entity_iri(h["id"]), h) for h in found.values()):
            if not wanted & {_comparable(v.get("id") or v.get("str") or "") for v in held.get(iri, [])}:
                h["match"], h["score"] = False, max(h["score"] - 30.0, 0.0)
    # Without a type, a text may resolve in several kinds ("CONACOES": the commission by its short
    # name, a regulation by a word of its title): the one named exactly wins; a tie is no match.
    matched = [h for h in found.values() if h["match"]]
    best = min((h["rank"] for h in matched), default=None)
    for h in matched:
        h["match"] = h["rank"] == best and sum(o["rank"] == best for o in matched) == 1
        if not h["match"]:
            h["score"] = SCORES[h["rank"]]
    ranked = sorted(found.values(), key=lambda h: (-h["score"], h["rank"], h["name"]))[:limit]
    for h in ranked:
        del h["rank"]
    return ranked


def _comparable(value: str) -> str:
    """A property value as constraints compare it: an IRI by its last segment (a Wikidata item as
    Q786), any text without case or accents."""
    if value.startswith(("http://", "https://")):
        value = value.rstrip("/").rsplit("/", 1)[-1]
    return normalise(value)


def _constraints(given: Any) -> list[tuple[str, set[str]]]:
    """A query's ``properties``: ``[{"pid": …, "v": value or [values]}]`` (a value may be text, a
    number or ``{"id": …}``), as the values each property should hold."""
    if given is None:
        return []
    if not isinstance(given, list):
        raise ReconcileError("'properties' must be a list of {\"pid\": …, \"v\": …}")
    out = []
    for item in given:
        pid = item.get("pid") if isinstance(item, dict) else None
        if pid not in PROPERTIES or PROPERTIES[pid].of_an_act:
            usable = [p for p, prop in PROPERTIES.items() if not prop.of_an_act]
            raise ReconcileError(f"no property {pid!r} to reconcile with; properties: {', '.join(usable)}")
        values = item["v"] if isinstance(item.get("v"), list) else [item.get("v")]
        wanted = {_comparable(str(v.get("id") if isinstance(v, dict) else v)) for v in values
                  if v is not None and not isinstance(v, bool)}
        if not wanted:
            raise ReconcileError(f"property {pid!r} has no value 'v' to compare")
        out.append((pid, wanted))
    return out


def reconcile(store: Any, queries: Any, lang: str) -> dict[str, Any]:
    """A batch: ``{"q0": {"query": …}, …}`` -> ``{"q0": {"result": [candidates]}, …}``."""
    if not isinstance(queries, dict) or not queries:
        raise ReconcileError("'queries' must be a JSON object of query objects, e.g. "
                             '{"q0": {"query": "Rep. Dominicana"}}')
    if len(queries) > MAX_QUERIES:
        raise ReconcileError(f"at most {MAX_QUERIES} queries per request, not {len(queries)}")
    out = {}
    for key, query in queries.items():
        try:
            out[key] = {"result": candidates(store, query, lang)}
        except ReconcileError as exc:
            raise ReconcileError(f"query {key!r}: {exc}") from None
    return out


def suggest_entities(store: Any, prefix: str, type_id: str | None, lang: str, limit: int = 10) -> dict[str, Any]:
    if not prefix.strip():
        return {"result": []}
    hits = candidates(store, {"query": prefix[:MAX_TEXT], "type": type_id, "limit": limit}, lang)
    return {"result": [{"id": h["id"], "name": h["name"], "description": ", ".join(t["name"] for t in h["type"])}
                       for h in hits]}


def suggest_types(store: Any, prefix: str, lang: str) -> dict[str, Any]:
    wanted = prefix.strip().lower()
    return {"result": [{"id": t, "name": n} for t, n in type_names(store, lang).items()
                       if wanted in n.lower() or wanted in t.lower()]}


def propose(type_id: str | None, lang: str) -> dict[str, Any]:
    if type_id is not None and type_id not in TYPES:
        raise ReconcileError(f"no type {type_id!r}; types: {', '.join(TYPES)}")
    return {**({"type": type_id} if type_id else {}), "properties": [
        {"id": pid, "name": p.name(lang)} for pid, p in PROPERTIES.items()
        if type_id is None or type_id in p.types]}


def suggest_properties(prefix: str, lang: str) -> dict[str, Any]:
    wanted = prefix.strip().lower()
    return {"result": [p for p in propose(None, lang)["properties"]
                       if wanted in p["name"].lower() or wanted in p["id"]]}


@dataclass
class Card:
    """What a preview shows of an entity: its name, its types and the facts extend offers for them."""

    iri: str
    name: str
    types: list[str]
    facts: list[tuple[str, list[str]]]


def card(store: Any, entity: str, lang: str) -> Card:
    """The preview of one entity (by its id or IRI); an id the data does not hold is an error."""
    iri = entity_iri(entity.strip())
    if not SAFE_IRI.fullmatch(iri):
        raise UnknownName(f"no entity {entity[:200]!r}: an id is an IRI of the data after {ID}")
    names = type_names(store, lang)
    types, name = [], None
    for t, m in _matchers(store, None):
        if iri in m.entries:
            types.append(t)
            name = name or m.entries[iri].label_in(lang)
    if not types:
        raise UnknownName(f"the data holds no country, instrument, body or organisation {entity_id(iri)!r}")
    facts = []
    for pid, prop in PROPERTIES.items():
        if prop.of_an_act or not set(prop.types) & set(types):
            continue
        values = [v.get("name") or v.get("str") or "" for v in _values(store, prop, pid, [iri], {}, lang).get(iri, [])]
        if values:
            facts.append((prop.name(lang), values))
    return Card(iri, name or entity_id(iri), [names[t] for t in types], facts)


def extend(store: Any, request: Any, lang: str) -> dict[str, Any]:
    """``{"ids": […], "properties": [{"id": …, "settings": {…}}]}`` -> ``{"meta": […], "rows": {…}}``."""
    if not isinstance(request, dict) or not isinstance(request.get("ids"), list) \
            or not isinstance(request.get("properties"), list):
        raise ReconcileError("'extend' must be a JSON object with 'ids' and 'properties' lists")
    ids = [str(i) for i in request["ids"]]
    if len(ids) > MAX_IDS:
        raise ReconcileError(f"at most {MAX_IDS} ids per request, not {len(ids)}")
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {i: {} for i in ids}
    meta = []
    for spec in request["properties"]:
        pid = spec.get("id") if isinstance(spec, dict) else None
        if pid not in PROPERTIES:
            raise ReconcileError(f"no property {pid!r}; properties: {', '.join(PROPERTIES)}")
        prop = PROPERTIES[pid]
        meta.append({"id": pid, "name": prop.name(lang)})
        values = _values(store, prop, pid, ids, spec.get("settings") or {}, lang)
        for i in ids:
            rows[i][pid] = values.get(entity_iri(i), [])
    return {"meta": meta, "rows": rows}


def _values(store: Any, prop: Property, pid: str, ids: list[str], settings: Any, lang: str) -> dict[str, list]:
    if not isinstance(settings, dict):
        raise ReconcileError(f"the settings of {pid!r} must be an object")
    text = PREFIXES + prop.sparql
    entity_var = "s"
    bound: dict[str, Any] = {"lang": Literal(lang)} if "?lang" in text else {}
    if prop.of_an_act:
        given = {k: str(v).strip() for k, v in settings.items() if k in ("instrument", "country") and str(v).strip()}
        if len(given) != 1:
            raise ReconcileError(f"{pid!r} needs one setting: 'instrument' (for a column of countries) or "
                                 "'country' (for a column of treaties)")
        (other, name), = given.items()
        bound[other] = URIRef(matcher(store, other).resolve(name).iri)
        entity_var = "country" if other == "instrument" else "instrument"
        text = text.replace("SELECT ?s ", f"SELECT (?{entity_var} AS ?s) ", 1)
    out: dict[str, list] = {}
    iris = [entity_iri(i) for i in ids]
    values_clause = " ".join(f"<{URIRef(i)}>" for i in iris if SAFE_IRI.fullmatch(i))
    if not values_clause:
        return out
    text = text.replace("WHERE {", f"WHERE {{ VALUES ?{entity_var} {{ {values_clause} }}", 1)
    for r in store.select(inject_values(text, bound) if bound else text).records():
        value = r["value"]
        if value is None:
            continue
        cell = {"id": entity_id(value), "name": r.get("label") or value} if r.get("label") else {"str": value}
        out.setdefault(r["s"], []).append(cell)
    return out
