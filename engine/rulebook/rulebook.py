"""The rulebook: load, check, evaluate. Ties the pipeline stages together."""
from __future__ import annotations

import copy
import functools
import datetime as dt
import hashlib
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Iterator

import attrs

from engine.decide import casefile, casesource, evaluator, proposals as proposal_switches, timeline
from engine.decide.casebatch import Row

from engine.law import analysis, loader, resolver, touched
from engine.law.lifting import LiftIndex
from engine.lang import values
from engine.lang.compiler import Program, compile_ruleset
from engine.decide.decision import Decision, Explanation, Origin
from engine.lang.source import SourceCache
from engine.lang.errors import CaseError, Diagnostic, EngineError, RulebookError
from engine.rulebook import cache as rulebook_cache, folders


@functools.cache  # reading the installed package's metadata costs more than evaluating a case
def engine_version() -> str:
    try:
        return metadata.version("paragraf")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@attrs.frozen
class GateResult:
    """What the gate (`engine.rulebook.gate`) found: every finding (errors and warnings) and the
    static analysis, when it ran. Defined here, beside `Checked`, because the cache stores it there."""

    diagnostics: tuple[Diagnostic, ...]
    analysis: analysis.Analysis | None

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


@attrs.frozen
class Checked:
    """What loading and checking a rulebook gives: attrs data that the cache stores as it is.
    ``gate`` is the gate's result (`engine.rulebook.gate`), added once the gate has run."""

    sources: SourceCache
    checked: resolver.CheckedRuleSet
    diagnostics: tuple[Diagnostic, ...]
    gate: GateResult | None = None


def fingerprint_of(files: dict[str, str]) -> str:
    """sha256 over the rule and legal-reference files' names and digests."""
    return "sha256:" + hashlib.sha256(
        "".join(f"{path}\0{digest}\n" for path, digest in sorted(files.items())).encode()).hexdigest()


def _check(rules_dir: Path, legal_dir: Path, texts: dict[Path, str] | None = None) -> tuple[str, Checked]:
    sources = SourceCache()
    ruleset, diagnostics = loader.load_rule_dir(rules_dir, legal_dir, sources, folders.relative_name, texts)
    checked, resolved = resolver.resolve(ruleset)
    found = tuple(sorted(diagnostics + resolved, key=Diagnostic.sort_key))
    return fingerprint_of(ruleset.files), Checked(sources, checked, found)


