"""Treaty statements in prose, as in Peru's Plan Nacional contra la Trata de Personas 2017-2021
(section "¿Cuáles son las herramientas legales para luchar contra la trata de personas?").

Layout: a Markdown heading ``## <INSTRUMENT>`` (for example ``## PROTOCOLO DE PALERMO``) opens
the instrument's paragraph; sentences in it state the country's acts: "Fue firmado por el Perú
en el año 2000 y entró en vigencia el 29 de setiembre de 2003.", "Fue ratificada por el Estado
peruano en 1978." A heading that names no known instrument closes the paragraph. An act stated
without a date ("como el Perú, la han ratificado") is not a fact of the graph: it is reported.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from mandato.errors import ParameterError
from mandato.namespaces import MDO

from .base import ReadContext
from .dates import DateProblem, PartialDate, parse_spanish
from .treaty_actions import treaty_action

HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*$")
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
    r"(?P<party>el\s+Perú|el\s+Estado\s+\w+|\w[\w ]*?)\s+" + DATE,
    re.IGNORECASE,
)
FORCE = re.compile(r"entr[óo]\s+en\s+vig(?:encia|or)\s+el\s+(?P<day>\d{1,2}\s+de\s+\w+\s+de\s+\d{4})", re.IGNORECASE)
UNDATED = re.compile(r"(?:la|lo)s?\s+ha[n]?\s+(?P<verb>ratificad|firmad|adherid)[oa]", re.IGNORECASE)


def read(ctx: ReadContext) -> None:
    instrument: URIRef | None = None
    for number, text in enumerate(ctx.source.lines, start=1):
        heading = HEADING.match(text)
        if heading:
            entry = ctx.registry.instruments.prefix(heading.group(2))
            instrument = URIRef(entry.iri) if entry else None
            continue
        if instrument is None:
            continue
        plain = text.replace("**", "").strip()
        acts = list(ACT.finditer(plain))
        for m in acts:
            _act(ctx, instrument, number, plain, m)
        if not acts and (undated := UNDATED.search(plain)):
            ctx.find("undated-act",
                     f"the text states a {VERBS[undated.group('verb').lower()]} but gives no date; "
                     f"no treaty action recorded: \"{plain[:200]}\"",
                     number, instrument)


def _act(ctx: ReadContext, instrument: URIRef, number: int, sentence: str, m: re.Match[str]) -> None:
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
    node = treaty_action(ctx, instrument, country, kind, date)
    ctx.derive(node, number, f"section '¿Cuáles son las herramientas legales…?', line {number}", sentence)
    force = FORCE.search(sentence, m.end())
    if force:
        try:
            when = parse_spanish(force.group("day"))
        except DateProblem as exc:
            raise ctx.error(number, None, str(exc), "a date such as '29 de setiembre de 2003'") from None
        ctx.graph.add((node, MDO.entryIntoForce, when.literal()))
        ctx.find("entry-into-force-ambiguous",
                 f"the sentence gives an entry into force ({when.iso()}) without saying whether it is the "
                 f"treaty's own or the country's; kept on the {kind} as stated: \"{sentence}\"",
                 number, node)
