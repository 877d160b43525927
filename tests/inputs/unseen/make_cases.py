# ruff: noqa: E501  (data: one fact per line, as printed)
"""Writes the documents, manifests and expected.yaml of every case under tests/inputs/unseen/.

The facts are entered by hand, row by row, as a person reads the documents: each row's bodies are
given as a list (the body and the form printed), and the cell is written from that list with the
separator the case exercises. Re-running rewrites every file (the XLSX workbooks included).
Run with the project's Python: .venv/bin/python tests/inputs/unseen/make_cases.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import yaml
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
MANDATO = HERE.parents[2] / ".venv" / "bin" / "mandato"

ANY_ROW = lambda n: [f"row {n}", f"fila {n}", f"line {n}", f"línea {n}"]  # noqa: E731


# --------------------------------------------------------------------------------------------
# YAML output


class Dumper(yaml.SafeDumper):
    pass


def _str(dumper, s):
    style = "|" if "\n" in s else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


def _list(dumper, xs):
    flow = all(isinstance(x, (str, int)) and "\n" not in str(x) for x in xs) and sum(len(str(x)) for x in xs) < 90
    return dumper.represent_sequence("tag:yaml.org,2002:seq", xs, flow_style=flow)


def _dict(dumper, d):
    return dumper.represent_mapping("tag:yaml.org,2002:map", d.items(), flow_style=False)


Dumper.add_representer(str, _str)
Dumper.add_representer(list, _list)
Dumper.add_representer(dict, _dict)


def dump(path: Path, data) -> None:
    text = yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=4096)
    path.write_text(text, encoding="utf-8")


def case_dir(name: str) -> Path:
    d = HERE / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    return d


# --------------------------------------------------------------------------------------------
# Bodies: key -> (name, acronym or None). A mention is (key, printed form).


class Registry:
    def __init__(self, country: str, bodies: dict[str, tuple[str, str | None]]):
        self.country = country
        self.bodies = bodies
        self.printed: dict[str, list[str]] = {k: [] for k in bodies}
        self.extra: dict[str, dict] = {}

    def saw(self, mentions):
        out = []
        for key, form in mentions:
            if form not in self.printed[key]:
                self.printed[key].append(form)
            out.append(form)
        return out

    def expected(self, also: tuple[str, ...] = ()):
        rows = []
        for key, (name, acr) in self.bodies.items():
            if not self.printed[key] and key not in also:
                continue
            b = {"name": name}
            if acr:
                b["acronym"] = acr
            b["country"] = self.country
            if self.printed[key]:
                b["printed"] = list(self.printed[key])
            b.update(self.extra.get(key, {}))
            rows.append(b)
        return rows


def split_notation(s: str):
    head, _, rest = s.partition(" ")
    notation = head.rstrip(".")
    if notation.replace(".", "").isdigit():
        return notation, rest.strip()
    return None, s


# --------------------------------------------------------------------------------------------
# Flat tables: one row per activity. Each row is a dict with the cells and the facts.


def flat_expected(rows, reg: Registry, headings_row: int, line_of=None, levels=("axis", "objective")):
    """rows: dicts with axis/objective (printed cell or ''), activity, responsible/collaborators
    (lists of mentions, or a dict {'facts': [...], 'cell': '...'} for placeholders), indicator,
    target, period... Returns (parts, activities)."""
    parts, acts = [], []
    current = {lvl: None for lvl in levels}
    previous = {}
    for r in rows:
        for i, lvl in enumerate(levels):
            if r.get(lvl) and r.get(lvl) == previous.get(lvl):
                r[f"_same_{lvl}"] = r[lvl]
            elif r.get(lvl):
                previous[lvl] = r[lvl]
                for deeper in levels[i + 1 :]:
                    previous.pop(deeper, None)
        n = r["_row"]
        for i, lvl in enumerate(levels):
            cell = r.get(lvl, "")
            if cell and cell == r.get(f"_same_{lvl}"):
                continue  # the same value repeated on the next row: the same part
            if cell:
                notation, text = split_notation(cell)
                p = {"level": lvl, "notation": notation, "text": text, "row": n}
                if line_of:
                    p["line"] = line_of[n]
                if i > 0:
                    p["parent"] = next((current[x] for x in reversed(levels[:i]) if current[x]), None)
                parts.append(p)
                current[lvl] = notation or text
                for deeper in levels[i + 1 :]:
                    current[deeper] = None
        notation, text = split_notation(r["activity"])
        a = {"row": n}
        if line_of:
            a["line"] = line_of[n]
        a["notation"] = notation
        a["text"] = text
        a["parent"] = next((current[lvl] for lvl in reversed(levels) if current[lvl]), None)
        for role in ("responsible", "collaborators"):
            a[role] = r[f"_{role}"]
        for fact in ("indicator", "target", "means", "period", "period_date", "baseline"):
            if r.get(fact) not in (None, ""):
                a[fact] = r[fact]
        if r.get("_note"):
            a["note"] = r["_note"]
        acts.append(a)
    return parts, acts


def fill_roles(rows, reg: Registry, sep_default=", "):
    """Turn each row's mention lists into the printed cell and the expected lists."""
    for r in rows:
        for role in ("responsible", "collaborators"):
            v = r.get(role, [])
            if isinstance(v, dict):  # a placeholder, a ditto or a cell written by hand
                r[f"_{role}"] = reg.saw(v.get("facts", []))
                reg.saw(v.get("also_printed", []))  # a second form of a body the cell already named
                r[f"{role}_cell"] = v["cell"]
            else:
                r[f"_{role}"] = reg.saw(v)
                sep = r.get(f"{role}_sep", sep_default)
                if isinstance(sep, (list, tuple)):
                    cell = ""
                    for i, (_, form) in enumerate(v):
                        cell += (sep[i - 1] if i else "") + form
                else:
                    cell = sep.join(form for _, form in v)
                r[f"{role}_cell"] = cell


def csv_text(records, delimiter=",", lineterminator="\n"):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    for rec in records:
        w.writerow(rec)
    return buf.getvalue()


def physical_lines(records, delimiter, lineterminator):
    """1-based physical line on which each record (1-based) starts."""
    out, line = {}, 1
    for i, rec in enumerate(records, start=1):
        out[i] = line
        line += csv_text([rec], delimiter, lineterminator).count("\n")
    return out


def manifest(d: Path, entry: dict) -> None:
    dump(d / "sources.yaml", [entry])


# ============================================================================================
# 1. flat-sheet-gt-csv


def gt_csv():
    d = case_dir("flat-sheet-gt-csv")
    reg = Registry(
        "GT",
        {
            "svet": ("Secretaría contra la Violencia Sexual, Explotación y Trata de Personas", "SVET"),
            "mineduc": ("Ministerio de Educación", "MINEDUC"),
            "pgn": ("Procuraduría General de la Nación", "PGN"),
            "inguat": ("Instituto Guatemalteco de Turismo", "INGUAT"),
            "mintrab": ("Ministerio de Trabajo y Previsión Social", "MINTRAB"),
            "sbs": ("Secretaría de Bienestar Social", "SBS"),
            "mspas": ("Ministerio de Salud Pública y Asistencia Social", "MSPAS"),
            "pnc": ("Policía Nacional Civil", "PNC"),
            "mp": ("Ministerio Público", "MP"),
            "mingob": ("Ministerio de Gobernación", None),
            "oj": ("Organismo Judicial", "OJ"),
            "secnctp": ("SE-CNCTP", None),
            "renap": ("Registro Nacional de las Personas", "RENAP"),
        },
    )
    SVET_FULL = ("svet", "Secretaría contra la Violencia Sexual, Explotación y Trata de Personas (SVET)")
    rows = [
        dict(
            axis="1. Prevención de la explotación sexual comercial",
            objective="1.1 Fortalecer las capacidades de la comunidad educativa para identificar y referir casos de violencia sexual, explotación y trata de personas",
            activity="1.1.1 Capacitar a docentes de los niveles primario y medio en la identificación y referencia de casos de explotación sexual comercial de niñas, niños y adolescentes.",
            responsible=[("mineduc", "MINEDUC"), ("svet", "SVET")],
            collaborators=[("pgn", "Procuraduría General de la Nación (PGN)")],
            indicator="Número de docentes capacitados, desagregado por sexo y departamento",
            target="1,500 docentes capacitados",
            period="2024-2025",
        ),
        dict(
            activity="1.1.2 Incorporar contenidos de prevención de la violencia sexual, explotación y trata de personas en el Currículo Nacional Base (CNB).",
            responsible=[("mineduc", "Ministerio de Educación (MINEDUC)")],
            collaborators=[("svet", "SVET"), ("pgn", "PGN")],
            collaborators_sep=" y ",
            indicator="Contenidos incorporados en el CNB",
            target="CNB actualizado en tres grados del nivel medio",
            period="Diciembre 2025",
        ),
        dict(
            objective="1.2 Reducir la demanda de explotación sexual asociada a los viajes y el turismo",
            activity="1.2.1 Promover la adhesión de empresas turísticas al Código de Conducta para la protección de niñas, niños y adolescentes en viajes y turismo.",
            responsible=[("inguat", "Instituto Guatemalteco de Turismo (INGUAT)")],
            collaborators=[SVET_FULL, ("mintrab", "Ministerio de Trabajo y Previsión Social (MINTRAB)")],
            indicator="Número de empresas adheridas al Código de Conducta",
            target="120 empresas adheridas",
            period="2024-2026",
            _note="Both bodies' names hold a comma or ' y ': the cell names two bodies, split at the comma after '(SVET)'.",
        ),
        dict(
            axis="2. Atención y protección integral a víctimas",
            objective="2.1 Garantizar la atención especializada y la restitución de derechos de niñas, niños y adolescentes víctimas",
            activity="2.1.1 Fortalecer los hogares de protección y abrigo temporal especializados para víctimas de explotación sexual y trata de personas.",
            responsible=[("sbs", "Secretaría de Bienestar Social (SBS)")],
            collaborators=[("svet", "SVET"), ("pgn", "PGN")],
            collaborators_sep=" y ",
            indicator="Número de hogares fortalecidos",
            target="4 hogares con personal especializado",
            period="2025",
        ),
        dict(
            activity="2.1.2 Elaborar y validar el protocolo interinstitucional de atención integral a niñas, niños y adolescentes víctimas de explotación sexual.",
            responsible=[SVET_FULL],
            collaborators=[
                ("sbs", "Secretaría de Bienestar Social (SBS)"),
                ("pgn", "Procuraduría General de la Nación (PGN)"),
                ("mspas", "Ministerio de Salud Pública y Asistencia Social (MSPAS)"),
            ],
            collaborators_sep="\n",
            indicator="Protocolo validado y publicado",
            target="1 protocolo",
            period="Primer semestre 2025",
            _note="The Responsable cell names ONE body (its name holds a comma and ' y '); the Colaboradores cell names three bodies, one per line (line breaks inside the quoted cell).",
        ),
        dict(
            activity="2.1.3 Implementar el registro único de niñas, niños y adolescentes víctimas atendidos por las instituciones.",
            responsible={
                "cell": "PGN, Procuraduría General de la Nación",
                "facts": [("pgn", "PGN")],
                "also_printed": [("pgn", "Procuraduría General de la Nación")],
            },
            collaborators=[("mineduc", "Mineduc"), ("mspas", "MSPAS")],
            collaborators_sep="; ",
            indicator="Registro único en funcionamiento",
            target="100 % de los casos atendidos registrados",
            period="2024-2026",
            _note="The Responsable cell names the PGN twice (acronym, then name): one responsible body, listed once, and a finding.",
        ),
        dict(
            axis="3. Persecución penal y sanción",
            objective="3.1 Mejorar la investigación y la persecución penal de los delitos de explotación sexual y trata de personas",
            activity="3.1.1 Realizar operativos coordinados de verificación en bares, centros nocturnos y establecimientos de hospedaje.",
            responsible=[("pnc", "PNC"), ("mp", "MP")],
            responsible_sep="; ",
            collaborators=[("mintrab", "Ministerio de Trabajo y Previsión Social (MINTRAB)"), ("svet", "SVET")],
            indicator="Número de operativos realizados",
            target="48 operativos por año",
            period="Permanente",
        ),
        dict(
            activity="3.1.2 Capacitar a fiscales y agentes de investigación en técnicas de entrevista a víctimas menores de edad.",
            responsible=[("mp", "Ministerio Público (MP)")],
            collaborators=[("mingob", "Ministerio de Gobernación"), ("pnc", "Policía Nacional Civil (PNC)")],
            indicator="Número de fiscales y agentes capacitados",
            target="300 personas capacitadas",
            period="2024-2025",
            _note="'Ministerio de Gobernación, Policía Nacional Civil (PNC)' names two bodies (the PNC is a dependency of the Ministry, but the cell lists both).",
        ),
        dict(
            activity="3.1.3 Dar seguimiento a los procesos judiciales por delitos de explotación sexual comercial y trata de personas.",
            responsible=[("oj", "Organismo Judicial (OJ)")],
            collaborators=[("mp", "MP"), ("pgn", "PGN"), ("svet", "SVET")],
            collaborators_sep=[", ", " y "],
            indicator="Número de sentencias condenatorias",
            target="Informe semestral de seguimiento",
            period="Semestral",
        ),
        dict(
            axis="4. Coordinación interinstitucional",
            objective="4.1 Articular las acciones de las instituciones que integran la Comisión Nacional contra la Trata de Personas",
            activity="4.1.1 Elaborar y presentar el informe anual de avances del plan ante el pleno de la Comisión.",
            responsible=[("secnctp", "SE-CNCTP")],
            collaborators=[("svet", "SVET"), ("mineduc", "MINEDUC"), ("mp", "MP"), ("pnc", "PNC")],
            collaborators_sep=[", ", ", ", " y "],
            indicator="Informe anual presentado",
            target="1 informe por año",
            period="Enero de cada año",
            _note="'SE-CNCTP' is one body (an acronym with a hyphen), never 'SE' and 'CNCTP'.",
        ),
        dict(
            activity="4.1.2 Socializar el plan con las municipalidades y las oficinas municipales de la niñez y adolescencia de los departamentos priorizados.",
            responsible=[("secnctp", "SE-CNCTP"), ("svet", "SVET")],
            responsible_sep=" y ",
            collaborators=[
                ("sbs", "Secretaría de Bienestar Social (SBS)"),
                ("renap", "Registro Nacional de las Personas (RENAP)"),
            ],
            indicator="Número de municipalidades que conocen el plan",
            target="50 municipalidades",
            period="2025-2026",
        ),
    ]
    fill_roles(rows, reg)
    head = ["Eje", "Objetivo", "Actividad", "Responsable", "Colaboradores", "Indicador", "Meta", "Plazo"]
    records = [head] + [
        [
            r.get("axis", ""),
            r.get("objective", ""),
            r["activity"],
            r["responsible_cell"],
            r["collaborators_cell"],
            r["indicator"],
            r["target"],
            r["period"],
        ]
        for r in rows
    ]
    for i, r in enumerate(rows, start=2):
        r["_row"] = i
    (d / "plan-escnna-gt.csv").write_text(csv_text(records), encoding="utf-8")
    lines = physical_lines(records, ",", "\n")
    parts, acts = flat_expected(rows, reg, 1, line_of=lines)
    title = (
        "Plan de Acción Interinstitucional para la Prevención y Atención de la Explotación Sexual "
        "Comercial de Niñas, Niños y Adolescentes 2024-2026"
    )
    manifest(
        d,
        {
            "id": "gt-plan-accion-escnna-2024-2026",
            "file": "plan-escnna-gt.csv",
            "title": "Guatemala: " + title,
            "layout": "plan-table",
            "jurisdiction": "GT",
            "authority": "national",
            "plan": {
                "kind": "NationalPlan",
                "title": title,
                "period": "2024-2026",
                "issued_by": "Secretaría contra la Violencia Sexual, Explotación y Trata de Personas",
            },
        },
    )
    dup_row = rows[5]["_row"]
    dump(
        d / "expected.yaml",
        {
            "outcome": "read",
            "plan": {
                "key": "gt-plan-accion-escnna-2024-2026",
                "title": title,
                "period": "2024-2026",
                "country": "GT",
                "kind": "NationalPlan",
                "issued_by": "Secretaría contra la Violencia Sexual, Explotación y Trata de Personas",
            },
            "parts": parts,
            "activities": acts,
            "bodies": reg.expected(),
            "norms": [],
            "findings": [
                {
                    "row": dup_row,
                    "line": lines[dup_row],
                    "mentions": ["PGN"],
                    "about": "the Responsable cell names the same body twice (PGN, Procuraduría General de la Nación)",
                }
            ],
            "not_bodies": [
                *head,
                "SE",
                "CNCTP",
                "Secretaría contra la Violencia Sexual",
                "Explotación",
                "Trata de Personas (SVET)",
                "Previsión Social (MINTRAB)",
                "Asistencia Social (MSPAS)",
                "MINEDUC, SVET",
                "MINEDUC SVET",
                "SVET y PGN",
                "PNC; MP",
                "SE-CNCTP y SVET",
                "MP, PGN y SVET",
            ],
            "notes": [
                "No reference actor file exists for GT: every body is created, once, however many forms print it (SVET and its full name with (SVET); MINEDUC, Mineduc and 'Ministerio de Educación (MINEDUC)').",
                "The issuer in the manifest names the same body the cells call SVET.",
                "Rows 7 onwards start two physical lines later than their row number: row 6 holds a quoted cell with two line breaks.",
                "'Ministerio Público (MP)' is Guatemala's, not the body of another country's reference data of the same name.",
            ],
        },
    )


