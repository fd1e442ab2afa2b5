"""The exemption usage report: over a batch of cases, which exemptions applied to whom, and
exactly which paragraphs of which act they set aside, how often.

A paragraph counts as *lifted* for a case when an obligation that applied to the case was
exempted by the exemption; the paragraphs are that obligation's legal basis. Obligations an
exemption covers that did not apply anyway are not counted. The report counts cases; a case
is one citizen on one date, and ``citizens`` counts distinct case ids.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

import attrs

from engine.decide.decision import Decision
from engine.lang.errors import EngineError
from engine.rulebook import Rulebook

PERIODS = ("month", "quarter", "year")
FORMATS = ("markdown", "csv", "json")


@attrs.frozen
class BadCase:
    where: str
    message: str


@attrs.define
class Usage:
    """The counts for one exemption."""

    rule: str
    title: dict[str, str]
    legal_basis: list[dict[str, Any]]
    case_ids: set[str] = attrs.field(factory=set)
    cases: int = 0
    by_place: Counter[tuple[str, str]] = attrs.field(factory=Counter)
    lifted: Counter[tuple[str, str, str]] = attrs.field(factory=Counter)          # (act, version, cite)
    lifted_by_place: Counter[tuple[str, str, str, str, str]] = attrs.field(factory=Counter)
    obligations: Counter[str] = attrs.field(factory=Counter)


@attrs.define
class UsageReport:
    period: str
    cases: int = 0
    bad: list[BadCase] = attrs.field(factory=list)
    usages: dict[str, Usage] = attrs.field(factory=dict)


def count_usage(book: Rulebook, sources: Iterable[Path], period: str = "quarter",
                proposals: Iterable[str] = ()) -> UsageReport:
    """Evaluate every case under `sources` (folders, case files, JSON lines, CSV, Parquet) and count."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")
    report = UsageReport(period)
    _ = book.program  # a broken rulebook stops here, once, rather than once per case
    switched = book.proposals(proposals)  # unknown names and codes are refused here, once
    rows = (row for source in sources for row in book.read_cases(source))
    for row in rows:
        try:
            if row.case is None:
                raise EngineError(row.problems)
            decision = book.evaluate(row.case, None, switched)
        except EngineError as exc:
            report.bad.append(BadCase(row.source, _message(exc)))
            continue
        report.cases += 1
        _count(report, decision)
    return report


def _message(exc: EngineError) -> str:
    return "; ".join(d.message + (f" ({d.hint})" if d.hint else "") for d in exc.diagnostics)


def period_of(day: str, period: str) -> str:
    """The period a date (YYYY-MM-DD) falls in: 2021-03, 2021-Q1 or 2021."""
    year, month = day[:4], int(day[5:7])
    return {"month": f"{year}-{month:02d}", "quarter": f"{year}-Q{(month - 1) // 3 + 1}", "year": year}[period]


def _count(report: UsageReport, decision: Decision) -> None:
    place = (decision.municipality or "-", period_of(decision.as_of, report.period))
    for exemption in decision.exemptions:
        usage = report.usages.setdefault(
            exemption["rule"], Usage(exemption["rule"], exemption["title"], exemption["legal_basis"]))
        usage.cases += 1
        usage.case_ids.add(decision.case)
        usage.by_place[place] += 1
    for obligation in decision.obligations:
        by = obligation.get("exempted_by")
        if obligation["status"] != "exempted" or by is None or by["rule"] not in report.usages:
            continue
        usage = report.usages[by["rule"]]
        usage.obligations[obligation["rule"]] += 1
        for basis in obligation["legal_basis"]:
            key = (basis.get("act") or "", basis.get("version") or "", basis["cite"])
            usage.lifted[key] += 1
            usage.lifted_by_place[place + key] += 1


def render(report: UsageReport, format: str = "markdown", lang: str = "en") -> str:
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    return {"markdown": _markdown, "csv": _csv, "json": _json}[format](report, lang)


def to_dict(report: UsageReport) -> dict[str, Any]:
    return {
        "schema": "paragraf/exemption-usage@1", "period": report.period, "cases": report.cases,
        "bad_cases": [attrs.asdict(b) for b in report.bad],
        "exemptions": [_usage_dict(report.usages[rule]) for rule in sorted(report.usages)],
    }


def _usage_dict(usage: Usage) -> dict[str, Any]:
    return {
        "rule": usage.rule, "title": usage.title, "legal_basis": usage.legal_basis,
        "cases": usage.cases, "citizens": len(usage.case_ids),
        "by_municipality_period": [{"municipality": m, "period": p, "cases": n}
                                   for (m, p), n in sorted(usage.by_place.items())],
        "lifted": [{"act": a, "version": v, "paragraph": c, "count": n}
                   for (a, v, c), n in sorted(usage.lifted.items())],
        "lifted_by_municipality_period": [
            {"municipality": m, "period": p, "act": a, "version": v, "paragraph": c, "count": n}
            for (m, p, a, v, c), n in sorted(usage.lifted_by_place.items())],
        "obligations_lifted": dict(sorted(usage.obligations.items())),
    }


def _json(report: UsageReport, lang: str) -> str:
    return json.dumps(to_dict(report), sort_keys=True, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ("exemption", "measure", "municipality", "period", "act", "version", "paragraph", "count")


def _csv(report: UsageReport, lang: str) -> str:
    """One row per exemption, municipality and period (measure ``cases``) and per lifted paragraph
    there (measure ``lifted``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rule in sorted(report.usages):
        usage = report.usages[rule]
        for (municipality, period), n in sorted(usage.by_place.items()):
            writer.writerow((rule, "cases", municipality, period, "", "", "", n))
        for (municipality, period, act, version, cite), n in sorted(usage.lifted_by_place.items()):
            writer.writerow((rule, "lifted", municipality, period, act, version, cite, n))
    return out.getvalue()


def _markdown(report: UsageReport, lang: str) -> str:
    lines = ["# Exemption usage", "",
             f"{report.cases} cases evaluated, {len(report.bad)} could not be read; counts by {report.period}.", ""]
    if not report.usages:
        lines.append("No exemption applied to any case.")
    for rule in sorted(report.usages):
        lines += _usage_markdown(report.usages[rule], lang)
    return "\n".join(lines) + "\n"


def _usage_markdown(usage: Usage, lang: str) -> list[str]:
    basis = "; ".join(f"[{b['cite']}]({b['eli']})" if b.get("eli") else b["cite"] for b in usage.legal_basis)
    lines = [f"## `{usage.rule}`", "", f"{usage.title.get(lang, '')}. Legal basis: {basis}.", "",
             f"Applied in {usage.cases} cases ({len(usage.case_ids)} citizens).", "",
             "| municipality | period | cases |", "|---|---|---|"]
    lines += [f"| {m} | {p} | {n} |" for (m, p), n in sorted(usage.by_place.items())]
    lines += ["", "Paragraphs set aside (an obligation that applied was lifted):", "",
              "| act | version | paragraph | times |", "|---|---|---|---|"]
    lines += [f"| {a} | {v} | {c} | {n} |" for (a, v, c), n in sorted(usage.lifted.items())]
    lines += ["", "| obligation lifted | times |", "|---|---|"]
    lines += [f"| `{o}` | {n} |" for o, n in sorted(usage.obligations.items())]
    return lines + [""]
