"""A municipality's view over its caseload: the skærpet tilsyn focus targets it is measured against.

Owns `focus_targets`: the shares of the focus targets measured over a caseload of citizen
cases. May import every layer up to `officer`. Entry point: `focus_targets.measure`.
"""