# ============================================================================================
# 2. flat-sheet-sv-xlsx


def sv_xlsx():
    d = case_dir("flat-sheet-sv-xlsx")
    reg = Registry(
        "SV",
        {
            "cnctp": ("Consejo Nacional contra la Trata de Personas", "CNCTP"),
            "mineducyt": ("Ministerio de Educación, Ciencia y Tecnología", "MINEDUCYT"),
            "isna": ("ISNA", None),
            "conapina": ("CONAPINA", None),
            "mitur": ("Ministerio de Turismo", "MITUR"),
            "pnc": ("Policía Nacional Civil", "PNC"),
            "fgr": ("Fiscalía General de la República", "FGR"),
            "isdemu": ("Instituto Salvadoreño para el Desarrollo de la Mujer", "ISDEMU"),
            "semillas": ("Fundación Semillas de Esperanza", None),
            "horizontes": ("Asociación Nuevos Horizontes", None),
            "mesa_sa": ("Mesa Departamental de Protección de Santa Ana", None),
            "mrree": ("Ministerio de Relaciones Exteriores", "MRREE"),
            "dgme": ("Dirección General de Migración y Extranjería", "DGME"),
            "cnj": ("Consejo Nacional de la Judicatura", "CNJ"),
            "mjsp": ("Ministerio de Justicia y Seguridad Pública", "MJSP"),
            "oj": ("Órgano Judicial", "OJ"),
            "minsal": ("MINSAL", None),
        },
    )
    rows = [
        dict(
            axis="1. Prevención",
            objective="1.1 Sensibilizar a la población sobre los riesgos de la trata de personas y la explotación sexual",
            activity="1.1.1 Desarrollar una campaña nacional de sensibilización sobre la trata de personas en medios de comunicación y redes sociales.",
            responsible=[("cnctp", "CNCTP")],
            collaborators=[("mineducyt", "MINEDUCYT"), ("isna", "ISNA"), ("conapina", "CONAPINA")],
            collaborators_sep="; ",
            indicator="Campaña difundida",
            target="1 campaña anual",
            period="2025-2027",
        ),
        dict(
            activity="1.1.2 Realizar jornadas de prevención en centros escolares de los municipios priorizados.",
            responsible=[("mineducyt", "Ministerio de Educación, Ciencia y Tecnología (MINEDUCYT)")],
            collaborators=[("isna", "ISNA"), ("conapina", "CONAPINA")],
            collaborators_sep=" y ",
            indicator="Número de centros escolares atendidos",
            target=200,
            period=dt.datetime(2025, 11, 30),
        ),
        dict(
            objective="1.2 Prevenir la explotación sexual de niñas, niños y adolescentes en el sector turístico",
            activity="1.2.1 Capacitar al personal de hoteles, restaurantes y operadores turísticos en la identificación de posibles víctimas.",
            responsible=[("mitur", "Ministerio de Turismo (MITUR)")],
            collaborators=[("pnc", "Policía Nacional Civil (PNC)"), ("fgr", "Fiscalía General de la República (FGR)")],
            collaborators_sep="\n",
            indicator="Número de personas capacitadas",
            target="500 personas",
            period="2026",
        ),
        dict(
            axis="2. Atención y protección",
            objective="2.1 Brindar atención integral y especializada a las víctimas de trata de personas",
            activity="2.1.1 Fortalecer el albergue especializado para mujeres, niñas y adolescentes víctimas de trata de personas.",
            responsible=[("isna", "ISNA"), ("isdemu", "ISDEMU")],
            responsible_sep=" e ",
            collaborators=[
                ("semillas", "Fundación Semillas de Esperanza"),
                ("horizontes", "Asociación Nuevos Horizontes"),
                ("mesa_sa", "Mesa Departamental de Protección de Santa Ana"),
            ],
            collaborators_sep=[", ", " y "],
            indicator="Albergue en funcionamiento",
            target="1 albergue",
            period="2025",
            _note="Three bodies no reference data holds, none with an acronym: each becomes its own body (and a finding).",
        ),
        dict(
            activity="2.1.2 Actualizar el protocolo de repatriación de víctimas de trata de personas salvadoreñas en el exterior.",
            responsible=[("mrree", "Ministerio de Relaciones Exteriores (MRREE)")],
            collaborators=[
                ("dgme", "Dirección General de Migración y Extranjería (DGME)"),
                ("isdemu", "Instituto Salvadoreño para el Desarrollo de la Mujer (ISDEMU)"),
            ],
            collaborators_sep=" e ",
            indicator="Protocolo actualizado",
            target="1 protocolo",
            period=dt.datetime(2026, 6, 30),
            _note="' e ' joins two bodies (before 'Instituto'); ' y ' inside 'Migración y Extranjería' does not.",
        ),
        dict(
            axis="3. Persecución del delito",
            objective="3.1 Fortalecer la investigación y el procesamiento penal de los delitos de trata de personas",
            activity="3.1.1 Conformar equipos conjuntos de investigación entre la fiscalía y la policía en las zonas fronterizas.",
            responsible=[("fgr", "FGR"), ("pnc", "PNC")],
            responsible_sep="; ",
            collaborators=[("dgme", "Dirección General de Migración y Extranjería (DGME)")],
            indicator="Equipos conformados",
            target="3 equipos",
            period="2025",
        ),
        dict(
            activity="3.1.2 Capacitar a juezas y jueces especializados en la aplicación de la Ley Especial contra la Trata de Personas.",
            responsible=[("cnj", "Consejo Nacional de la Judicatura (CNJ)")],
            collaborators=[
                ("mjsp", "Ministerio de Justicia y Seguridad Pública (MJSP)"),
                ("cnctp", "Consejo Nacional contra la Trata de Personas (CNCTP)"),
            ],
            collaborators_sep=" y ",
            indicator="Número de juezas y jueces capacitados",
            target=60,
            period="2026-2027",
        ),
        dict(
            activity="3.1.3 Elaborar el informe estadístico anual de casos de trata de personas judicializados.",
            responsible=[("cnctp", "CNCTP")],
            collaborators=[("fgr", "FGR"), ("pnc", "PNC"), ("oj", "Órgano Judicial (OJ)")],
            collaborators_sep=[", ", " y "],
            indicator="Informe publicado",
            target="1 informe anual",
            period="Marzo de cada año",
        ),
        dict(
            axis="4. Coordinación y cooperación",
            objective="4.1 Fortalecer la coordinación interinstitucional del Consejo Nacional contra la Trata de Personas",
            activity="4.1.1 Realizar sesiones ordinarias del Consejo y de su comité técnico para el seguimiento del plan.",
            responsible=[("cnctp", "Consejo Nacional contra la Trata de Personas (CNCTP)")],
            collaborators=[("mjsp", "MJSP"), ("mineducyt", "MINEDUCYT"), ("minsal", "MINSAL"), ("isna", "ISNA")],
            indicator="Número de sesiones realizadas",
            target="6 sesiones por año",
            period="Permanente",
        ),
    ]
    fill_roles(rows, reg)
    title = "Plan de Acción 2025-2027 de la Política Nacional contra la Trata de Personas"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Plan de Acción 2025-2027"
    ws["A1"] = "MATRIZ DEL PLAN DE ACCIÓN 2025-2027 DE LA POLÍTICA NACIONAL CONTRA LA TRATA DE PERSONAS"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:H1")
    head = [
        "Eje estratégico",
        "Objetivo específico",
        "Acción",
        "Institución\nresponsable",
        "Instituciones\nde apoyo",
        "Indicador",
        "Meta",
        "Plazo",
    ]
    for c, h in enumerate(head, start=1):
        cell = ws.cell(row=3, column=c, value=h)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    first = 4
    for i, r in enumerate(rows):
        n = first + i
        r["_row"] = n
        vals = [
            r.get("axis") or None,
            r.get("objective") or None,
            r["activity"],
            r["responsible_cell"],
            r["collaborators_cell"],
            r["indicator"],
            r["target"],
            r["period"],
        ]
        for c, v in enumerate(vals, start=1):
            cell = ws.cell(row=n, column=c, value=v)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(v, dt.datetime):
                cell.number_format = "dd/mm/yyyy"
    # merge the axis and objective cells over the rows they cover, as ministries do
    for col, key in ((1, "axis"), (2, "objective")):
        start = None
        for i, r in enumerate([*rows, dict(axis="x", objective="x")]):
            if r.get(key) or (key == "objective" and r.get("axis")):
                if start is not None and first + i - 1 > start:
                    ws.merge_cells(start_row=start, start_column=col, end_row=first + i - 1, end_column=col)
                start = first + i
    for col, w in zip("ABCDEFGH", (22, 40, 60, 30, 40, 30, 16, 14), strict=False):
        ws.column_dimensions[col].width = w
    notes = wb.create_sheet("Notas")
    notes["A1"] = "Elaborado por: Dirección de Planificación del MJSP"
    notes["A2"] = "Fecha de actualización: 14 de marzo de 2025"
    notes["A3"] = "Las siglas se detallan en el glosario del documento de la Política."
    wb.save(d / "plan-accion-sv-2025-2027.xlsx")
    # expected: a date cell is given as printed (dd/mm/yyyy) and as ISO date; a number as printed
    for r in rows:
        if isinstance(r["period"], dt.datetime):
            r["period_date"] = r["period"].date().isoformat()
            r["period"] = r["period"].strftime("%d/%m/%Y")
        if isinstance(r["target"], int):
            r["target"] = str(r["target"])
    parts, acts = flat_expected(rows, reg, 3)
    manifest(
        d,
        {
            "id": "sv-plan-accion-trata-2025-2027",
            "file": "plan-accion-sv-2025-2027.xlsx",
            "title": "El Salvador: " + title,
            "layout": "plan-table",
            "jurisdiction": "SV",
            "authority": "national",
            "plan": {
                "title": title,
                "period": "2025-2027",
                "issued_by": "Consejo Nacional contra la Trata de Personas",
            },
        },
    )
    reg.extra["isna"] = {"note": "only the acronym is printed"}
    reg.extra["conapina"] = {"note": "only the acronym is printed"}
    reg.extra["minsal"] = {"note": "only the acronym is printed"}
    dump(
        d / "expected.yaml",
        {
            "outcome": "read",
            "plan": {
                "key": "sv-plan-accion-trata-2025-2027",
                "title": title,
                "period": "2025-2027",
                "country": "SV",
                "issued_by": "Consejo Nacional contra la Trata de Personas",
            },
            "parts": parts,
            "activities": acts,
            "bodies": reg.expected(),
            "norms": [
                {
                    "row": rows[6]["_row"],
                    "printed": "Ley Especial contra la Trata de Personas",
                    "kind": "Ley",
                    "title": "Ley Especial contra la Trata de Personas",
                    "country": "SV",
                }
            ],
            "findings": [],
            "not_bodies": [h.replace("\n", " ") for h in head]
            + head
            + [
                "MATRIZ DEL PLAN DE ACCIÓN 2025-2027 DE LA POLÍTICA NACIONAL CONTRA LA TRATA DE PERSONAS",
                "Elaborado por: Dirección de Planificación del MJSP",
                "Dirección de Planificación del MJSP",
                "Fecha de actualización: 14 de marzo de 2025",
                "Las siglas se detallan en el glosario del documento de la Política.",
                "Ministerio de Educación",
                "Ciencia y Tecnología (MINEDUCYT)",
                "ISNA e ISDEMU",
                "Migración",
                "Extranjería (DGME) e Instituto Salvadoreño para el Desarrollo de la Mujer (ISDEMU)",
            ],
            "notes": [
                "The activities are on the sheet 'Plan de Acción 2025-2027' (its name starts with 'Plan' but it is not a sheet of plan facts: its heading row has an activity column); the sheet 'Notas' holds no activity.",
                "Row 1 is the matrix's title (merged A1:H1), row 2 is empty, row 3 holds the headings, two of them with a line break inside ('Institución\\nresponsable', 'Instituciones\\nde apoyo').",
                "Eje and Objetivo cells are merged vertically over the rows they cover: each activity belongs to the axis and objective of its merged cell.",
                "Plazo cells of rows 5 and 8 are dates (number format dd/mm/yyyy): period is what the sheet shows, period_date the date.",
                "Meta cells of rows 5 and 10 are numbers (200, 60).",
                "'PNC' here is El Salvador's Policía Nacional Civil: a different body from Guatemala's PNC.",
            ],
        },
    )


