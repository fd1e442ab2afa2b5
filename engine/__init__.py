"""paragraf: Danish employment law as rules, evaluated and explained to the paragraph.

    >>> import engine
    >>> rulebook = engine.load()
    >>> decision = rulebook.evaluate("examples/hillerod-complex.yaml")   # doctest: +SKIP
    >>> print(decision.explain(lang="en"))                              # doctest: +SKIP
"""
from engine.decision import Decision
from engine.errors import CaseError, Diagnostic, EngineError, EvaluationError, RulebookError, RuleFileError, RuleSyntaxError
from engine.parser import parse_expression
from engine.proposals import Proposal
from engine.rulebook import Rulebook, load

__all__ = [
    "load", "Rulebook", "Decision", "Diagnostic", "parse_expression", "Proposal",
    "EngineError", "RuleSyntaxError", "RuleFileError", "RulebookError", "CaseError", "EvaluationError",
]
