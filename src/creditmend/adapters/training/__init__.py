"""Scorecard training, in parts: `table` reads and checks the CSV (standard library and NumPy
only, so bad input is refused before the training stack loads), `fit` bins with optbinning and
fits the logistic regression, `convert` turns the result into the domain's `Scorecard`,
`evaluate` measures it on the hold-out next to two baselines, `report` renders the HTML report.
`creditmend.adapters.scorecard_training` runs them in order.
"""
