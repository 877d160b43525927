"""Export of the whole dataset in the formats of the design note."""

from __future__ import annotations

from typing import BinaryIO

from mandato.errors import MandatoError
from mandato.namespaces import PREFIXES
from mandato.results import DATASET_FORMATS
from mandato.store import Store


def export(store: Store, fmt: str, output: BinaryIO) -> None:
    """Write the dataset; formats without named graphs get the union of all graphs."""
    if fmt not in DATASET_FORMATS:
        raise MandatoError(f"unknown export format '{fmt}'; expected one of {', '.join(DATASET_FORMATS)}")
    _, rdf_format, _ = DATASET_FORMATS[fmt]
    output.write(store.dump(rdf_format, prefixes=PREFIXES if fmt in ("turtle", "trig") else None))
