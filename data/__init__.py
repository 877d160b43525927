"""Bundled corpus (corpus/) and reference tables (reference/), shipped as package data."""