class Rulebook:
    """A loaded and checked rulebook. `diagnostics` lists every problem `paragraf check` reports.

    With ``cache=True`` a rulebook without problems is read from, or written to, the on-disk cache
    (`engine.rulebook.cache`) under its fingerprint. A Rulebook pickles without its compiled
    closures, which are rebuilt on first use. ``texts`` (an editor's unsaved files, by path) are
    read instead of the files on disk, and such a rulebook is never cached.
    """

    def __init__(self, rules_dir: Path, legal_dir: Path, shown_as: str | None = None, cache: bool = True,
                 texts: dict[Path, str] | None = None) -> None:
        if not rules_dir.is_dir():
            raise EngineError(f"no rules folder at {rules_dir}")
        self.rules_dir, self.legal_dir = rules_dir, legal_dir
        self.shown_as = shown_as  # the folder as the user named it; None for the bundled rulebook
        cache = cache and not texts
        self.fingerprint = fingerprint_of(loader.file_digests(rules_dir, legal_dir))
        found = rulebook_cache.read(self.fingerprint, engine_version()) if cache else None
        self.from_cache = isinstance(found, Checked)
        if not isinstance(found, Checked):
            self.fingerprint, found = _check(rules_dir, legal_dir, texts)
            if cache and not found.diagnostics:
                rulebook_cache.write(self.fingerprint, engine_version(), found)
        self._found, self._cached = found, cache and not found.diagnostics
        self.sources, self.checked = found.sources, found.checked
        self.diagnostics: list[Diagnostic] = list(found.diagnostics)
        self._program: Program | None = None
        self._lifting: LiftIndex | None = None
        self._act_facts: dict[str, touched.ActFacts] | None = None
        self._uncovered: dict[dt.date, tuple[Any, ...]] = {}  # by day: the acts in force the rules do not encode

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_program": None}  # closures do not pickle; rebuilt on first use

    def check(self) -> list[Diagnostic]:
        return list(self.diagnostics)

    @property
    def gate_result(self) -> GateResult | None:
        """The gate's result, when it has run on this rulebook (here or in a cached earlier run)."""
        return self._found.gate

    def keep_gate_result(self, result: GateResult) -> None:
        """Hold the gate's result, and store it in the cache beside the checked rulebook (same
        fingerprint and engine code), so the next process reads it instead of analysing anew."""
        self._found = attrs.evolve(self._found, gate=result)
        if self._cached:
            rulebook_cache.write(self.fingerprint, engine_version(), self._found)

    @property
    def program(self) -> Program:
        if self.diagnostics:
            raise RulebookError(self.diagnostics, self.sources, self.shown_as)
        if self._program is None:
            self._program = compile_ruleset(self.checked)
        return self._program

    @property
    def lifting(self) -> LiftIndex:
        """Which exemptions lift which obligation, per act version (filled as cases need it)."""
        if self._lifting is None:
            self._lifting = LiftIndex(self.checked)
        return self._lifting

    def _not_covered(self, day: dt.date) -> tuple[Any, ...]:
        """The acts in force on `day` that the rules do not encode (kept by day: a caseload repeats its days)."""
        found: dict[dt.date, tuple[Any, ...]] = self.__dict__.setdefault("_uncovered", {})  # one pickled before kept none
        acts = found.get(day)
        if acts is None:
            if len(found) >= 8192:
                found.clear()
            acts = found[day] = tuple(self.checked.legal_refs.not_covered(day))
        return acts

    def _touches(self, act: str, facts: dict[str, Any]) -> bool:
        """Whether a case with these facts concerns the act (`engine.law.touched`): a date the
        act's rules do not cover holds back only the decisions that need it."""
        acts = getattr(self, "_act_facts", None)
        if acts is None:
            acts = self._act_facts = touched.act_facts(self.checked)
        known = acts.get(act)
        return known is None or known.touched_by(facts)

    def instrumented(self, recorder: Any) -> Rulebook:
        """The same rulebook, evaluating through closures that report to a coverage recorder."""
        program = self.program
        twin = copy.copy(self)
        twin._program = compile_ruleset(program.checked, recorder)
        return twin

    def read_case(self, case: str | Path | dict[str, Any]) -> casefile.Case:
        return casefile.read_case(case, self.checked.inputs)

    def evaluate(self, case: str | Path | dict[str, Any] | casefile.Case, as_of: dt.date | str | None = None,
                 proposals: Iterable[proposal_switches.ProposalLike] = (),
                 known_on: dt.date | str | None = None) -> Decision:
        """Evaluate a case (a path, a dict or a read case) under the law on `as_of` (default: the
        case's own), with the facts as recorded by `known_on` (default: the case's own, else all).

        ``proposals`` switches proposals on: names, ``NAME:219,751@2021-01-01`` text, or ``Proposal`` objects.
        Events after `as_of`, and events recorded after `known_on`, are left out and listed as ignored.
        """
        program = self.program
        read = case if isinstance(case, casefile.Case) else self.read_case(case)
        day = _as_of(as_of, read)
        casefile.check_age(read, day)
        known = _date("known_on", known_on) or read.known_on
        switched = self.proposals(proposals)
        facts, ignored = timeline.as_known(read, day, known)
        result = evaluator.evaluate(program, facts, day, switched, self.lifting)
        not_covered = [act for act in self._not_covered(day) if self._touches(act.name, facts.facts)]
        return Decision(
            case=read.id, as_of=day.isoformat(), municipality=read.municipality,
            rulebook={"fingerprint": self.fingerprint, "engine_version": engine_version()},
            case_digest=read.digest, proposals=tuple(str(p) for p in switched),
            obligations=tuple(result["obligations"]), exemptions=tuple(result["exemptions"]),
            values=result["values"], unknown_values=tuple(result["unknown_values"]), missing=tuple(result["missing"]), explanation=Explanation(result["trace"]),
            origin=Origin(program, facts, switched),
            known_on=known.isoformat() if known else None, ignored_events=ignored,
            not_covered=tuple(_uncovered(act) for act in not_covered),
        )

    def evaluate_many(self, cases: Iterable[str | Path | dict[str, Any] | casefile.Case],
                      as_of: dt.date | str | None = None,
                      proposals: Iterable[proposal_switches.ProposalLike] = ()) -> Iterator[Decision]:
        """`evaluate` for each case in turn, lazily; the proposals are checked once. A bad case raises
        its `EngineError` when reached; `read_cases` gives a caseload's bad rows without stopping."""
        switched = self.proposals(proposals)
        for case in cases:
            yield self.evaluate(case, as_of, switched)

    def read_cases(self, path: str | Path) -> Iterator[Row]:
        """Every case of a caseload (folder, JSON lines, CSV or Parquet), read or with its problems."""
        return casesource.read_caseload(Path(path), self.checked.inputs)

    def proposals(self, proposals: Iterable[proposal_switches.ProposalLike]) -> tuple[proposal_switches.Proposal, ...]:
        """The switched-on proposals, checked against the rulebook's proposals and municipality codes."""
        municipality = self.checked.inputs.get("municipality")
        codes = municipality.input.values if municipality is not None and municipality.input else ()
        return proposal_switches.normalise(proposals, self.checked.proposals, codes)

    def native_fallbacks(self) -> dict[str, str]:
        """The weekly values the native kernel cannot compile, by name, with the reason: the
        NumPy evaluator computes them (and what reads them). Nothing is compiled here."""
        from engine.law import series
        from engine.refusion import native

        plan = series.plan(self.checked)
        benefit = self.checked.inputs.get("citizen.benefit")
        codes = tuple(getattr(getattr(benefit, "input", None), "values", None) or ())
        return dict(native.NativeProgram(self.program, plan, codes).unsupported) if plan.order else {}

    def refusion(self, payments: str | Path | list[dict[str, Any]], proposals: Iterable[str] = ()) -> Any:
        """Per-week refusion and co-financing for payment records (a file or a list of mappings);
        see `engine.refusion.tables.RefusionResult`."""
        from engine.refusion import payments as payment_records, tables as refusion

        codes = self.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
        read = (payment_records.from_records(payments, codes) if isinstance(payments, list)
                else payment_records.read_payments(Path(payments), codes))
        return refusion.refusion(self.program, read, proposals)


