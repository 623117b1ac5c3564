"""Use cases: each takes its ports explicitly and returns domain records."""
