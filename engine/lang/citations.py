"""Legal citations as data, and when one citation falls under another."""
from __future__ import annotations

import re
from typing import Optional

import attrs

from engine.lang.source import Span


@attrs.frozen(order=True)
class Number:
    """A paragraph or chapter number with its optional letter: § 68 a is Number(68, "a")."""

    number: int
    letter: str = ""

    @classmethod
    def parse(cls, text: str) -> Number:
        match = re.fullmatch(r"\s*(\d{1,6})\s*([a-zæøå]?)\s*", text)
        if not match:
            raise ValueError(f"not a paragraph number: {text!r}")
        return cls(int(match.group(1)), match.group(2))

    def __str__(self) -> str:
        return f"{self.number} {self.letter}" if self.letter else str(self.number)


def parse_range(text: str) -> tuple[Number, Number]:
    """'15-21 e' → (15, 21 e); '106' → (106, 106)."""
    first, _, last = str(text).partition("-")
    low = Number.parse(first)
    return low, Number.parse(last) if last else low


@attrs.frozen
class Citation:
    """`LAB § 31, stk. 1`, `LAB §§ 31-34`, `LAB kap. 7-9` or `BEK 1184/2019 § 23`."""

    text: str
    act: Optional[str]           # the act's short name (None when a version is pinned)
    pinned: Optional[str]        # a version's short designation such as "BEK 1184/2019"
    kind: str                    # "paragraph" or "chapter"
    first: Number
    last: Number
    stk: Optional[int] = None
    nr: Optional[int] = None
    pkt: Optional[int] = None
    span: Optional[Span] = attrs.field(default=None, eq=False)

    def covers_paragraph(self, paragraph: Number, stk: int | None, nr: int | None) -> bool:
        """Whether a paragraph citation (with its stk. and nr.) lies inside this citation."""
        if not self.first <= paragraph <= self.last:
            return False
        if self.stk is not None and stk != self.stk:
            return False
        return self.nr is None or nr == self.nr