def _date(name: str, day: object) -> dt.date | None:
    if isinstance(day, str):
        try:
            return values.parse_date(day)
        except ValueError as exc:
            raise CaseError(f"{name}: {exc}") from None
    if day is not None and not isinstance(day, dt.date):
        raise CaseError(f"{name}: expected a date or 'YYYY-MM-DD' text, found {type(day).__name__} {day!r}")
    return day


def _uncovered(act: Any) -> dict[str, Any]:
    """An act in force on the decision's date whose rules do not encode that date."""
    coverage = act.coverage
    return {"act": act.name, "title": act.title, "covered_from": coverage.start.isoformat(),
            "covered_to": coverage.end.isoformat() if coverage.end else None}


def _as_of(as_of: object, case: casefile.Case) -> dt.date:
    day = _date("as_of", as_of) or case.as_of
    if day is None:
        raise CaseError("the case has no as_of date; add 'as_of: YYYY-MM-DD' or pass --as-of")
    return day


def load(path: str | Path | None = None, cache: bool = True) -> Rulebook:
    """Load a rulebook: a folder holding rules/ and legal_refs/, a rules folder, or the bundled one.

    A rulebook already checked by this engine version is read from the cache (see
    `engine.rulebook.cache`); ``cache=False`` always parses and checks the files."""
    rules_dir, legal_dir = folders.find_folders(Path(path) if path is not None else None)
    shown_as = None if path is None else str(rules_dir.parent if rules_dir.name == "rules" else rules_dir)
    return Rulebook(rules_dir, legal_dir, shown_as, cache)
