"""Saved SPARQL queries with grlc-style `#+` YAML headers, shipped as package data."""