# ============================================================================================
# 3. flat-sheet-hn-tsv


def hn_tsv():
    d = case_dir("flat-sheet-hn-tsv")
    reg = Registry(
        "HN",
        {
            "cicesct": (
                "Comisión Interinstitucional contra la Explotación Sexual Comercial y Trata de Personas",
                "CICESCT",
            ),
            "seduc": ("SEDUC", None),
            "dinaf": ("Dirección de Niñez, Adolescencia y Familia", "DINAF"),
            "sedh": ("Secretaría de Derechos Humanos", "SEDH"),
            "inm": ("Instituto Nacional de Migración", "INM"),
            "sesal": ("Secretaría de Salud", "SESAL"),
            "stss": ("Secretaría de Trabajo y Seguridad Social", "STSS"),
            "segdef": ("Secretaría de Seguridad y Defensa", None),
            "mp": ("Ministerio Público", "MP"),
            "dpi": ("Dirección Policial de Investigaciones", "DPI"),
            "pj": ("Poder Judicial", None),
        },
    )
    CIC_FULL = (
        "cicesct",
        "Comisión Interinstitucional contra la Explotación Sexual Comercial y Trata de Personas (CICESCT)",
    )
    rows = [
        dict(
            line_="1. Prevención",
            objective="1.1 Informar a niñas, niños, adolescentes y familias sobre los riesgos de la explotación sexual comercial y la trata de personas",
            activity='1.1.1 Implementar la campaña "No te hagas cómplice" en centros educativos de los departamentos de Cortés, Francisco Morazán y Atlántida.',
            responsible=[("cicesct", "CICESCT")],
            collaborators=[("seduc", "SEDUC"), ("dinaf", "DINAF")],
            indicator="Número de centros educativos alcanzados",
            target="300 centros educativos",
            period="2025",
        ),
        dict(
            activity="1.1.2 Formar a madres, padres y personas cuidadoras en la prevención del abuso y la explotación sexual en línea.",
            responsible=[("dinaf", "Dirección de Niñez, Adolescencia y Familia (DINAF)")],
            collaborators=[("cicesct", "CICESCT"), ("sedh", "SEDH")],
            collaborators_sep="; ",
            indicator="Número de personas formadas",
            target="2,000 personas",
            period="2025-2026",
        ),
        dict(
            objective="1.2 Reducir la vulnerabilidad de niñas, niños y adolescentes en los flujos migratorios",
            activity="1.2.1 Instalar mesas de información y detección en los puntos fronterizos de Agua Caliente, El Amatillo y Corinto.",
            responsible=[("inm", "Instituto Nacional de Migración (INM)")],
            collaborators=[("cicesct", "CICESCT"), ("dinaf", "DINAF")],
            collaborators_sep=" y ",
            indicator="Mesas instaladas",
            target="3 mesas",
            period="I trimestre 2025",
        ),
        dict(
            line_="2. Atención integral y protección",
            objective="2.1 Asegurar la atención inmediata de las víctimas a través del Equipo de Respuesta Inmediata",
            activity="2.1.1 Brindar atención psicosocial, médica y legal inmediata a las víctimas identificadas.",
            responsible=[CIC_FULL],
            collaborators=[("sesal", "Secretaría de Salud (SESAL)"), ("dinaf", "DINAF")],
            collaborators_sep="\n",
            indicator="Porcentaje de víctimas atendidas en las primeras 72 horas",
            target="90 %",
            period="Permanente",
            _note="CICESCT's full name holds ' y ': one body.",
        ),
        dict(
            activity="2.1.2 Gestionar la reintegración educativa y laboral de adolescentes víctimas.",
            responsible=[("seduc", "SEDUC"), ("stss", "STSS")],
            responsible_sep=" y ",
            collaborators=[("cicesct", "CICESCT")],
            indicator="Número de adolescentes reintegrados",
            target="150 adolescentes",
            period="2025-2026",
        ),
        dict(
            line_="3. Persecución y sanción",
            objective="3.1 Fortalecer la investigación de los delitos de explotación sexual comercial y trata de personas",
            activity="3.1.1 Realizar operativos conjuntos de rescate de víctimas en zonas de alta incidencia.",
            responsible=[("segdef", "Secretaría de Seguridad y Defensa")],
            collaborators=[("mp", "MP"), ("dpi", "Dirección Policial de Investigaciones (DPI)")],
            indicator="Número de operativos",
            target="24 operativos",
            period="2025-2026",
            _note="AMBIGUOUS: no body of that name exists; the cell may mean the Secretaría de Seguridad and the Secretaría de Defensa Nacional. A faithful tool keeps it as printed (one body, not 'Secretaría de Seguridad' + 'Defensa') and reports a finding; it does not guess two bodies.",
        ),
        dict(
            activity="3.1.2 Capacitar a fiscales de la Fiscalía Especial contra la Trata de Personas en investigación financiera.",
            responsible=[("mp", "Ministerio Público (MP)")],
            collaborators=[("cicesct", "CICESCT")],
            indicator="Número de fiscales capacitados",
            target="40 fiscales",
            period="2025",
        ),
        dict(
            activity="3.1.3 Dar seguimiento a las sentencias dictadas por delitos de explotación sexual comercial.",
            responsible=[("pj", "Poder Judicial")],
            collaborators=[("mp", "MP"), ("cicesct", "CICESCT"), ("sedh", "SEDH")],
            collaborators_sep="; ",
            indicator="Informe de seguimiento",
            target="2 informes anuales",
            period="Semestral",
        ),
        dict(
            line_="4. Fortalecimiento institucional",
            objective="4.1 Consolidar a la CICESCT como instancia rectora de la respuesta nacional",
            activity="4.1.1 Elaborar el informe anual de cumplimiento de la Ley contra la Trata de Personas (Decreto 59-2012).",
            responsible=[("cicesct", "CICESCT")],
            collaborators=[
                ("sedh", "Secretaría de Derechos Humanos (SEDH)"),
                ("stss", "Secretaría de Trabajo y Seguridad Social (STSS)"),
            ],
            indicator="Informe presentado al Congreso Nacional",
            target="1 informe anual",
            period="Febrero de cada año",
        ),
    ]
    for r in rows:
        if "line_" in r:
            r["line"] = r.pop("line_")
    fill_roles(rows, reg)
    head = [
        "Línea estratégica",
        "Objetivo",
        "Actividades",
        "Responsables",
        "Corresponsables",
        "Indicadores",
        "Metas",
        "Plazo",
    ]
    records = [head] + [
        [
            r.get("line", ""),
            r.get("objective", ""),
            r["activity"],
            r["responsible_cell"],
            r["collaborators_cell"],
            r["indicator"],
            r["target"],
            r["period"],
        ]
        for r in rows
    ]
    for i, r in enumerate(rows, start=2):
        r["_row"] = i
    # Excel's "Texto (delimitado por tabulaciones)": quotes a cell holding a quote or a line break, CRLF
    (d / "plan-cicesct-2025-2026.tsv").write_bytes(csv_text(records, "\t", "\r\n").encode("utf-8"))
    lines = physical_lines(records, "\t", "\r\n")
    parts, acts = flat_expected(rows, reg, 1, line_of=lines, levels=("line", "objective"))
    title = "Plan Operativo 2025-2026 de la Comisión Interinstitucional contra la Explotación Sexual Comercial y Trata de Personas"
    manifest(
        d,
        {
            "id": "hn-cicesct-plan-operativo-2025-2026",
            "file": "plan-cicesct-2025-2026.tsv",
            "title": "Honduras: " + title,
            "layout": "plan-table",
            "jurisdiction": "HN",
            "authority": "national",
            "plan": {"kind": "OperationalPlan", "title": title, "period": "2025-2026", "issued_by": "CICESCT"},
        },
    )
    amb = rows[5]["_row"]
    reg.extra["segdef"] = {
        "ambiguous": True,
        "note": "kept as printed; may stand for two bodies (Secretaría de Seguridad, Secretaría de Defensa Nacional): a finding, not a guess",
    }
    reg.extra["seduc"] = {"note": "only the acronym is printed"}
    dump(
        d / "expected.yaml",
        {
            "outcome": "read",
            "plan": {
                "key": "hn-cicesct-plan-operativo-2025-2026",
                "title": title,
                "period": "2025-2026",
                "country": "HN",
                "kind": "OperationalPlan",
                "issued_by": "Comisión Interinstitucional contra la Explotación Sexual Comercial y Trata de Personas",
            },
            "parts": parts,
            "activities": acts,
            "bodies": reg.expected(),
            "norms": [
                {
                    "row": rows[8]["_row"],
                    "line": lines[rows[8]["_row"]],
                    "printed": "Ley contra la Trata de Personas (Decreto 59-2012)",
                    "kind": "Decreto",
                    "number": "59-2012",
                    "year": "2012",
                    "title": "Ley contra la Trata de Personas",
                    "country": "HN",
                }
            ],
            "findings": [
                {
                    "row": amb,
                    "line": lines[amb],
                    "mentions": ["Secretaría de Seguridad y Defensa"],
                    "about": "a name that matches no body and may name two (ambiguous list)",
                }
            ],
            "not_bodies": [
                *head,
                "Secretaría de Seguridad",
                "Defensa",
                "Comisión Interinstitucional contra la Explotación Sexual Comercial",
                "Trata de Personas (CICESCT)",
                "Dirección de Niñez",
                "Adolescencia",
                "Familia (DINAF)",
                "Seguridad Social (STSS)",
                "CICESCT y DINAF",
                "SEDUC y STSS",
                "Congreso Nacional",
            ],
            "notes": [
                "The manifest's issued_by 'CICESCT' is the body the cells name CICESCT and, once, by its full name with (CICESCT).",
                "Activity 1.1.1 holds double quotes: Excel's tab-delimited export wraps such a cell in quotes and doubles the inner ones; the text is as printed, with single double-quotes.",
                "Row 5's Corresponsables cell holds a line break (quoted, CRLF file): rows 6 onwards start one physical line later than their row number.",
                "Line endings are CRLF (Windows); no activity text or body name ends in a carriage return.",
            ],
        },
    )


# ============================================================================================
# 4. matrix-exported-csv (MX)


