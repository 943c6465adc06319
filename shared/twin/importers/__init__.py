"""Importers of other systems' data into a twin."""
