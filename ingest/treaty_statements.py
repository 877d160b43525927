"""Engine ``treaty-statements``: treaty actions stated in prose, in Spanish (as in Peru's national
plan against trafficking, e.g. the built-in layout ``national-plan-frame``).

Layout: a heading (option ``heading``, a pattern whose second group is the heading's text; by
default a Markdown heading ``## <INSTRUMENT>`` such as ``## PROTOCOLO DE PALERMO``) opens the
instrument's paragraph; sentences in it state a country's acts: "Fue firmado por el Perú en el
año 2000 y entró en vigencia el 29 de setiembre de 2003.", "Fue ratificada por el Estado peruano
en 1978." (the party is any name or variant of a country of the reference data). A heading that
names no known instrument closes the paragraph. An act stated without a date ("como el Perú, la
han ratificado") is an act of unknown date when the sentence names one country; it is reported.
Option ``locator``: the words that name the section in each act's locator.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import URIRef

from mandato.errors import ParameterError
from mandato.namespaces import MDO
from mandato.normalise import normalise

from .base import ReadContext
from .dates import DateProblem, PartialDate, parse_spanish
from .layouts import PatternError, layout_pattern
from .treaty_actions import cite_instrument, treaty_action

HEADING = r"^(#{1,2})\s+(.+?)\s*$"
VERBS = {
    "firmad": "signature",
    "ratificad": "ratification",
    "adherid": "accession",
    "aceptad": "acceptance",
    "aprobad": "approval",
}
DATE = r"(?:en\s+(?:el\s+año\s+)?(?P<year>\d{4})|el\s+(?P<day>\d{1,2}\s+de\s+\w+\s+de\s+\d{4}))"
ACT = re.compile(
    r"(?P<verb>firmad|ratificad|adherid|aceptad|aprobad)[oa]s?\s+por\s+"
    r"(?P<party>\w[\w ]*?)\s+" + DATE,
    re.IGNORECASE,
)
FORCE = re.compile(r"entr[óo]\s+en\s+vig(?:encia|or)\s+el\s+(?P<day>\d{1,2}\s+de\s+\w+\s+de\s+\d{4})", re.IGNORECASE)
UNDATED = re.compile(r"(?:la|lo)s?\s+ha[n]?\s+(?P<verb>ratificad|firmad|adherid)[oa]", re.IGNORECASE)


def read(ctx: ReadContext, step: dict[str, Any]) -> None:
    instrument: URIRef | None = None
    named = 0  # the line of the heading that names the instrument
    try:
        heading_re = layout_pattern(step.get("heading", HEADING), re.IGNORECASE)
    except PatternError as exc:
        raise ctx.error(None, None, f"the layout's heading pattern: {exc.problem}", exc.expected) from None
    locator = str(ctx.option(step, "locator"))
    for number, text in enumerate(ctx.source.lines, start=1):
        heading = heading_re.match(text)
        if heading:
            entry = ctx.registry.instruments.prefix(heading.group(2))
            instrument, named = (URIRef(entry.iri) if entry else None), number
            continue
        if instrument is None:
            continue
        plain = text.replace("**", "").strip()
        acts = list(ACT.finditer(plain))
        for m in acts:
            _act(ctx, instrument, number, plain, m, locator, named)
        if not acts and (undated := UNDATED.search(plain)):
            _undated(ctx, instrument, number, plain, VERBS[undated.group("verb").lower()], locator, named)


def _undated(ctx: ReadContext, instrument: URIRef, number: int, sentence: str, kind: str, locator: str,
             named: int) -> None:
    """An act the text states without a date ("los Estados que, como el Perú, la han ratificado"):
    an act of unknown date when the sentence names one country, else only reported."""
    words = f" {normalise(sentence)} "
    parties = [e for e in ctx.registry.countries.entries.values()  # names, not codes ("la" is Laos's)
               if any(len(name) > 3 and f" {name} " in words for name in map(normalise, e.names))]
    if len(parties) != 1:
        ctx.find("undated-act", f"the text states a {kind} but gives no date and names "
                 f"{'no country' if not parties else 'several countries'} as its party; no treaty action recorded: "
                 f"\"{sentence[:200]}\"", number, instrument)
        return
    node, _ = treaty_action(ctx, instrument, URIRef(parties[0].iri), kind, None, number,
                            f"{locator}, line {number}", sentence)
    cite_instrument(ctx, node, instrument, named, number)
    ctx.find("undated-act", f"the text states a {kind} but gives no date: recorded as an act of unknown date: "
             f"\"{sentence[:200]}\"", number, node)


def _act(ctx: ReadContext, instrument: URIRef, number: int, sentence: str, m: re.Match[str], locator: str,
         named: int) -> None:
    party_text = re.sub(r"^el\s+", "", m.group("party"), flags=re.IGNORECASE)
    try:
        country = URIRef(ctx.registry.countries.resolve(party_text).iri)
    except ParameterError as exc:
        raise ctx.error(number, None, str(exc), "a country of data/reference/countries.csv") from None
    try:
        date = PartialDate(int(m.group("year"))) if m.group("year") else parse_spanish(m.group("day"))
    except DateProblem as exc:
        raise ctx.error(number, None, str(exc), "a year or a date such as '29 de setiembre de 2003'") from None
    kind = VERBS[m.group("verb").lower()]
    node, attestation = treaty_action(ctx, instrument, country, kind, date, number, f"{locator}, line {number}",
                                      sentence)
    cite_instrument(ctx, node, instrument, named, number)
    force = FORCE.search(sentence, m.end())
    if force:
        try:
            when = parse_spanish(force.group("day"))
        except DateProblem as exc:
            raise ctx.error(number, None, str(exc), "a date such as '29 de setiembre de 2003'") from None
        if kind == "signature":  # a signature binds no one: the date is the treaty's, or another act's
            ctx.find("entry-into-force-ambiguous",
                     f"the sentence gives an entry into force ({when.iso()}) after a signature, without saying "
                     f"whose it is; not recorded on the signature: \"{sentence}\"", number, node)
            return
        ctx.state(attestation, MDO.entryIntoForce, when.literal(), number, force.group(0))
        ctx.find("entry-into-force-ambiguous",
                 f"the sentence gives an entry into force ({when.iso()}) without saying whether it is the "
                 f"treaty's own or the country's; kept on the {kind} as stated: \"{sentence}\"",
                 number, node)
