"""The rule language: from text to typed, compiled expressions.

Owns source spans and the diagnostics that point into them (`source`, `errors`), YAML read with
line marks (`yamlsource`), exact values (`values`), the expression and citation grammars
(`grammar/`, `parser`, `citations`), the AST (`ast`), the typed built-ins (`builtins`), the type
checker (`typechecker`) and the compiler to closures (`compiler`). It is the bottom layer: it
imports nothing else of paragraf, and only `parser` and `citations` import Lark.
Entry points: `parser.parse_expression`, `typechecker.TypeChecker`, `compiler.compile_ruleset`.
"""