def mx_matrix_csv():
    d = case_dir("matrix-exported-csv")
    head = ["Objetivo", "Actividad", "Responsable", "Colaboradores", "Indicador", "Meta", "Plazo"]
    E = [""] * 7
    R = lambda *c: list(c) + [""] * (7 - len(c))  # noqa: E731
    records = [
        R(
            "PROGRAMA DE TRABAJO 2025-2026 DE LA COMISIÓN INTERSECRETARIAL PARA PREVENIR, SANCIONAR Y ERRADICAR LOS DELITOS EN MATERIA DE TRATA DE PERSONAS"
        ),
        E,
        R("Eje 1. Prevención y sensibilización"),
        head,
        [
            "1.1 Sensibilizar a la comunidad escolar sobre la trata de personas y la explotación sexual infantil",
            "1.1.1 Diseñar materiales didácticos sobre prevención de la explotación sexual para educación básica.",
            "SEP",
            "SNDIF, PFPNNA",
            "Materiales diseñados y distribuidos",
            "3 materiales",
            "2025",
        ],
        [
            "",
            "1.1.2 Capacitar a personal docente y a promotores escolares",
            "SEP",
            "SNDIF",
            "Número de personas capacitadas",
            "5,000 personas",
            "2025-2026",
        ],
        R("", "y comunitarios de los municipios fronterizos en la detección de señales de explotación sexual."),
        [
            "1.2 Reducir la demanda de explotación sexual en el sector turístico",
            "1.2.1 Promover la firma del Código de Conducta Nacional en destinos turísticos prioritarios.",
            "SECTUR",
            "SNDIF; INM",
            "Número de empresas firmantes",
            "250 empresas",
            "2026",
        ],
        E,
        R("Eje 2. Atención y protección integral"),
        head,
        [
            "2.1 Garantizar la atención integral de niñas, niños y adolescentes víctimas",
            "2.1.1 Fortalecer los centros de asistencia social para víctimas de explotación sexual.",
            "SNDIF",
            "PFPNNA y FGR",
            "Centros fortalecidos",
            "5 centros",
            "2025-2026",
        ],
        [
            "",
            "2.1.2 Elaborar el protocolo nacional de atención a víctimas menores de edad.",
            "PFPNNA",
            "SNDIF, SEP",
            "Protocolo publicado",
            "1 protocolo",
            "2025",
        ],
        E,
        R("Eje 3. Persecución del delito"),
        head,
        [
            "3.1 Fortalecer la investigación y persecución de la explotación sexual de niñas, niños y adolescentes",
            "3.1.1 Capacitar a agentes del Ministerio Público de la Federación en investigación de explotación sexual en línea.",
            "FGR",
            "Guardia Nacional (GN)",
            "Agentes capacitados",
            "200 agentes",
            "2025",
        ],
        [
            "",
            "3.1.2 Realizar operativos coordinados en zonas de alta incidencia.",
            "FGR, Guardia Nacional (GN)",
            "INM",
            "Operativos realizados",
            "12 operativos",
            "2025-2026",
        ],
        E,
        E,
    ]
    # Excel's "CSV UTF-8": BOM, CRLF
    (d / "matriz-programa-trabajo-2025-2026.csv").write_bytes(
        b"\xef\xbb\xbf" + csv_text(records, ",", "\r\n").encode("utf-8")
    )
    manifest(
        d,
        {
            "id": "mx-programa-trabajo-trata-2025-2026",
            "file": "matriz-programa-trabajo-2025-2026.csv",
            "title": "México: Programa de Trabajo 2025-2026 (matriz exportada)",
            "layout": "plan-table",
            "jurisdiction": "MX",
            "plan": {"title": "Programa de Trabajo 2025-2026", "period": "2025-2026"},
        },
    )
    dump(
        d / "expected.yaml",
        {
            "outcome": "refused",
            "error": {
                "exit": 2,
                "dry_run_exit": [1, 2],
                "mentions": ["matriz-programa-trabajo-2025-2026.csv"],
                "mentions_one_of": [ANY_ROW(7), ANY_ROW(11), ANY_ROW(16), ANY_ROW(10), ANY_ROW(15)],
                "mentions_ideally": ["heading", "continuation"],
            },
            "store_unchanged": True,
            "not_bodies": [*head, "Eje 2. Atención y protección integral", "Eje 3. Persecución del delito"],
            "notes": [
                "The sheet is a matrix exported from Word, not one flat table: a title row (1), an empty row (2), an axis row (3) above the headings (4); row 7 holds only the continuation of row 6's activity ('... a promotores escolares' / 'y comunitarios de ...', lower case, other cells empty); rows 9, 14, 19, 20 are spacers; rows 10 and 15 are axis rows and rows 11 and 16 repeat the headings.",
                "With layout plan-table a faithful tool refuses the document: it must not read row 7 as an activity, rows 10/15 as objectives, nor rows 11/16 as an activity 'Actividad' whose responsible is a body 'Responsable'.",
                "The error names the file and at least one of the offending rows (7: continuation; 11 or 16: heading repeated; 10 or 15: axis row inside the table); ideally every one, and what is wrong ('the heading repeats', 'continues the activity above').",
                "Nothing is written to the store (store_unchanged).",
            ],
        },
    )


# ============================================================================================
# 5. matrix-exported-xlsx (EC)


def ec_matrix_xlsx():
    d = case_dir("matrix-exported-xlsx")
    head = ["Objetivo", "Actividad", "Responsable", "Colaboradores", "Indicador", "Meta", "Plazo"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hoja1"
    rows = {
        1: [
            "MATRIZ DEL PLAN DE ACCIÓN 2025-2027 PARA LA PREVENCIÓN Y ERRADICACIÓN DE LA EXPLOTACIÓN SEXUAL DE NIÑAS, NIÑOS Y ADOLESCENTES"
        ],
        3: ["Eje 1. Prevención"],
        4: head,
        5: [
            "1.1 Prevenir la violencia sexual y la explotación sexual en el sistema educativo",
            "1.1.1 Implementar el programa de prevención en instituciones educativas fiscales.",
            "Ministerio de Educación (MINEDUC)",
            "Ministerio de la Mujer y Derechos Humanos (MMDH)",
            "Instituciones educativas con el programa",
            "400 instituciones",
            "2025-2026",
        ],
        6: [
            None,
            "1.1.2 Formar a los Departamentos de Consejería Estudiantil en la ruta de denuncia.",
            "MINEDUC",
            "CNII",
            "Profesionales formados",
            "1.500 profesionales",
            "2025",
        ],
        8: ["Eje 2. Atención y restitución de derechos"],
        9: head,
        10: [
            "2.1 Garantizar la atención especializada a víctimas de explotación sexual",
            "2.1.1 Fortalecer los servicios de atención psicosocial para víctimas de explotación sexual en los cantones",
            "Ministerio de Inclusión Económica y Social (MIES)",
            "MMDH, Fiscalía General del Estado (FGE)",
            "Servicios fortalecidos",
            "12 servicios",
            "2026",
        ],
        11: [None, "de la frontera norte con mayor incidencia de casos."],
        12: [
            None,
            "2.1.2 Implementar casas de acogida especializadas en Quito y Guayaquil.",
            "MIES",
            "MMDH",
            "Casas en funcionamiento",
            "2 casas",
            "2026-2027",
        ],
        14: ["Eje 3. Investigación y sanción"],
        15: head,
        16: [
            "3.1 Fortalecer la investigación y sanción de los delitos de explotación sexual",
            "3.1.1 Capacitar a fiscales y jueces en la aplicación del enfoque de protección integral.",
            "Consejo de la Judicatura (CJ)",
            "FGE",
            "Operadores de justicia capacitados",
            "300 personas",
            "2025-2027",
        ],
        17: [
            None,
            "3.1.2 Conformar unidades especializadas de investigación en las zonas de frontera.",
            "Policía Nacional",
            "FGE",
            "Unidades conformadas",
            "2 unidades",
            "2026",
        ],
    }
    for n, vals in rows.items():
        for c, v in enumerate(vals, start=1):
            if v is not None:
                cell = ws.cell(row=n, column=c, value=v)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if n in (4, 9, 15):
                    cell.font = Font(bold=True)
    for n in (1, 3, 8, 14):
        ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=7)
        ws.cell(row=n, column=1).font = Font(bold=True)
    ws.merge_cells("A5:A6")
    ws.merge_cells("A10:A12")
    ws.merge_cells("A16:A17")
    wb.save(d / "matriz-plan-accion-ec.xlsx")
    manifest(
        d,
        {
            "id": "ec-plan-accion-escnna-2025-2027",
            "file": "matriz-plan-accion-ec.xlsx",
            "title": "Ecuador: Plan de Acción 2025-2027 (matriz exportada de Word)",
            "layout": "plan-table",
            "jurisdiction": "EC",
            "plan": {"title": "Plan de Acción 2025-2027", "period": "2025-2027"},
        },
    )
    dump(
        d / "expected.yaml",
        {
            "outcome": "refused",
            "error": {
                "exit": 2,
                "dry_run_exit": [1, 2],
                "mentions": ["matriz-plan-accion-ec.xlsx"],
                "mentions_one_of": [ANY_ROW(9), ANY_ROW(11), ANY_ROW(15), ANY_ROW(8), ANY_ROW(14)],
                "mentions_ideally": ["Hoja1", "heading", "continuation"],
            },
            "store_unchanged": True,
            "not_bodies": [
                *head,
                "Eje 2. Atención y restitución de derechos",
                "Eje 3. Investigación y sanción",
                "de la frontera norte con mayor incidencia de casos.",
            ],
            "notes": [
                "Sheet 'Hoja1', pasted from a Word table: title merged over A1:G1, row 2 empty, axis rows merged over A:G (3, 8, 14), headings in rows 4, 9 and 15, objectives merged vertically (A5:A6, A10:A12, A16:A17), spacer rows 7 and 13.",
                "Row 11 holds only, in column B, the continuation of row 10's activity ('... en los cantones' / 'de la frontera norte con mayor incidencia de casos.').",
                "A faithful tool refuses with layout plan-table and names the file and at least one of rows 9 or 15 (heading repeated), 11 (continuation), 8 or 14 (axis row inside the table); ideally the sheet too.",
            ],
        },
    )


# ============================================================================================
# 6. text-plan-running-headers (PY), layout conacoes-work-plan


PY_COMMISSION = (
    "Comisión Nacional de Prevención y Atención Integral de la Explotación Sexual de Niñas, Niños y Adolescentes"
)
MATRIX_HEAD = (
    "Acción estratégica\tObjetivo\tActividad\tColaboradores\tResponsable\tIndicadores\tMeta\tMedios de verificación"
)


