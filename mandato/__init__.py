"""mandato: a linked-data graph of the actors, laws and commitments against human trafficking
and the commercial sexual exploitation of children (ESCNNA) in Latin America."""

__version__ = "0.1.0"
