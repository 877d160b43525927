"""Typed query parameters and their safe serialisation as SPARQL terms.

Parameters are never pasted into query text as typed. Each declared type turns what a person
typed into an RDF term (entity types through the forgiving resolver, over the store), and only
terms of a strict, escape-free alphabet are ever written into a ``VALUES`` clause, because SPARQL
processes ``\\uXXXX`` escapes anywhere in the query text before parsing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from mandato.errors import ParameterError
from mandato.namespaces import ID, MDO, ORG

# Entity types: the class whose instances a value may name.
ENTITY_CLASSES: dict[str, URIRef] = {
    "instrument": MDO.LegalInstrument,
    "country": MDO.Country,
    "group": ORG.Organization,
    "actor": ORG.Organization,
    "plan": MDO.Plan,
    "activity": MDO.PlanComponent,
}
# Unreserved and sub-delimiter characters, "/", "?", "#", ":", "@" and percent-escapes: no brackets
# (which SPARQL's IRIREF refuses), quotes, braces, angle brackets, spaces, control characters or
# backslashes. Patterns are matched whole (``fullmatch``): ``$`` would let a final newline through.
IRI_CHARACTERS = r"[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]"
SAFE_IRI = re.compile(rf"https?://{IRI_CHARACTERS}+")
# A parameter of type resource: an IRI of the dataset (its JSON Schema pattern, too).
RESOURCE_PATTERN = "^" + re.escape(str(ID)) + IRI_CHARACTERS + "+$"
LANG = re.compile(r"[a-z]{2,3}")
INTEGER = re.compile(r"-?\d{1,9}")
DATE = re.compile(r"\d{4}(-\d{2}-\d{2})?")
TYPES = sorted([*ENTITY_CLASSES, "lang", "integer", "date", "resource", "choice"])


@dataclass
class Param:
    name: str
    type: str
    var: str
    required: bool = False
    default: str | None = None
    example: str | None = None
    description: str = ""
    choices: list[str] | None = None  # the values a parameter of type choice takes


def scalar_term(param: Param, value: str) -> URIRef | Literal:
    """A non-entity parameter as an RDF term, or a ParameterError saying the expected form."""
    value = value.strip()
    if param.type == "lang":
        if not LANG.fullmatch(value):
            raise ParameterError(f"'{param.name}' must be a language code such as es or en")
        return Literal(value)
    if param.type == "integer":
        if not INTEGER.fullmatch(value):
            raise ParameterError(f"'{param.name}' must be a whole number")
        return Literal(int(value))
    if param.type == "date":
        if not DATE.fullmatch(value):
            raise ParameterError(f"'{param.name}' must be a date YYYY-MM-DD or a year YYYY")
        return Literal(value, datatype=XSD.gYear if len(value) == 4 else XSD.date)
    if param.type == "choice":
        if value not in (param.choices or []):
            raise ParameterError(f"'{param.name}' must be one of: {', '.join(param.choices or [])}")
        return Literal(value)
    if param.type == "resource":
        if not re.fullmatch(RESOURCE_PATTERN, value):
            raise ParameterError(f"'{param.name}' must be the IRI of a resource of the dataset, {ID}...")
        return URIRef(value)
    raise ParameterError(f"'{param.name}' has an unknown type '{param.type}'")


def to_sparql(term: URIRef | Literal) -> str:
    """Serialise a term for a VALUES clause; refuses anything outside a safe alphabet."""
    if isinstance(term, URIRef):
        if not SAFE_IRI.fullmatch(str(term)):
            raise ParameterError("an IRI with characters that cannot be used safely was refused")
        return f"<{term}>"
    lexical = str(term)
    if not re.fullmatch(r"[A-Za-z0-9 .:\-]*", lexical):
        raise ParameterError("a value with characters that cannot be used safely was refused")
    if term.datatype and term.datatype != XSD.string:
        return f'"{lexical}"^^<{term.datatype}>'
    return f'"{lexical}"'