def py_text():
    d = case_dir("text-plan-running-headers")
    reg = Registry(
        "PY",
        {
            "conapresnna": (PY_COMMISSION, "CONAPRESNNA"),
            "cnna": ("Consejo Nacional de la Niñez y la Adolescencia", None),
            "minna": ("Ministerio de la Niñez y la Adolescencia", "MINNA"),
            "mec": ("Ministerio de Educación y Ciencias", "MEC"),
            "senatur": ("Secretaría Nacional de Turismo", "SENATUR"),
            "codeni": ("CODENI", None),
            "mitic": ("Ministerio de Tecnologías de la Información y Comunicación", "MITIC"),
            "sub_prev": ("Subcomisión de Prevención y Sensibilización", None),
            "sub_aten": ("Subcomisión de Atención y Restitución de Derechos", None),
            "mspbs": ("Ministerio de Salud Pública y Bienestar Social", "MSPBS"),
            "minmujer": ("Ministerio de la Mujer", None),
            "st": ("Secretaría Técnica de la CONAPRESNNA", None),
            "pn": ("Policía Nacional", None),
            "mdi": ("Ministerio del Interior", "MDI"),
            "ueltes": (
                "Unidad Especializada de Lucha contra la Trata de Personas y Explotación Sexual de Niñas, Niños y Adolescentes del Ministerio Público",
                None,
            ),
            "csj": ("Corte Suprema de Justicia", "CSJ"),
            "mtess": ("Ministerio de Trabajo, Empleo y Seguridad Social", "MTESS"),
        },
    )
    header = ["Plan Anual de Trabajo 2025", f"{PY_COMMISSION} (CONAPRESNNA)"]
    # sections: (title, general objective, [ (action, objective, activity, collab, resp, ind, meta, medios) ])
    S = [
        (
            "SUBCOMISIÓN DE PREVENCIÓN Y SENSIBILIZACIÓN",
            "Reducir los factores de riesgo de la explotación sexual de niñas, niños y adolescentes mediante acciones de prevención en los ámbitos educativo, comunitario y digital.",
            [
                (
                    "1. Posicionar la prevención de la explotación sexual de niñas, niños y adolescentes en la agenda pública.",
                    "1.1. Sensibilizar a la población sobre las formas de explotación sexual y los canales de denuncia.",
                    "1.1.1. Diseñar y difundir una campaña nacional de prevención en medios de comunicación y redes sociales.",
                    {
                        "sep": ", ",
                        "m": [
                            ("mec", "Ministerio de Educación y Ciencias (MEC)"),
                            ("senatur", "Secretaría Nacional de Turismo (SENATUR)"),
                        ],
                    },
                    {"m": [("minna", "Ministerio de la Niñez y la Adolescencia (MINNA)")]},
                    "Campaña difundida en medios masivos y redes sociales",
                    "Una campaña difundida al tercer trimestre de 2025",
                    "Piezas comunicacionales; informe de alcance",
                ),
                (
                    "",
                    "",
                    "1.1.2. Realizar talleres de prevención en instituciones educativas de los departamentos de Central, Alto Paraná e Itapúa.",
                    {"sep": " y ", "m": [("minna", "MINNA"), ("codeni", "CODENI")]},
                    {"m": [("mec", "MEC")]},
                    "Número de talleres realizados",
                    "60 talleres al cuarto trimestre de 2025",
                    "Listas de asistencia",
                ),
                (
                    "2. Prevenir la explotación sexual de niñas, niños y adolescentes en el ámbito digital.",
                    "2.1. Promover el uso seguro de internet entre adolescentes, familias y docentes.",
                    "2.1.1. Elaborar una guía de prevención del grooming y la explotación sexual en línea.",
                    {"m": [("mitic", "Ministerio de Tecnologías de la Información y Comunicación (MITIC)")]},
                    {"m": [("sub_prev", "Subcomisión de Prevención y Sensibilización")]},
                    "Guía elaborada y validada",
                    "Una guía publicada al segundo trimestre de 2025",
                    "Guía publicada",
                ),
                "PAGE",
                (
                    "",
                    "",
                    "2.1.2. Capacitar a docentes de la educación escolar básica en el uso de la guía.",
                    {"none": "No hay"},
                    {"m": [("mec", "MEC")]},
                    "Número de docentes capacitados",
                    "500 docentes capacitados al cuarto trimestre de 2025",
                    "Registros de capacitación",
                ),
            ],
        ),
        (
            "SUBCOMISIÓN DE ATENCIÓN Y RESTITUCIÓN DE DERECHOS",
            "Garantizar la atención integral y la restitución de derechos de niñas, niños y adolescentes víctimas de explotación sexual.",
            [
                (
                    "1. Articular la ruta interinstitucional de atención a víctimas.",
                    "1.1. Actualizar el protocolo de atención a niñas, niños y adolescentes víctimas de explotación sexual.",
                    "1.1.1. Revisar y actualizar el Protocolo Interinstitucional de Atención a Víctimas de Explotación Sexual.",
                    {
                        "sep": "; ",
                        "m": [
                            ("mspbs", "Ministerio de Salud Pública y Bienestar Social (MSPBS)"),
                            ("minmujer", "Ministerio de la Mujer"),
                        ],
                    },
                    {"m": [("sub_aten", "Subcomisión de Atención y Restitución de Derechos")]},
                    "Protocolo actualizado",
                    "Protocolo aprobado al tercer trimestre de 2025",
                    "Acta de aprobación",
                ),
                (
                    "",
                    "",
                    "1.1.2. Capacitar a los equipos técnicos de las CODENI en la aplicación del protocolo.",
                    {"m": [("st", "Secretaría Técnica de la CONAPRESNNA")]},
                    {"m": [("minna", "MINNA")]},
                    "Número de CODENI capacitadas",
                    "80 CODENI capacitadas",
                    "Listas de asistencia; informe",
                ),
                (
                    "",
                    "1.2. Fortalecer los servicios de acogimiento para víctimas.",
                    "1.2.1. Habilitar plazas de acogimiento especializado para adolescentes víctimas de explotación sexual.",
                    {"sep": " y ", "m": [("mspbs", "MSPBS"), ("minmujer", "Ministerio de la Mujer")]},
                    {"m": [("minna", "Ministerio de la Niñez y la Adolescencia (MINNA)")]},
                    "Número de plazas habilitadas",
                    "20 plazas al cuarto trimestre de 2025",
                    "Informe de gestión",
                ),
            ],
        ),
        "PAGE",
        (
            "SUBCOMISIÓN DE PROTECCIÓN Y PERSECUCIÓN PENAL",
            "Fortalecer la investigación, persecución y sanción de los hechos punibles de explotación sexual de niñas, niños y adolescentes.",
            [
                (
                    "1. Mejorar la investigación de los hechos punibles de explotación sexual.",
                    "1.1. Fortalecer las capacidades de las instituciones del sistema de justicia.",
                    "1.1.1. Capacitar a agentes fiscales y a personal policial en la investigación de casos de explotación sexual en línea.",
                    {"sep": ", ", "m": [("pn", "Policía Nacional"), ("mdi", "Ministerio del Interior (MDI)")]},
                    {
                        "m": [
                            (
                                "ueltes",
                                "Unidad Especializada de Lucha contra la Trata de Personas y Explotación Sexual de Niñas, Niños y Adolescentes del Ministerio Público",
                            )
                        ]
                    },
                    "Número de personas capacitadas",
                    "120 agentes fiscales y policiales capacitados",
                    "Certificados; listas de asistencia",
                ),
                (
                    "",
                    "",
                    "1.1.2. Elaborar un informe anual de causas iniciadas por explotación sexual de niñas, niños y adolescentes.",
                    {"m": [("csj", "Corte Suprema de Justicia (CSJ)")]},
                    {"m": [("st", "Secretaría Técnica de la CONAPRESNNA")]},
                    "Informe elaborado",
                    "Un informe presentado en la sesión plenaria de diciembre de 2025",
                    "Informe; acta de sesión",
                ),
                (
                    "",
                    "1.2. Prevenir la explotación sexual en el trabajo infantil y adolescente.",
                    "1.2.1. Realizar inspecciones conjuntas en establecimientos donde se detecte trabajo adolescente en riesgo de explotación sexual.",
                    {"sep": "; ", "m": [("pn", "Policía Nacional"), ("senatur", "SENATUR")]},
                    {"m": [("mtess", "Ministerio de Trabajo, Empleo y Seguridad Social (MTESS)")]},
                    "Número de inspecciones realizadas",
                    "40 inspecciones",
                    "Actas de inspección",
                ),
            ],
        ),
    ]
    # count pages first
    n_pages = 2 + sum(1 for s in S if s == "PAGE") + sum(1 for s in S if s != "PAGE" for x in s[2] if x == "PAGE")
    lines: list[str] = []
    page = 1

    def add(s=""):
        lines.append(s)
        return len(lines)

    # cover (page 1): no running header, no page number
    add("")
    add(f"{PY_COMMISSION} (CONAPRESNNA)")
    add("")
    add("Plan Anual de Trabajo")
    add("")
    add("2025")
    add("")
    add("Aprobado por el Consejo Nacional de la Niñez y la Adolescencia en la")
    add("Sesión Ordinaria N° 03/2025 del 14 de marzo de 2025")
    add("")
    add("Asunción, Paraguay")
    add("")

    def new_page(with_matrix_head: bool):
        nonlocal page
        add("")
        add(f"Página {page} de {n_pages}" if page > 1 else "")
        page += 1
        # pdftotext ends each page with a form feed; the next page's first line follows it
        lines.append("\f" + header[0])
        add(header[1])
        add("")
        if with_matrix_head:
            add(MATRIX_HEAD)

    new_page(False)
    parts, acts = [], []
    for s in S:
        if s == "PAGE":
            new_page(False)
            continue
        title, og, rws = s
        sec_line = add(title)
        parts.append({"level": "section", "text": title.title() if False else title, "line": sec_line})
        og_line = add(f"Objetivo General: {og}")
        parts.append({"level": "general_objective", "text": og, "line": og_line, "section": title})
        add(MATRIX_HEAD)
        cur_action = cur_obj = None
        for r in rws:
            if r == "PAGE":
                new_page(True)
                continue
            action, obj, act, colab, resp, ind, meta, medios = r

            def cell(spec):
                if "none" in spec:
                    return spec["none"], []
                forms = reg.saw(spec["m"])
                return spec.get("sep", ", ").join(forms), forms

            colab_cell, colab_facts = cell(colab)
            resp_cell, resp_facts = cell(resp)
            n = add("\t".join([action, obj, act, colab_cell, resp_cell, ind, meta, medios]))
            if action:
                no, text = split_notation(action)
                parts.append({"level": "strategic_action", "notation": no, "text": text, "line": n, "section": title})
                cur_action = no
            if obj:
                no, text = split_notation(obj)
                parts.append(
                    {
                        "level": "objective",
                        "notation": no,
                        "text": text,
                        "line": n,
                        "section": title,
                        "parent": cur_action,
                    }
                )
                cur_obj = no
            no, text = split_notation(act)
            a = {
                "line": n,
                "section": title,
                "notation": no,
                "text": text,
                "parent": cur_obj,
                "responsible": resp_facts,
                "collaborators": colab_facts,
                "indicator": ind,
                "target": meta,
                "means": medios,
            }
            if "none" in colab:
                a["note"] = "'No hay' (there is none) names no body."
            acts.append(a)
        add("")
    add("")
    add(f"Página {page} de {n_pages}")
    text = "\n".join(lines) + "\n\f"
    (d / "py-conapresnna-plan-anual-2025.txt").write_text(text, encoding="utf-8")
    assert page == n_pages, (page, n_pages)
    first_break = next(i for i, ln in enumerate(lines) if ln.startswith("\f"))
    running = [
        i + 1
        for i, ln in enumerate(lines)
        if i >= first_break and (ln.lstrip("\f") in header or ln.startswith("Página "))
    ]
    manifest(
        d,
        {
            "id": "py-conapresnna-plan-anual-2025",
            "file": "py-conapresnna-plan-anual-2025.txt",
            "title": f"{PY_COMMISSION} (CONAPRESNNA): Plan Anual de Trabajo 2025",
            "layout": "conacoes-work-plan",
            "jurisdiction": "PY",
            "authority": "national",
            "plan": {"issued_by": PY_COMMISSION},
        },
    )
    reg.extra["cnna"] = {
        "note": "the approving body (cover): Paraguay's, not Costa Rica's body of the same name in the bundled reference data"
    }
    reg.extra["conapresnna"] = {
        "note": "the issuer (manifest); printed in the cover and in every running header, never as a responsible or collaborator"
    }
    reg.extra["codeni"] = {"note": "only the acronym is printed"}
    reg.extra["ueltes"] = {"note": "one body: a unit whose name holds a comma and ' y '"}
    dump(
        d / "expected.yaml",
        {
            "outcome": "read",
            "plan": {
                "key": "py-conapresnna-plan-anual-2025",
                "title": "Plan Anual de Trabajo 2025",
                "period": "2025",
                "country": "PY",
                "kind": "AnnualWorkPlan",
                "issued_by": PY_COMMISSION,
                "approved_by": "Consejo Nacional de la Niñez y la Adolescencia",
                "approval_act": "Sesión Ordinaria N° 03/2025",
                "approval_date": "2025-03-14",
                "line": 4,
            },
            "parts": parts,
            "activities": acts,
            "bodies": reg.expected(also=("conapresnna", "cnna")),
            "norms": [],
            "findings": [],
            "running_lines": running,
            "not_bodies": header
            + [f"Página {i} de {n_pages}" for i in range(2, n_pages + 1)]
            + [
                "No hay",
                "Asunción, Paraguay",
                "Acción estratégica",
                "Objetivo",
                "Actividad",
                "Colaboradores",
                "Responsable",
                "Indicadores",
                "Meta",
                "Medios de verificación",
                "MINNA y CODENI",
                "Subcomisión de Prevención y Sensibilización, Subcomisión de Atención y Restitución de Derechos",
            ],
            "notes": [
                "Text as pdftotext gives it: each page ends with a form feed (\\f) and the next page's first line follows it on the same line; line numbers count line feeds only (a form feed does not start a line), as editors and grep -n do.",
                f"Pages 2 to {n_pages} begin with a running header of two lines (the title 'Plan Anual de Trabajo 2025' and the commission's name with its acronym) and end with 'Página N de {n_pages}' (the cover, page 1, has neither). running_lines lists every such line: none becomes a plan, section, objective, activity or body, and the plan is read once (one plan, title and period from the cover).",
                "Page 3 repeats the matrix's heading row before the rows that continue the first section's objective 2.1 (empty first cells): those rows still belong to section 1, action 2, objective 2.1.",
                "Notations restart in each section (1., 1.1., 1.1.1.): parts and activities are placed by section and notation.",
                "The 'Protocolo Interinstitucional de Atención a Víctimas de Explotación Sexual' is an inter-agency procedure, not a treaty (no link to any Protocol) nor a norm.",
            ],
        },
    )
    return lines


# ============================================================================================
# 7. curated-shape-error and curated-bad-date (BO)


BO_COUNCIL = "Consejo Plurinacional contra la Trata y Tráfico de Personas"


def bo_text_plan() -> tuple[str, int]:
    lines = [
        "",
        BO_COUNCIL,
        "",
        "Plan Anual de Trabajo",
        "",
        "2025",
        "",
        f"Aprobado por el {BO_COUNCIL} en la",
        "Sesión Ordinaria N° 01/2025 del 20 de febrero de 2025",
        "",
        f"El {BO_COUNCIL} fue creado por la Ley N° 263, Ley Integral contra la Trata y Tráfico de Personas, de 31 de julio de 2012, como instancia máxima de coordinación y representación para la formulación y seguimiento de las políticas en la materia.",
        "",
        "SUBCOMISIÓN DE PREVENCIÓN",
        "Objetivo General: Prevenir la trata y tráfico de personas y la explotación sexual de niñas, niños y adolescentes en el ámbito educativo y comunitario.",
        MATRIX_HEAD,
        "\t".join(
            [
                "1. Fortalecer la prevención en el sistema educativo plurinacional.",
                "1.1. Incorporar la prevención de la trata y tráfico de personas en la formación docente.",
                "1.1.1. Capacitar a maestras y maestros de las Escuelas Superiores de Formación de Maestros.",
                "Defensoría del Pueblo",
                "Ministerio de Educación",
                "Número de maestras y maestros capacitados",
                "600 maestras y maestros capacitados al cuarto trimestre de 2025",
                "Listas de participantes",
            ]
        ),
        "\t".join(
            [
                "",
                "",
                "1.1.2. Difundir la línea gratuita de denuncia en unidades educativas de El Alto y Cochabamba.",
                "Defensorías de la Niñez y Adolescencia",
                "Ministerio de Educación",
                "Unidades educativas con material de difusión",
                "200 unidades educativas",
                "Fotografías; informe",
            ]
        ),
        "",
    ]
    return "\n".join(lines) + "\n", 11


