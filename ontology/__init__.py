"""The mandato OWL ontology (Turtle), shipped as package data."""
