"""The rulebook: load, check, evaluate. Ties the pipeline stages together."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from engine.decide import casefile, evaluator, proposals as proposal_switches

from engine.law import loader, resolver
from engine.lang import values
from engine.lang.compiler import Program, compile_ruleset
from engine.decide.decision import Decision
from engine.lang.source import SourceCache
from engine.lang.errors import CaseError, Diagnostic, EngineError, RulebookError
from engine.rulebook import folders


def engine_version() -> str:
    try:
        return metadata.version("paragraf")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class Rulebook:
    """A loaded and checked rulebook. `diagnostics` lists every problem `paragraf check` reports."""

    def __init__(self, rules_dir: Path, legal_dir: Path, shown_as: str | None = None) -> None:
        if not rules_dir.is_dir():
            raise EngineError(f"no rules folder at {rules_dir}")
        self.rules_dir, self.legal_dir = rules_dir, legal_dir
        self.sources = SourceCache()
        self.shown_as = shown_as  # the folder as the user named it; None for the bundled rulebook
        ruleset, diagnostics = loader.load_rule_dir(rules_dir, legal_dir, self.sources, folders.relative_name)
        self.checked, resolved = resolver.resolve(ruleset)
        self.diagnostics: list[Diagnostic] = sorted(diagnostics + resolved, key=Diagnostic.sort_key)
        self.fingerprint = "sha256:" + hashlib.sha256(
            "".join(f"{path}\0{digest}\n" for path, digest in sorted(ruleset.files.items())).encode()).hexdigest()
        self._program: Program | None = None

    def check(self) -> list[Diagnostic]:
        return list(self.diagnostics)

    @property
    def program(self) -> Program:
        if self.diagnostics:
            raise RulebookError(self.diagnostics, self.sources, self.shown_as)
        if self._program is None:
            self._program = compile_ruleset(self.checked)
        return self._program

    def instrumented(self, recorder: Any) -> Rulebook:
        """The same rulebook, evaluating through closures that report to a coverage recorder."""
        program = self.program
        twin = copy.copy(self)
        twin._program = compile_ruleset(program.checked, recorder)
        return twin

    def read_case(self, case: str | Path | dict[str, Any]) -> casefile.Case:
        return casefile.read_case(case, self.checked.inputs)

    def evaluate(self, case: str | Path | dict[str, Any] | casefile.Case, as_of: dt.date | str | None = None,
                 proposals: Iterable[proposal_switches.ProposalLike] = ()) -> Decision:
        """Evaluate a case (a path, a dict or a read case) on `as_of` (default: the case's own).

        ``proposals`` switches proposals on: names, ``NAME:219,751@2021-01-01`` text, or ``Proposal`` objects.
        """
        program = self.program
        read = case if isinstance(case, casefile.Case) else self.read_case(case)
        day = _as_of(as_of, read)
        casefile.check_age(read, day)
        switched = self.proposals(proposals)
        result = evaluator.evaluate(program, read, day, switched)
        return Decision(
            case=read.id, as_of=day.isoformat(), municipality=read.municipality,
            rulebook={"fingerprint": self.fingerprint, "engine_version": engine_version()},
            case_digest=read.digest, proposals=tuple(str(p) for p in switched),
            obligations=tuple(result["obligations"]), exemptions=tuple(result["exemptions"]),
            values=result["values"], unknown_values=tuple(result["unknown_values"]), missing=tuple(result["missing"]), trace=tuple(result["trace"]),
        )

    def proposals(self, proposals: Iterable[proposal_switches.ProposalLike]) -> tuple[proposal_switches.Proposal, ...]:
        """The switched-on proposals, checked against the rulebook's proposals and municipality codes."""
        municipality = self.checked.inputs.get("municipality")
        codes = municipality.input.values if municipality is not None and municipality.input else ()
        return proposal_switches.normalise(proposals, self.checked.proposals, codes)


    def refusion(self, payments: str | Path | list[dict[str, Any]], proposals: Iterable[str] = ()) -> Any:
        """Per-week refusion and co-financing for payment records (a file or a list of mappings);
        see `engine.refusion.tables.RefusionResult`."""
        from engine.refusion import payments as payment_records, tables as refusion

        codes = self.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
        read = (payment_records.from_records(payments, codes) if isinstance(payments, list)
                else payment_records.read_payments(Path(payments), codes))
        return refusion.refusion(self.program, read, proposals)


def _as_of(as_of: object, case: casefile.Case) -> dt.date:
    if isinstance(as_of, str):
        try:
            return values.parse_date(as_of)
        except ValueError as exc:
            raise CaseError(f"as_of: {exc}") from None
    if as_of is not None and not isinstance(as_of, dt.date):
        raise CaseError(f"as_of: expected a date or 'YYYY-MM-DD' text, found {type(as_of).__name__} {as_of!r}")
    day = as_of or case.as_of
    if day is None:
        raise CaseError("the case has no as_of date; add 'as_of: YYYY-MM-DD' or pass --as-of")
    return day


def load(path: str | Path | None = None) -> Rulebook:
    """Load a rulebook: a folder holding rules/ and legal_refs/, a rules folder, or the bundled one."""
    rules_dir, legal_dir = folders.find_folders(Path(path) if path is not None else None)
    shown_as = None if path is None else str(rules_dir.parent if rules_dir.name == "rules" else rules_dir)
    return Rulebook(rules_dir, legal_dir, shown_as)
