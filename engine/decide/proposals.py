"""Proposal switches: which proposals are on, for which municipalities and from which day.

A proposal is off unless named. Named bare (`tvaergaaende-borgerforloeb`) it applies to the
case's own municipality from the evaluation date; `NAME:219,751` limits it to those
municipalities, and `NAME@2021-01-01` (or `NAME:219,751@2021-01-01`) lets it start on a
given day. The library takes the same text or a `Proposal`.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Union

import attrs

from engine.lang import values
from engine.lang.errors import CaseError

SWITCH = re.compile(r"^(?P<name>[a-z][a-z0-9_.-]*)(?::(?P<codes>[0-9, ]+))?(?:@(?P<start>\S+))?$")


def _codes(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(sorted({str(code).strip() for code in value}))


@attrs.frozen
class Proposal:
    """A switched-on proposal: its name, optionally the municipalities it covers and its first day."""

    name: str
    municipalities: tuple[str, ...] | None = attrs.field(default=None, converter=_codes)
    start: dt.date | None = None

    def covers(self, municipality: str | None, day: dt.date) -> bool | None:
        """Whether it applies to a case of `municipality` on `day`; None when that needs the municipality."""
        if self.start is not None and day < self.start:
            return False
        if self.municipalities is None:
            return True
        return None if municipality is None else municipality in self.municipalities

    def __str__(self) -> str:
        codes = f":{','.join(self.municipalities)}" if self.municipalities is not None else ""
        start = f"@{self.start.isoformat()}" if self.start is not None else ""
        return f"{self.name}{codes}{start}"


ProposalLike = Union[str, Proposal]


def parse_switch(text: str) -> Proposal:
    """`NAME[:CODE,CODE...][@YYYY-MM-DD]` → Proposal; a CaseError says what is wrong and how to write it."""
    match = SWITCH.match(text.strip())
    if match is None:
        raise CaseError(f"proposal switch {text!r} is not NAME, NAME:CODES or NAME:CODES@YYYY-MM-DD "
                        "(e.g. tvaergaaende-borgerforloeb:219,751@2021-01-01)")
    codes = match.group("codes")
    municipalities = [c for c in codes.split(",") if c.strip()] if codes is not None else None
    if municipalities is not None and not municipalities:
        raise CaseError(f"proposal switch {text!r} names no municipality after ':'")
    return Proposal(match.group("name"), municipalities, _start(match.group("start"), text))


def _start(value: str | None, text: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return values.parse_date(value)
    except ValueError:
        raise CaseError(f"proposal switch {text!r}: start {value!r} is not a date; write YYYY-MM-DD") from None


def normalise(proposals: Iterable[ProposalLike], known: Iterable[str], municipalities: Iterable[str]) -> tuple[Proposal, ...]:
    """Parse, check against the rulebook's proposals and municipality codes, and sort by name."""
    known, codes = sorted(known), set(municipalities)
    by_name: dict[str, Proposal] = {}
    for item in proposals:
        proposal = item if isinstance(item, Proposal) else parse_switch(str(item))
        if proposal.name not in known:
            raise CaseError(f"unknown proposal '{proposal.name}'; known: {', '.join(known) or 'none'}")
        unknown = [c for c in proposal.municipalities or () if c not in codes]
        if unknown:
            raise CaseError(f"proposal '{proposal.name}': unknown municipality code '{unknown[0]}'; "
                            "use three-digit kommunekoder such as 219")
        if by_name.get(proposal.name, proposal) != proposal:
            raise CaseError(f"proposal '{proposal.name}' is switched on twice with different settings")
        by_name[proposal.name] = proposal
    return tuple(by_name[name] for name in sorted(by_name))