def curated_case(name: str, fault: dict, error: dict, notes: list[str]):
    d = case_dir(name)
    text, prose_line = bo_text_plan()
    (d / "bo-consejo-plan-anual-2025.txt").write_text(text, encoding="utf-8")
    body = {
        "key": "bo-consejo-plurinacional-trata",
        "class": "CoordinationBody",
        "name": BO_COUNCIL,
        "line": prose_line,
        "quote": f"El {BO_COUNCIL} fue creado por la Ley N° 263",
    }
    body.update(fault)
    dump(d / "bo-consejo-curado.yaml", {"bodies": [body]})
    manifest(
        d,
        {
            "id": "bo-consejo-plan-anual-2025",
            "file": "bo-consejo-plan-anual-2025.txt",
            "title": f"{BO_COUNCIL}: Plan Anual de Trabajo 2025",
            "layout": "conacoes-work-plan",
            "jurisdiction": "BO",
            "authority": "national",
            "curated": "bo-consejo-curado.yaml",
        },
    )
    dump(d / "expected.yaml", {"outcome": "refused", "error": error, "store_unchanged": True, "notes": notes})


# ============================================================================================
# 8. misspelt keys (HN), with a control that reads


HN_SMALL_HEAD = [
    "Línea estratégica",
    "Objetivo",
    "Actividad",
    "Responsable",
    "Colaboradores",
    "Indicador",
    "Meta",
    "Plazo",
]
HN_CIC = "Comisión Interinstitucional contra la Explotación Sexual Comercial y Trata de Personas"


def hn_small(d: Path):
    records = [
        HN_SMALL_HEAD,
        [
            "1. Prevención",
            "1.1 Informar a la población sobre los riesgos de la trata de personas",
            "1.1.1 Realizar ferias informativas en los municipios de la ruta migratoria.",
            "CICESCT",
            "SEDH, INM",
            "Número de ferias realizadas",
            "12 ferias",
            "2025",
        ],
        [
            "",
            "",
            "1.1.2 Difundir mensajes de prevención en radios comunitarias.",
            "Secretaría de Derechos Humanos (SEDH)",
            "CICESCT",
            "Número de mensajes difundidos",
            "40 mensajes",
            "2025",
        ],
        [
            "2. Atención",
            "2.1 Mejorar la atención inmediata a las víctimas",
            "2.1.1 Actualizar el directorio de servicios de atención a víctimas.",
            f"{HN_CIC} (CICESCT)",
            "DINAF",
            "Directorio actualizado",
            "1 directorio",
            "2025",
        ],
    ]
    (d / "plan.csv").write_text(csv_text(records), encoding="utf-8")


def hn_entry(**over):
    e = {
        "id": "hn-cicesct-plan-prevencion-2025",
        "file": "plan.csv",
        "title": "Honduras: CICESCT, plan de prevención 2025",
        "layout": "plan-table",
        "jurisdiction": "HN",
        "plan": {"title": "Plan de Prevención 2025", "period": "2025"},
    }
    e.update(over)
    return e


def misspelt():
    root = case_dir("misspelt-keys")
    (root / "README.md").write_text(
        "Each sub-directory is a case of its own (its own sources.yaml and expected.yaml) on the same small\n"
        "Honduran plan (plan.csv). `control/` is the plan with every key spelt right: it must read. Each other\n"
        "case misspells one key and must be refused with an error naming the misspelt key.\n",
        encoding="utf-8",
    )

    d = root / "control"
    d.mkdir()
    hn_small(d)
    shutil.copy(HERE.parents[2] / "ingest" / "layouts" / "plan-table.yaml", d / "plan-table-hn.yaml")
    manifest(d, hn_entry(layout="plan-table-hn.yaml"))
    dump(
        d / "expected.yaml",
        {
            "outcome": "read",
            "plan": {
                "key": "hn-cicesct-plan-prevencion-2025",
                "title": "Plan de Prevención 2025",
                "period": "2025",
                "country": "HN",
            },
            "parts": [
                {"level": "line", "notation": "1", "text": "Prevención", "row": 2, "line": 2},
                {
                    "level": "objective",
                    "notation": "1.1",
                    "text": "Informar a la población sobre los riesgos de la trata de personas",
                    "row": 2,
                    "line": 2,
                    "parent": "1",
                },
                {"level": "line", "notation": "2", "text": "Atención", "row": 4, "line": 4},
                {
                    "level": "objective",
                    "notation": "2.1",
                    "text": "Mejorar la atención inmediata a las víctimas",
                    "row": 4,
                    "line": 4,
                    "parent": "2",
                },
            ],
            "activities": [
                {
                    "row": 2,
                    "line": 2,
                    "notation": "1.1.1",
                    "text": "Realizar ferias informativas en los municipios de la ruta migratoria.",
                    "parent": "1.1",
                    "responsible": ["CICESCT"],
                    "collaborators": ["SEDH", "INM"],
                    "indicator": "Número de ferias realizadas",
                    "target": "12 ferias",
                    "period": "2025",
                },
                {
                    "row": 3,
                    "line": 3,
                    "notation": "1.1.2",
                    "text": "Difundir mensajes de prevención en radios comunitarias.",
                    "parent": "1.1",
                    "responsible": ["Secretaría de Derechos Humanos (SEDH)"],
                    "collaborators": ["CICESCT"],
                    "indicator": "Número de mensajes difundidos",
                    "target": "40 mensajes",
                    "period": "2025",
                },
                {
                    "row": 4,
                    "line": 4,
                    "notation": "2.1.1",
                    "text": "Actualizar el directorio de servicios de atención a víctimas.",
                    "parent": "2.1",
                    "responsible": [f"{HN_CIC} (CICESCT)"],
                    "collaborators": ["DINAF"],
                    "indicator": "Directorio actualizado",
                    "target": "1 directorio",
                    "period": "2025",
                },
            ],
            "bodies": [
                {"name": HN_CIC, "acronym": "CICESCT", "country": "HN", "printed": ["CICESCT", f"{HN_CIC} (CICESCT)"]},
                {
                    "name": "Secretaría de Derechos Humanos",
                    "acronym": "SEDH",
                    "country": "HN",
                    "printed": ["SEDH", "Secretaría de Derechos Humanos (SEDH)"],
                },
                {"name": "INM", "country": "HN", "printed": ["INM"]},
                {"name": "DINAF", "country": "HN", "printed": ["DINAF"]},
            ],
            "norms": [],
            "findings": [],
            "not_bodies": [*HN_SMALL_HEAD, "SEDH, INM"],
            "notes": ["The layout file is an unchanged copy of the built-in plan-table.yaml."],
        },
    )

    def sub(name, entry, error, notes, layout_edit=None, curated=None):
        d = root / name
        d.mkdir()
        hn_small(d)
        if layout_edit:
            src = (HERE.parents[2] / "ingest" / "layouts" / "plan-table.yaml").read_text(encoding="utf-8")
            old, new = layout_edit
            assert src.count(old) == 1, old
            (d / "plan-table-hn.yaml").write_text(src.replace(old, new), encoding="utf-8")
        if curated:
            dump(d / "curado.yaml", curated)
        manifest(d, entry)
        error = {"exit": 2, "dry_run_exit": [1, 2], **error}
        dump(d / "expected.yaml", {"outcome": "refused", "error": error, "store_unchanged": True, "notes": notes})

    e = hn_entry()
    e.pop("jurisdiction")
    e = {k: e[k] for k in ("id", "file", "title", "layout")} | {"jurisdicton": "HN", "plan": e["plan"]}
    sub(
        "manifest-key",
        e,
        {"mentions": ["sources.yaml", "jurisdicton"], "mentions_ideally": ["did you mean", "jurisdiction"]},
        [
            "The manifest entry spells 'jurisdicton'. The error names the misspelt key (not only 'jurisdiction is required')."
        ],
    )
    sub(
        "plan-key",
        hn_entry(plan={"title": "Plan de Prevención 2025", "perido": "2025"}),
        {"mentions": ["sources.yaml", "perido"], "mentions_ideally": ["did you mean", "period"]},
        [
            "The entry's plan facts spell 'perido'. A tool that ignores it would read a plan with no period: it must refuse, naming the key."
        ],
    )
    sub(
        "layout-name",
        hn_entry(layout="plan-tabla"),
        {"mentions": ["plan-tabla"], "mentions_ideally": ["did you mean", "plan-table"]},
        [
            "The entry names a layout 'plan-tabla' that does not exist: refused, naming it and ideally the nearest layout (plan-table) or the list of layouts."
        ],
    )
    sub(
        "layout-option",
        hn_entry(layout="plan-table-hn.yaml"),
        {"mentions": ["plan-table-hn.yaml", "levles"], "mentions_ideally": ["did you mean", "levels"]},
        [
            "The copied layout spells its option 'levles' (for 'levels'). A tool that ignores it would read the plan without its levels: it must refuse, naming the layout file and the key."
        ],
        layout_edit=("    levels: {axis: Axis,", "    levles: {axis: Axis,"),
    )
    sub(
        "layout-column-role",
        hn_entry(layout="plan-table-hn.yaml"),
        {"mentions": ["plan-table-hn.yaml", "colaborators"], "mentions_ideally": ["did you mean", "collaborators"]},
        [
            "The copied layout's columns spell the role 'colaborators' (for 'collaborators'). A tool that ignores it would read no collaborators at all: it must refuse, naming the layout file and the key."
        ],
        layout_edit=("      collaborators: [colaboradores,", "      colaborators: [colaboradores,"),
    )
    sub(
        "curated-key",
        hn_entry(curated="curado.yaml"),
        {"mentions": ["curado.yaml", "acronim"], "mentions_ideally": ["did you mean", "acronym"]},
        [
            "The curated file's body entry spells 'acronim' (for 'acronym'). A tool that ignores unknown keys would record the body without its acronym: it must refuse, naming the curated file and the key."
        ],
        curated={
            "bodies": [
                {
                    "key": "hn-cicesct",
                    "class": "CoordinationBody",
                    "name": HN_CIC,
                    "acronim": "CICESCT",
                    "line": 4,
                    "quote": f"{HN_CIC} (CICESCT)",
                }
            ]
        },
    )


# ============================================================================================
# 9a. csv-excel-es-semicolon (PY): Windows-1252, semicolons, CRLF, dd/mm/yyyy, trailing ;;;;


