"""Export of the whole dataset in the formats of the design note."""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from mandato.errors import MandatoError
from mandato.namespaces import PREFIXES
from mandato.results import DATASET_FORMATS
from mandato.store import Store


def export(store: Store, fmt: str, output: BinaryIO) -> None:
    """Write the dataset; formats without named graphs get the union of all graphs."""
    if fmt not in DATASET_FORMATS:
        raise MandatoError(f"unknown export format '{fmt}'; expected one of {', '.join(DATASET_FORMATS)}")
    _, rdf_format, quads = DATASET_FORMATS[fmt]
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    if quads:
        store.ox.dump(output, format=rdf_format, prefixes=prefixes)
    else:
        triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        ox.serialize(triples, output, format=rdf_format, prefixes=prefixes)
