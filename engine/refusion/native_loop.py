"""The person loop of the native kernel: the copies of a person's week and what one week hands
the next (see `engine.refusion.native_source`, which compiles the values these lines arrange).

`person_loop(source, person, chunks)` writes the `persons` function of a kernel: per person, the
person's values, then week by week one of the copies of the week's values (`PersonLoop.lines`),
each for the compiler to fold; the values come compiled, as lines per value (`chunks`).
"""
from __future__ import annotations

import re
from typing import Any, Protocol


class KernelValues(Protocol):
    """What the loop reads of a kernel's compiled values (`native_source.KernelSource`)."""

    index: dict[str, int]                 # value name -> its number (v{i}, n{i}, p{i}, ...)
    constant: list[str]                   # the week's values for all persons (`const`)
    present: set[str]                     # values that never lack a value (no n{i} to test)
    previous: set[str]                    # values looked back at with `previous`
    windows: set[str]                     # values counted or summed over past weeks
    starts: dict[int, tuple[str, str]]    # last week's value and flag before the first week
    fused: dict[tuple[str, str], str]     # (amounts, codes) -> the week's sum
    outputs: tuple[str, ...]
    none_outputs: list[str]
    totals: bool
    batch: Any                            # the NumPy evaluator's program (the values' types)


_ON_DAY = re.compile(r"\bmonday (?P<op>==|!=) (?P<day>\d+)\b|\b(?P<day2>\d+) (?P<op2>==|!=) monday\b")


def _named_days(lines: list[str]) -> list[int]:
    """The days a week's Monday is tested to be (or not to be) in these lines of the source."""
    return sorted({int(match["day"] or match["day2"]) for line in lines for match in _ON_DAY.finditer(line)})


def _on_no_named_day(lines: list[str]) -> list[str]:
    """The lines as they read in a week on none of those days: each such test decided."""
    return [_ON_DAY.sub(lambda match: "False" if (match["op"] or match["op2"]) == "==" else "True", line)
            for line in lines]


_MONDAY_TEST = re.compile(r"\bmonday (?:>=|<=|==|!=|<|>) \d+\b|\b\d+ (?:>=|<=|==|!=|<|>) monday\b")
_DAY = re.compile(r"\d+")
_READS = re.compile(r"\b[vn](\d+)\b")
_WEEK_INDEX = re.compile(r"\bw\b|\b[pqrc]\d+\b")  # the week's position, or a look back (last week, running counts)
# a person's entries of week w follow those of week w - 1: the next week's start, codes and count
_SCAN = ["lo = hi", "bits = 0", "while hi < end and entry_week[hi] == w:",
         "    bits |= 1 << entry_code[hi]", "    hi += 1"]


def _dates_tested(lines: list[str]) -> list[int]:
    """The dates these lines test a week's Monday against (`monday >= 16804`, ...)."""
    found = (_DAY.search(match) for line in lines for match in _MONDAY_TEST.findall(line))
    return sorted({int(day[0]) for day in found if day})


def _at(depth: int, lines: list[str]) -> list[str]:
    return ["    " * depth + line for line in lines]


def person_loop(source: KernelValues, person: list[str], chunks: list[tuple[str, list[str]]]) -> str:
    """The source of the kernel's `persons` function (before its indices are made unsigned)."""
    return _PERSONS + "\n".join(PersonLoop(source, chunks).lines(person))


