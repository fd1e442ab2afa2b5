"""paragraf: Danish employment law as rules, evaluated and explained to the paragraph.

    >>> import engine
    >>> rulebook = engine.load()
    >>> decision = rulebook.evaluate("examples/hillerod-complex.yaml")   # doctest: +SKIP
    >>> print(decision.explain(lang="en"))                              # doctest: +SKIP
"""
from engine.decide.decision import Decision
from engine.lang.errors import CaseError, Diagnostic, EngineError, EvaluationError, RulebookError, RuleFileError, RuleSyntaxError
from engine.lang.parser import parse_expression
from engine.decide.proposals import Proposal
from engine.rulebook import Rulebook, load

__all__ = [
    "load", "Rulebook", "Decision", "Diagnostic", "parse_expression", "Proposal",
    "EngineError", "RuleSyntaxError", "RuleFileError", "RulebookError", "CaseError", "EvaluationError",
]
