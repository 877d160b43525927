"""Regenerate data/reference/countries.csv from ISO 3166-1, as the pycountry package carries it
(the iso-codes database of Debian, with its Spanish translation), keeping every row a curator
wrote: a row already in the file keeps its names, variants and Wikidata id, and gains the
depositary forms of its name.

Depositary forms are derived from ISO's names as the UN Treaty Collection and the OAS print them:
"Bolivia, Plurinational State of" also as "Bolivia (Plurinational State of)" and "Plurinational
State of Bolivia"; "Kingdom of the Netherlands" also as "Netherlands (Kingdom of the)"; "Holy See
(Vatican City State)" also as "Holy See". Run: python scripts/update_countries.py
"""

from __future__ import annotations

import csv
import gettext
import re
from pathlib import Path

import pycountry

CSV = Path(__file__).resolve().parent.parent / "data" / "reference" / "countries.csv"
FIELDS = ["alpha2", "alpha3", "name_es", "name_en", "variants", "wikidata"]


def forms(name: str, official: str | None = None, common: str | None = None) -> list[str]:
    """The forms depositaries print of one ISO name (in either language)."""
    out = [name]
    if m := re.fullmatch(r"(.+?), (.+)", name):  # "Bolivia, Plurinational State of"
        head, tail = m.groups()
        out += [f"{head} ({tail})", re.sub(r"^(the|el|la) ", "", f"{tail} {head}", flags=re.IGNORECASE)]
    if m := re.fullmatch(r"(.+?) \((.+)\)", name):  # "Holy See (Vatican City State)"
        out.append(m.group(1))
    for other in filter(None, (official, common)):
        other = re.sub(r"^the ", "", other)
        out.append(other)
        if other.endswith(" " + name):  # "Kingdom of the Netherlands" -> "Netherlands (Kingdom of the)"
            out.append(f"{name} ({other[: -len(name)].strip()})")
    return list(dict.fromkeys(out))


def main() -> None:
    spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    with CSV.open(encoding="utf-8", newline="") as fh:
        kept = {row["alpha2"]: row for row in csv.DictReader(fh)}
    rows = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        official, common = getattr(country, "official_name", None), getattr(country, "common_name", None)
        en = forms(country.name, official, common)
        es = forms(spanish.gettext(country.name))
        row = kept.get(country.alpha_2) or {
            "alpha2": country.alpha_2, "alpha3": country.alpha_3,
            "name_es": es[1] if "," in es[0] else es[0], "name_en": en[1] if "," in en[0] else en[0],
            "variants": "", "wikidata": ""}
        names = {row["name_es"], row["name_en"]}
        variants = [v for v in (row["variants"] or "").split("|") if v]
        variants += [f for f in (*es, *en) if f not in names and f not in variants]
        rows.append({**row, "variants": "|".join(variants)})
    with CSV.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} countries ({len(rows) - len(kept)} added) in {CSV}")


if __name__ == "__main__":
    main()
