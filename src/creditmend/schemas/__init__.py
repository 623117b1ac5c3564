"""Published data formats: JSON Schemas shipped with the package (read them as package data)."""