def py_cp1252(name: str, encoding: str):
    d = case_dir(name)
    reg = Registry(
        "PY",
        {
            "minmujer": ("Ministerio de la Mujer", None),
            "senatur": ("Secretaría Nacional de Turismo", "SENATUR"),
            "mtess": ("Ministerio de Trabajo, Empleo y Seguridad Social", "MTESS"),
            "dgm": ("Dirección General de Migraciones", "DGM"),
            "mre": ("Ministerio de Relaciones Exteriores", "MRE"),
            "gob_ap": ("Gobernación de Alto Paraná", None),
            "mp": ("Ministerio Público", None),
            "pn": ("Policía Nacional", None),
            "mdi": ("Ministerio del Interior", None),
        },
    )
    rows = [
        dict(
            axis="1. Prevención",
            objective="1.1 Informar a la población sobre los riesgos de la trata de personas",
            activity="1.1.1 Difundir spots radiales en guaraní y castellano con el lema “Trabajo digno, sin engaños” sobre la captación con falsas ofertas de empleo.",
            responsible=[("minmujer", "Ministerio de la Mujer")],
            collaborators=[
                ("senatur", "Secretaría Nacional de Turismo (SENATUR)"),
                ("mtess", "Ministerio de Trabajo, Empleo y Seguridad Social (MTESS)"),
            ],
            collaborators_sep="; ",
            indicator="Número de pases radiales",
            target="1.200 pases radiales",
            period="15/03/2024",
            period_date="2024-03-15",
        ),
        dict(
            activity="1.1.2 Realizar ferias informativas en los pasos fronterizos de Ciudad del Este, Encarnación y Pilar (Ñeembucú).",
            responsible=[("dgm", "Dirección General de Migraciones (DGM)")],
            collaborators=[("minmujer", "Ministerio de la Mujer"), ("senatur", "SENATUR")],
            collaborators_sep=" y ",
            indicator="Número de ferias realizadas",
            target="8 ferias",
            period="30/06/2024",
            period_date="2024-06-30",
        ),
        dict(
            axis="2. Atención",
            objective="2.1 Brindar asistencia integral a las víctimas repatriadas",
            activity="2.1.1 Asistir a las personas víctimas de trata repatriadas desde Argentina, Brasil y España.",
            responsible=[("mre", "Ministerio de Relaciones Exteriores (MRE)")],
            collaborators=[("minmujer", "Ministerio de la Mujer"), ("dgm", "DGM")],
            indicator="Porcentaje de víctimas asistidas",
            target="100 %",
            period="31/12/2024",
            period_date="2024-12-31",
        ),
        dict(
            activity="2.1.2 Habilitar un albergue transitorio para mujeres víctimas de trata en el departamento de Alto Paraná.",
            responsible=[("minmujer", "Ministerio de la Mujer")],
            collaborators=[("gob_ap", "Gobernación de Alto Paraná")],
            indicator="Albergue habilitado",
            target="1 albergue",
            period="01/10/2024",
            period_date="2024-10-01",
            _note="01/10/2024 is 1 October 2024: the table's other dates (15/03, 30/06, 31/12) fix the order day/month.",
        ),
        dict(
            axis="3. Persecución",
            objective="3.1 Fortalecer la persecución penal del delito de trata de personas",
            activity="3.1.1 Capacitar a agentes fiscales en la aplicación de la Ley N° 4788/12 Integral contra la Trata de Personas.",
            responsible=[("mp", "Ministerio Público")],
            collaborators=[("mtess", "Ministerio de Trabajo, Empleo y Seguridad Social (MTESS)")],
            indicator="Número de agentes fiscales capacitados",
            target="45 agentes fiscales",
            period="15/08/2024",
            period_date="2024-08-15",
            _note="The collaborator's name holds a comma: one body.",
        ),
        dict(
            activity="3.1.2 Elaborar el reporte semestral de causas por trata de personas con datos desagregados por sexo, edad y nacionalidad.",
            responsible=[("mp", "Ministerio Público")],
            collaborators=[("pn", "Policía Nacional"), ("mdi", "Ministerio del Interior")],
            collaborators_sep="; ",
            indicator="Reportes elaborados",
            target="2 reportes",
            period="31/07/2024",
            period_date="2024-07-31",
        ),
    ]
    fill_roles(rows, reg)
    head = ["Eje", "Objetivo", "Actividad", "Responsable", "Colaboradores", "Indicador", "Meta", "Plazo"]
    records = [head] + [
        [
            r.get("axis", ""),
            r.get("objective", ""),
            r["activity"],
            r["responsible_cell"],
            r["collaborators_cell"],
            r["indicator"],
            r["target"],
            r["period"],
        ]
        for r in rows
    ]
    records += [[""] * 8, [""] * 8]
    for i, r in enumerate(rows, start=2):
        r["_row"] = i
    if encoding == "cp1252":
        data = csv_text(records, ";", "\r\n").encode("cp1252")
        assert b"\x93" in data and b"\xd1" in data
    else:
        data = b"\xef\xbb\xbf" + csv_text(records, ";", "\r\n").encode("utf-8")
    (d / "poa-mesa-trata-2024.csv").write_bytes(data)
    lines = physical_lines(records, ";", "\r\n")
    parts, acts = flat_expected(rows, reg, 1, line_of=lines)
    title = "Plan Operativo Anual 2024 – Mesa Interinstitucional para la Prevención y Combate a la Trata de Personas"
    manifest(
        d,
        {
            "id": "py-mesa-trata-poa-2024",
            "file": "poa-mesa-trata-2024.csv",
            "title": "Paraguay: " + title,
            "layout": "plan-table",
            "jurisdiction": "PY",
            "authority": "national",
            "plan": {
                "kind": "OperationalPlan",
                "title": title,
                "period": "2024",
                "issued_by": "Mesa Interinstitucional para la Prevención y Combate a la Trata de Personas",
            },
        },
    )
    reg.bodies["mesa"] = ("Mesa Interinstitucional para la Prevención y Combate a la Trata de Personas", None)
    reg.printed["mesa"] = []
    reg.extra["mesa"] = {"note": "the issuer, named in the manifest only"}
    dump(
        d / "expected.yaml",
        {
            "outcome": "read",
            "plan": {
                "key": "py-mesa-trata-poa-2024",
                "title": title,
                "period": "2024",
                "country": "PY",
                "kind": "OperationalPlan",
                "issued_by": "Mesa Interinstitucional para la Prevención y Combate a la Trata de Personas",
            },
            "parts": parts,
            "activities": acts,
            "bodies": reg.expected(also=("mesa",)),
            "norms": [
                {
                    "row": rows[4]["_row"],
                    "line": lines[rows[4]["_row"]],
                    "printed": "Ley N° 4788/12 Integral contra la Trata de Personas",
                    "kind": "Ley",
                    "number": "4788",
                    "year": "2012",
                    "title": "Integral contra la Trata de Personas",
                    "country": "PY",
                }
            ],
            "findings": (
                [
                    {
                        "row": None,
                        "mentions": ["1252"],
                        "about": "the file is not UTF-8 and was read as Windows-1252 (what Excel writes for 'CSV (delimitado por comas)' in a Spanish locale)",
                    }
                ]
                if encoding == "cp1252"
                else []
            ),
            "not_bodies": [
                *head,
                "\ufeffEje",
                "Ministerio de Trabajo",
                "Empleo y Seguridad Social (MTESS)",
                "Ministerio de la Mujer y SENATUR",
            ],
            "notes": (
                [
                    "Saved by Excel in a Spanish locale as 'CSV (delimitado por comas)': Windows-1252 (not UTF-8), semicolons, CRLF, two trailing rows of empty cells (';;;;;;;').",
                    "Text is as a person sees it in Excel: accents, Ñ, the en dash and the curly quotes of “Trabajo digno, sin engaños” decoded from Windows-1252; no mojibake ('Ã³'), no replacement character. The bytes are unambiguous (not valid UTF-8; 0x93/0x94 are curly quotes in Windows-1252 and control characters in Latin-1), so a faithful tool reads them and says so in a finding (mentioning 1252). Flagged for the team: today the tool refuses the file ('expected UTF-8 text'), which the README does not announce; a curator's Excel writes exactly this file by default.",
                ]
                if encoding == "cp1252"
                else [
                    "Saved by Excel in a Spanish locale as 'CSV UTF-8 (delimitado por comas)': a byte order mark, semicolons, CRLF, two trailing rows of empty cells (';;;;;;;'). The same plan as csv-excel-es-windows1252, in UTF-8.",
                ]
            )
            + [
                "The trailing empty rows are not activities.",
                "Plazo holds day/month/year dates: period as printed, period_date the date (2024-10-01 for 01/10/2024).",
                "'1.200 pases radiales' is one thousand two hundred (Spanish thousands separator), kept as printed.",
            ],
        },
    )


# ============================================================================================
# 9b. template-filled-bo: `mandato template plan` filled in


def bo_template():
    d = case_dir("template-filled-bo")
    path = d / "poa-trata-bo-2025.xlsx"
    subprocess.run([str(MANDATO), "template", "plan", "-o", str(path)], check=True, capture_output=True)
    wb = openpyxl.load_workbook(path)
    plan = wb["Plan"]
    facts = {
        "Título": "Programa Operativo Anual 2025 del Plan Plurinacional contra la Trata y Tráfico de Personas",
        "Período": 2025,
        "País": "Bolivia (Estado plurinacional de)",
        "Tipo de plan": "OperationalPlan",
        "Emitido por": "Ministerio de Justicia y Transparencia Institucional",
        "Aprobado por": BO_COUNCIL,
        "Acto de aprobación": "Resolución N° 001/2025 del Consejo Plurinacional",
        "Fecha de aprobación": dt.datetime(2025, 2, 20),
        "Clave": "bo-poa-trata-2025",
    }
    for row in plan.iter_rows(min_row=2):
        label = row[0].value
        if label in facts:
            row[1].value = facts[label]
            if isinstance(facts[label], dt.datetime):
                row[1].number_format = "dd/mm/yyyy"
    acts_ws = wb["Actividades"]
    heads = [c.value for c in acts_ws[1]]
    assert heads[:11] == [
        "Eje",
        "Objetivo",
        "Resultado",
        "Actividad",
        "Responsable",
        "Colaboradores",
        "Indicador",
        "Meta",
        "Medio de verificación",
        "Plazo",
        "Línea base",
    ], heads
    reg = Registry(
        "BO",
        {
            "minedu": ("Ministerio de Educación", None),
            "dna": ("Defensorías de la Niñez y Adolescencia", "DNA"),
            "sedeges": ("Servicio Departamental de Gestión Social", "SEDEGES"),
            "mjti": ("Ministerio de Justicia y Transparencia Institucional", "MJTI"),
            "mp": ("Ministerio Público", None),
            "mingob": ("Ministerio de Gobierno", None),
            "felcc": ("Fuerza Especial de Lucha Contra el Crimen", "FELCC"),
            "digemig": ("Dirección General de Migración", "DIGEMIG"),
            "consejo": (BO_COUNCIL, None),
        },
    )
    rows = [
        dict(
            axis="1. Prevención",
            objective="1.1 Prevenir la captación de niñas, niños y adolescentes con fines de trata y explotación sexual",
            result="Unidades educativas con acciones de prevención",
            activity="1.1.1 Implementar talleres de prevención de la trata y tráfico de personas en unidades educativas de El Alto, Cochabamba y Santa Cruz.",
            responsible=[("minedu", "Ministerio de Educación")],
            collaborators=[("dna", "Defensorías de la Niñez y Adolescencia (DNA)")],
            indicator="Número de unidades educativas con talleres",
            target=150,
            means="Informes de talleres",
            period="Diciembre 2025",
            baseline=0,
            _note="'Ministerio de Educación' was picked from the template's drop-down, which lists bodies of other countries (Peru's ministry of that name): the responsible is Bolivia's Ministerio de Educación.",
        ),
        dict(
            result="Unidades educativas con acciones de prevención",
            activity="1.1.2 Difundir la línea gratuita de denuncia en terminales de buses y aeropuertos.",
            responsible={"cell": "Todas las instituciones", "facts": []},
            collaborators={"cell": "No aplica", "facts": []},
            indicator="Terminales con material de difusión",
            target="12 terminales",
            means="Fotografías",
            period="2025",
            _note="'Todas las instituciones' names no body (no responsible: a finding); 'No aplica' names none.",
        ),
        dict(
            axis="2. Protección y atención",
            objective="2.1 Atender de manera integral a las víctimas de trata y tráfico de personas",
            activity="2.1.1 Fortalecer los servicios de acogida de los SEDEGES con personal especializado.",
            responsible=[("sedeges", "Servicio Departamental de Gestión Social (SEDEGES)")],
            collaborators=[("mjti", "Ministerio de Justicia y Transparencia Institucional (MJTI)")],
            indicator="Servicios de acogida fortalecidos",
            target="9 servicios departamentales",
            means="Informe de gestión",
            period="2025",
        ),
        dict(
            activity="2.1.2 Elaborar la ruta de atención a víctimas de explotación sexual comercial.",
            responsible={"cell": "Por definir", "facts": []},
            collaborators=[("mp", "Ministerio Público")],
            indicator="Ruta aprobada",
            target="1 ruta",
            means="Resolución de aprobación",
            period=dt.datetime(2025, 9, 30),
            _note="'Por definir' (to be decided) names no body: no responsible, and a finding.",
        ),
        dict(
            axis="3. Persecución",
            objective="3.1 Fortalecer la investigación de los delitos de trata y tráfico de personas",
            activity="3.1.1 Capacitar a investigadores de la Fuerza Especial de Lucha Contra el Crimen en investigación de delitos cibernéticos.",
            responsible=[("mingob", "Ministerio de Gobierno")],
            collaborators=[
                ("felcc", "Fuerza Especial de Lucha Contra el Crimen (FELCC)"),
                ("mp", "Ministerio Público"),
            ],
            indicator="Número de investigadores capacitados",
            target=80,
            means="Certificados",
            period="2025",
            baseline=0,
        ),
        dict(
            activity="3.1.2 Realizar controles migratorios conjuntos en los pasos fronterizos con Argentina, Brasil y Perú.",
            responsible=[("digemig", "Dirección General de Migración (DIGEMIG)")],
            collaborators=[("mingob", "Ministerio de Gobierno"), ("felcc", "FELCC")],
            collaborators_sep="; ",
            indicator="Controles realizados",
            target=24,
            means="Actas de control",
            period="2025",
        ),
    ]
    fill_roles(rows, reg)
    for i, r in enumerate(rows, start=2):
        r["_row"] = i
        vals = [
            r.get("axis"),
            r.get("objective"),
            r.get("result"),
            r["activity"],
            r["responsible_cell"],
            r["collaborators_cell"],
            r["indicator"],
            r["target"],
            r.get("means"),
            r["period"],
            r.get("baseline"),
        ]
        for c, v in enumerate(vals, start=1):
            if v not in (None, ""):
                cell = acts_ws.cell(row=i, column=c, value=v)
                if isinstance(v, dt.datetime):
                    cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    for r in rows:
        if isinstance(r["period"], dt.datetime):
            r["period_date"] = r["period"].date().isoformat()
            r["period"] = r["period"].strftime("%d/%m/%Y")
        for k in ("target", "baseline"):
            if isinstance(r.get(k), int):
                r[k] = str(r[k])
    parts, acts = flat_expected(rows, reg, 1, levels=("axis", "objective", "result"))
    manifest(
        d,
        {
            "id": "bo-poa-trata-2025",
            "file": "poa-trata-bo-2025.xlsx",
            "title": "Bolivia: Programa Operativo Anual 2025 (plantilla de mandato)",
            "layout": "plan-table",
            "jurisdiction": "BO",
        },
    )
    reg.extra["minedu"] = {
        "not": "the body of another country's reference data with the same name (Peru's Ministerio de Educación)"
    }
    reg.extra["mp"] = {
        "not": "the body of another country's reference data with the same name (Peru's Ministerio Público)"
    }
    reg.extra["consejo"] = {"note": "the approving body (sheet Plan)"}
    reg.extra["mjti"] = {"note": "also the issuer (sheet Plan, without its acronym)"}
    dump(
        d / "expected.yaml",
        {
            "outcome": "read",
            "ingest_paths": [".", "poa-trata-bo-2025.xlsx"],
            "plan": {
                "key": "bo-poa-trata-2025",
                "title": facts["Título"],
                "period": "2025",
                "country": "BO",
                "kind": "OperationalPlan",
                "issued_by": "Ministerio de Justicia y Transparencia Institucional",
                "approved_by": BO_COUNCIL,
                "approval_act": "Resolución N° 001/2025 del Consejo Plurinacional",
                "approval_date": "2025-02-20",
            },
            "parts": parts,
            "activities": acts,
            "bodies": reg.expected(also=("consejo",)),
            "norms": [],
            "findings": [
                {
                    "row": 3,
                    "sheet": "Actividades",
                    "mentions": ["Todas las instituciones"],
                    "about": "no body is named responsible",
                },
                {
                    "row": 5,
                    "sheet": "Actividades",
                    "mentions": ["Por definir"],
                    "about": "no body is named responsible",
                },
            ],
            "not_bodies": [
                "Todas las instituciones",
                "No aplica",
                "Por definir",
                "Eje",
                "Objetivo",
                "Resultado",
                "Actividad",
                "Responsable",
                "Colaboradores",
                "Dato / Fact",
                "Valor / Value",
                "Ayuda / Help",
                "Complete la hoja 'Plan' y una fila por actividad en 'Actividades'.",
            ],
            "notes": [
                "Written by `mandato template plan` and filled as a curator does in Excel: the sheet 'Plan' (the country picked from its drop-down, 'Bolivia (Estado plurinacional de)'; the approval date typed as 20/02/2025, which Excel stores as a date), one row per activity on 'Actividades'.",
                "Read twice, alike: with its manifest entry (ingest the directory) and alone (ingest the workbook: its first sheet names its layout).",
                "Responsible and collaborator names picked from the drop-down ('Ministerio de Educación', 'Ministerio Público') are Bolivia's bodies, not the bodies of other countries' reference data that the drop-down lists.",
                "Meta 150, 80, 24, Línea base 0 and the Período 2025 are number cells; the Plazo of row 5 is a date cell (30/09/2025).",
                "Rows 2 and 3 repeat the same Resultado under objective 1.1: one result, the parent of activities 1.1.1 and 1.1.2 (a result has no notation: parent names it by its text). The other rows give no result: their activities hang from their objective.",
            ],
        },
    )


