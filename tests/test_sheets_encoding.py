"""A CSV as Excel saves it in a Spanish locale, "CSV (delimitado por comas)": Windows-1252, not
UTF-8. It is read, and the reading says so; bytes that are neither are refused (issue 31)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mandato.errors import IngestError
from mandato.ingest.sheets import encoding_finding, read_sheets

ROWS = "Eje;Acción;Responsable\n1. Prevención;1.1 Campaña “Trabajo digno” en Ñeembucú;MINNA\n"


def test_windows_1252_is_read_and_said():
    sheets = read_sheets(Path("plan.csv"), ROWS.encode("cp1252"))
    assert sheets[0].rows[1] == ["1. Prevención", "1.1 Campaña “Trabajo digno” en Ñeembucú", "MINNA"]
    assert "Windows-1252" in (encoding_finding(sheets) or "")
    assert encoding_finding(read_sheets(Path("plan.csv"), ROWS.encode("utf-8"))) is None


@pytest.mark.parametrize("data", [ROWS.encode("utf-16"), b"Eje;Acci\x81n\n"], ids=["utf-16", "undefined-byte"])
def test_neither_utf8_nor_windows_1252_is_refused(data):
    with pytest.raises(IngestError) as refused:
        read_sheets(Path("plan.csv"), data)
    assert "neither UTF-8 nor Windows-1252" in str(refused.value) and "plan.csv" in str(refused.value)
