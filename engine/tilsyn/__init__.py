"""Skærpet tilsyn: the focus targets a municipality under supervision is measured against.

Owns `focus_targets`: the shares of the focus targets measured over a caseload of citizen
cases. May import every layer up to `rulebook`. Entry point: `focus_targets.measure`.
"""