# ============================================================================================
# 9c. placeholder-responsible-ec: CSV UTF-8 with BOM, semicolons; Ídem, Todas las instituciones, N/A, —


def ec_placeholders():
    d = case_dir("placeholder-responsible-ec")
    reg = Registry(
        "EC",
        {
            "mineduc": ("Ministerio de Educación", "MINEDUC"),
            "mmdh": ("Ministerio de la Mujer y Derechos Humanos", "MMDH"),
            "cnii": ("Consejo Nacional para la Igualdad Intergeneracional", "CNII"),
            "mintur": ("Ministerio de Turismo", "MINTUR"),
            "mies": ("Ministerio de Inclusión Económica y Social", "MIES"),
            "pn_dinapen": ("Policía Nacional (DINAPEN)", None),
            "fge": ("Fiscalía General del Estado", "FGE"),
            "cj": ("Consejo de la Judicatura", "CJ"),
        },
    )
    MINEDUC = ("mineduc", "Ministerio de Educación (MINEDUC)")
    MMDH = ("mmdh", "Ministerio de la Mujer y Derechos Humanos (MMDH)")
    rows = [
        dict(
            axis="1. Prevención",
            objective="1.1 Prevenir la explotación sexual de niñas, niños y adolescentes en entornos educativos",
            activity="1.1.1 Implementar el programa de prevención de violencia sexual en instituciones educativas fiscales de la Costa y la Sierra.",
            responsible=[MINEDUC],
            collaborators=[MMDH],
            indicator="Número de instituciones educativas que implementan el programa",
            target="400 instituciones",
            period="2025",
        ),
        dict(
            activity="1.1.2 Capacitar a los Departamentos de Consejería Estudiantil (DECE) en la ruta de denuncia.",
            responsible={"cell": "Ídem", "facts": [MINEDUC]},
            collaborators=[("cnii", "Consejo Nacional para la Igualdad Intergeneracional (CNII)")],
            indicator="Número de profesionales DECE capacitados",
            target="1.500 profesionales",
            period="2025",
            _note="'Ídem' in Responsable: the same body as the row above (MINEDUC); listed with the form printed there.",
        ),
        dict(
            objective="1.2 Fortalecer la prevención de la explotación sexual en el turismo",
            activity="1.2.1 Certificar a establecimientos turísticos con el distintivo de protección a niñas, niños y adolescentes.",
            responsible=[("mintur", "Ministerio de Turismo (MINTUR)")],
            collaborators={
                "cell": "Ídem",
                "facts": [("cnii", "Consejo Nacional para la Igualdad Intergeneracional (CNII)")],
            },
            indicator="Número de establecimientos certificados",
            target="150 establecimientos",
            period="2025-2026",
            _note="'Ídem' in Corresponsables: the collaborators of the row above (CNII).",
        ),
        dict(
            axis="2. Atención y protección",
            objective="2.1 Garantizar la atención especializada a víctimas",
            activity="2.1.1 Brindar atención psicológica y legal a niñas, niños y adolescentes víctimas de explotación sexual.",
            responsible={"cell": "Todas las instituciones del Comité", "facts": []},
            collaborators={"cell": "N/A", "facts": []},
            indicator="Porcentaje de víctimas atendidas",
            target="100 %",
            period="Permanente",
            _note="'Todas las instituciones del Comité' names no single body: no responsible and a finding (not a body 'Todas las instituciones del Comité'); 'N/A' names none.",
        ),
        dict(
            activity="2.1.2 Implementar casas de acogida especializadas en Quito, Guayaquil y Lago Agrio.",
            responsible=[("mies", "Ministerio de Inclusión Económica y Social (MIES)")],
            collaborators={"cell": "Por definir", "facts": []},
            indicator="Casas de acogida en funcionamiento",
            target="3 casas",
            period="2026",
        ),
        dict(
            axis="3. Persecución",
            objective="3.1 Mejorar la investigación de los delitos de explotación sexual",
            activity="3.1.1 Conformar unidades especializadas de investigación en las zonas de frontera norte y sur.",
            responsible=[("pn_dinapen", "Policía Nacional (DINAPEN)")],
            collaborators=[("fge", "Fiscalía General del Estado (FGE)")],
            indicator="Unidades conformadas",
            target="2 unidades",
            period="2025-2026",
            _note="AMBIGUOUS: 'DINAPEN' is not the acronym of 'Policía Nacional' (it is the police's directorate for children and adolescents). A faithful tool must not record DINAPEN as the acronym of a body 'Policía Nacional'; it keeps the mention as printed (one body) and reports a finding.",
        ),
        dict(
            activity="3.1.2 Judicializar los casos de explotación sexual con enfoque de protección integral.",
            responsible={"cell": "—", "facts": []},
            collaborators=[("cj", "Consejo de la Judicatura (CJ)")],
            indicator="Número de casos judicializados",
            target="20 casos por año",
            period="2026",
            _note="'—' (an em dash) names no body: no responsible, a finding.",
        ),
        dict(
            axis="4. Coordinación",
            objective="4.1 Fortalecer el Comité Interinstitucional",
            activity="4.1.1 Presentar el informe anual de avances del plan ante el Comité Interinstitucional.",
            responsible=[MMDH],
            collaborators={"cell": "Todas las instituciones", "facts": []},
            indicator="Informe presentado",
            target="1 informe anual",
            period="Enero de cada año",
        ),
    ]
    fill_roles(rows, reg)
    head = ["Eje", "Objetivo", "Actividad", "Responsable", "Corresponsables", "Indicador", "Meta", "Plazo"]
    records = [head] + [
        [
            r.get("axis", ""),
            r.get("objective", ""),
            r["activity"],
            r["responsible_cell"],
            r["collaborators_cell"],
            r["indicator"],
            r["target"],
            r["period"],
        ]
        for r in rows
    ]
    for i, r in enumerate(rows, start=2):
        r["_row"] = i
    (d / "plan-accion-ec-2025-2026.csv").write_bytes(b"\xef\xbb\xbf" + csv_text(records, ";", "\r\n").encode("utf-8"))
    lines = physical_lines(records, ";", "\r\n")
    parts, acts = flat_expected(rows, reg, 1, line_of=lines)
    title = "Plan de Acción 2025-2026 contra la Explotación Sexual de Niñas, Niños y Adolescentes"
    manifest(
        d,
        {
            "id": "ec-plan-accion-escnna-2025-2026",
            "file": "plan-accion-ec-2025-2026.csv",
            "title": "Ecuador: " + title,
            "layout": "plan-table",
            "jurisdiction": "EC",
            "authority": "national",
            "plan": {"title": title, "period": "2025-2026", "issued_by": "Ministerio de la Mujer y Derechos Humanos"},
        },
    )
    reg.extra["pn_dinapen"] = {
        "ambiguous": True,
        "note": "kept as printed with a finding; never {name: Policía Nacional, acronym: DINAPEN}",
    }
    reg.extra["mineduc"] = {
        "note": "Ecuador's MINEDUC: not Guatemala's body of the same acronym, nor Peru's ministry of the same name"
    }
    dump(
        d / "expected.yaml",
        {
            "outcome": "read",
            "plan": {
                "key": "ec-plan-accion-escnna-2025-2026",
                "title": title,
                "period": "2025-2026",
                "country": "EC",
                "issued_by": "Ministerio de la Mujer y Derechos Humanos",
            },
            "parts": parts,
            "activities": acts,
            "bodies": reg.expected(),
            "norms": [],
            "findings": [
                {
                    "row": 5,
                    "line": 5,
                    "mentions": ["Todas las instituciones del Comité"],
                    "about": "no body is named responsible",
                },
                {
                    "row": 7,
                    "line": 7,
                    "mentions": ["DINAPEN"],
                    "about": "the acronym in parentheses is not the acronym of the name before it",
                },
                {"row": 8, "line": 8, "mentions": ["—"], "about": "no body is named responsible"},
            ],
            "not_bodies": [
                *head,
                "Ídem",
                "Idem",
                "Todas las instituciones del Comité",
                "Todas las instituciones",
                "N/A",
                "Por definir",
                "—",
                "\ufeffEje",
                "Ministerio de la Mujer",
                "Derechos Humanos (MMDH)",
            ],
            "notes": [
                "Saved by Excel in a Spanish locale as 'CSV UTF-8 (delimitado por comas)': a byte order mark, semicolons, CRLF. The first heading is 'Eje', not '\\ufeffEje'.",
                "Placeholders name no body: 'Todas las instituciones del Comité', 'Todas las instituciones', 'Por definir', 'N/A', '—'. Where the Responsable cell holds one, the activity has no responsible body and a finding says so; none of them becomes a body.",
                "'Ídem' repeats the cell of the row above (same bodies).",
            ],
        },
    )


# ============================================================================================


def main():
    gt_csv()
    sv_xlsx()
    hn_tsv()
    mx_matrix_csv()
    ec_matrix_xlsx()
    py_text()
    curated_case(
        "curated-shape-error",
        {"legal_basis": "bo-ley-263"},
        {
            "exit": 2,
            "dry_run_exit": [1, 2],
            "mentions": ["bo-consejo-curado.yaml", "bo-ley-263"],
            "mentions_one_of": [["bo-consejo-plurinacional-trata"], ANY_ROW(11)],
            "mentions_ideally": ["instruments"],
        },
        [
            "The curated file declares the council created by a norm, 'bo-ley-263', that neither the curated file (no 'instruments:' entry) nor the reference data gives: the fact is not well-formed, and a faithful tool refuses the source in a dry run (exit 1 or 2) and in an ingest (exit 2) alike, naming the curated file, the missing key and the entry (or its line).",
            "The document and the rest of the fact are sound: the quote is on line 11 as printed. Without 'legal_basis' the source reads.",
            "Format of the curated file: not documented in the README (only 'each with its line and a quote'); the keys used here (bodies: key, class, name, line, quote, legal_basis) were learnt from the tool's error messages.",
        ],
    )
    curated_case(
        "curated-bad-date",
        {"created": "31/07/2012"},
        {
            "exit": 2,
            "dry_run_exit": [1, 2],
            "mentions": ["bo-consejo-curado.yaml", "31/07/2012"],
            "mentions_one_of": [["bo-consejo-plurinacional-trata"], ANY_ROW(11)],
            "mentions_ideally": ["ISO", "2012-07-31"],
        },
        [
            "The curated fact gives the council's creation date as printed in Bolivian style ('31/07/2012') where the curated format wants an ISO 8601 date (2012-07-31): refused in a dry run and in an ingest alike, naming the file, the value and the entry."
        ],
    )
    misspelt()
    py_cp1252("csv-excel-es-semicolon", "utf-8-sig")
    py_cp1252("csv-excel-es-windows1252", "cp1252")
    bo_template()
    ec_placeholders()


if __name__ == "__main__":
    sys.exit(main())