class PersonLoop:
    """The lines of a part's persons, from a kernel's compiled values (`chunks`: lines per value)."""

    def __init__(self, source: KernelValues, chunks: list[tuple[str, list[str]]]) -> None:
        self.values = source
        stateful = self._stateful(chunks)
        self.every = [line for _, lines in chunks for line in lines]  # as written
        self.usual = _on_no_named_day(self.every)
        self.fresh = _on_no_named_day([line for name, lines in chunks if name not in stateful for line in lines])
        self.state = _on_no_named_day([line for name, lines in chunks if name in stateful for line in lines])
        self.consts = []
        for k, name in enumerate(source.constant):  # computed once for all persons, read week by week
            i = source.index[name]
            flag = "False" if name in source.present else f"const[{k}, 1, w] != 0"
            self.consts += [f"v{i} = const[{k}, 0, w]", f"n{i} = {flag}"]

    def lines(self, person: list[str]) -> list[str]:
        """Per person: the person's values and past, then the weeks; the running counts' arrays
        and the flags of the weeks first, once for the part."""
        start = (person + self._state_start() + ["hi = person_start[p]", "end = person_start[p + 1]", "w = 0"] + _SCAN
                 + ["while w < weeks:"] + _at(1, self._week()) + self._person_end())
        return _at(1, [f"c{self.values.index[n]} = np.zeros(weeks + 1, np.int64)" for n in sorted(self.values.windows)]
                   + self._week_flags() + ["for p in range(start, stop):"] + _at(1, start))

    def _week(self) -> list[str]:
        """Week w, its entries lo..hi just found: on a named day the rules as written; else a run of
        empty weeks, or the week's input-only values and then the weeks that repeat it."""
        named = (self._sums() + self.every + self._week_end()
                 + ["w += 1", "if w < weeks:"] + _at(1, _SCAN) + ["continue"])
        return (["monday = first + 7 * w"] + self.consts + ["if not plain[w]:"] + _at(1, named)
                + ["if hi == lo and bits == 0:"] + _at(1, self._empty_run())
                + self._sums() + self.fresh + ["while True:"] + _at(1, self._repeats()))

    def _empty_run(self) -> list[str]:
        """Weeks with no entries, until the person's next entry or the next named day: no look for
        entries on the way."""
        week = (["bits = 0"] + [f"{total} = 0" for total in self.values.fused.values()] + self.usual + self._week_end()
                + ["w += 1", "if w >= until:", "    break", "monday = first + 7 * w"] + self.consts)
        return (["until = entry_week[hi] if hi < end else weeks", "if until > unusual[w]:", "    until = unusual[w]",
                 "while True:"] + _at(1, week) + ["if w < weeks:"] + _at(1, _SCAN) + ["continue"])

    def _repeats(self) -> list[str]:
        """The values that are not input-only, week by week while the entries repeat the first week's."""
        return (self.state + self._week_end()
                + ["w += 1", "if w >= weeks:", "    break", "seen, was = lo, bits"] + _SCAN
                + ["if not (steady[w] and bits == was and repeats(entry_code, entry_ore, entry_tail, seen, lo, hi)):",
                   "    break", "monday = first + 7 * w"] + self.consts)

    def _stateful(self, chunks: list[tuple[str, list[str]]]) -> set[str]:
        """The values computed every week even when a person's inputs repeat last week's: those that
        look back, read the week's position or its Monday otherwise than against a date, or read
        such a value. The rest depend on the week's inputs alone (and the dates it passes)."""
        found: set[str] = set()
        names = {f"{i}": name for name, i in self.values.index.items()}
        for name, lines in chunks:
            text = "\n".join(lines)
            reads = {names[i] for i in _READS.findall(text) if i in names}
            if _WEEK_INDEX.search(text) or re.search(r"\bmonday\b", _MONDAY_TEST.sub("", text)) or reads & found:
                found.add(name)
        return found

    def _week_flags(self) -> list[str]:
        """Per week: `plain`, on none of the days the rules name; `steady`, plain with the same week
        values (`const`) as the week before and no date the input-only values test passed in
        between: a person whose entries repeat last week's has last week's input-only values;
        `unusual`, the first week from w on that is not plain."""
        days, dates = _named_days(self.every), _dates_tested(self.fresh)
        lines = ["plain = np.ones(weeks, np.bool_)", "steady = np.zeros(weeks, np.bool_)",
                 "for w in range(weeks):", "    monday = first + 7 * w"]
        if days:
            lines.append(f"    plain[w] = {' and '.join(f'monday != {day}' for day in days)}")
        lines += ["    if w > 0 and plain[w] and plain[w - 1]:", "        steady[w] = True"]
        if dates:
            passed = " or ".join(f"monday - 7 <= {d} <= monday" for d in dates)
            lines += [f"        if {passed}:", "            steady[w] = False"]
        return lines + ["        for k in range(const.shape[0]):",
                        "            if const[k, 0, w] != const[k, 0, w - 1] or const[k, 1, w] != const[k, 1, w - 1]:",
                        "                steady[w] = False",
                        "unusual = np.empty(weeks + 1, np.int64)",
                        "unusual[weeks] = weeks",
                        "for w in range(weeks - 1, -1, -1):",
                        "    unusual[w] = unusual[w + 1] if plain[w] else w"]

    def _state_start(self) -> list[str]:
        """A person's past before the first week: last week's values, the running counts, the sums."""
        lines = []
        for name in sorted(self.values.previous):
            i = self.values.index[name]
            data, none = self.values.starts.get(i, ("0", "False"))
            lines += [f"p{i} = {data}"] + ([] if name in self.values.present else [f"q{i} = {none}"])
        lines += [f"r{self.values.index[name]} = 0" for name in sorted(self.values.windows)]
        if self.values.totals:
            lines += [f"s{k} = 0" for k in range(len(self.values.outputs))]
            lines += [f"m{k} = 0" for k in range(len(self.values.none_outputs))]
        return lines

    def _person_end(self) -> list[str]:
        if not self.values.totals:
            return []
        return ([f"out_data[{k}, p] = s{k}" for k in range(len(self.values.outputs))]
                + [f"out_none[{k}, p] = m{k}" for k in range(len(self.values.none_outputs))])

    def _sums(self) -> list[str]:
        """One pass over the person's entries of the week for every fused amount."""
        if not self.values.fused:
            return []
        lines = [f"{total} = 0" for total in self.values.fused.values()]
        lines += ["for e in range(lo, hi):", "    code = entry_code[e]"]
        for which in sorted({w for w, _ in self.values.fused}):
            # a zero adds nothing: the month tails are zero in most weeks, for every person alike
            lines += [f"    {which}_e = {which}[e]", f"    if {which}_e != 0:"]
            for (other, codes), total in self.values.fused.items():
                if other == which:
                    lines += [f"        if ({codes} >> code) & 1:", f"            {total} += {which}_e"]
        return lines

    def _week_end(self) -> list[str]:
        """The week's results (or their sums), its running counts and what next week reads of it."""
        lines = self._totals() if self.values.totals else (
            [f"out_data[{k}, w, p] = v{self.values.index[name]}" for k, name in enumerate(self.values.outputs)]
            + [f"out_none[{k}, w, p] = n{self.values.index[name]}" for k, name in enumerate(self.values.none_outputs)])
        for name in sorted(self.values.windows):
            i, boolean = self.values.index[name], self.values.batch.checked.types.get(name) == "bool"
            if name in self.values.present:
                counted = f"(v{i} != 0)" if boolean else f"v{i}"
            else:
                counted = f"(v{i} != 0 and not n{i})" if boolean else f"(0 if n{i} else v{i})"
            lines += [f"r{i} += {counted}", f"c{i}[w + 1] = r{i}"]
        for name in sorted(self.values.previous):
            i = self.values.index[name]
            lines += [f"p{i} = v{i}"] + ([] if name in self.values.present else [f"q{i} = n{i}"])
        return lines

    def _totals(self) -> list[str]:
        """Per person: the sum of each output over the weeks it has a value, and how many weeks
        it has none (no weeks × persons results are written)."""
        sums = []
        for k, name in enumerate(self.values.outputs):
            i = self.values.index[name]
            sums.append(f"s{k} += v{i}" if name in self.values.present else f"s{k} += 0 if n{i} else v{i}")
        return sums + [f"m{k} += n{self.values.index[name]}" for k, name in enumerate(self.values.none_outputs)]


_PERSONS = '''@njit(cache=True, nogil=True, error_model="numpy")
def persons(start, stop, first, weeks, person_start, entry_week, entry_code, entry_ore, entry_tail, facts,
            const, out_data, out_none, conflict):
'''
# The parallel loop is kept apart from the persons' weeks: Numba's parallel transform of the
# whole body would take several times longer to compile.
