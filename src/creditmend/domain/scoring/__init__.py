"""The credit score: a points scorecard read from a JSON model file and applied purely."""
