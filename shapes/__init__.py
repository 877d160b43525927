"""SHACL shapes that check completeness and integrity, shipped as package data."""
