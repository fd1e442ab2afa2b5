"""Time the engine's batch evaluator against a tuned NumPy and a plain Python reference.

    python -m bench.run --persons 100000

All three get the same spread week facts of the same seeded population (file reading and
spreading are timed apart and excluded), in the same slices of persons; their results must be
equal for every person and week. Each is timed to its own natural result (the engine's: data
arrays with no-value masks; the references': arrays with -1 for no value); turning the
engine's result into the references' form for the comparison is not timed. Single-threaded: run with OMP_NUM_THREADS=1 (NumPy's
element-wise work is single-threaded anyway).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import engine
from bench import population, reference_numpy, reference_python
from engine.refusion import batch, tables as refusion, weeks
from engine.law import series

OUTPUTS = {"ordinal": refusion.AFFECTED, "ref_rate": refusion.COLUMNS["refusion_rate"],
           "ref": refusion.COLUMNS["refusion_amount"], "cof_rate": refusion.COLUMNS["cofinancing_rate"],
           "cof": refusion.COLUMNS["cofinancing_amount"]}


def engine_run(compiled: batch.BatchProgram, spread: weeks.Weeks) -> dict[str, batch.Arr]:
    """The engine's own results: data and no-value masks (what is timed)."""
    return compiled.run(spread, tuple(OUTPUTS.values()))


def engine_arrays(found: dict[str, batch.Arr], spread: weeks.Weeks) -> dict[str, np.ndarray]:
    """The engine's results in the references' form: percent and øre, -1 for no value (not timed)."""
    out = {}
    for key, name in OUTPUTS.items():
        value = found[name]
        data, none = batch.to_python(value, spread.benefits.shape, ())
        unit = 10 ** value.scale
        data = data * 100 // unit if value.kind == "percent" else data // unit
        out[key] = np.where(none, -1, data).astype(np.int64)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=refusion.CHUNK_PERSONS, help="persons per slice (all three use the same)")
    parser.add_argument("--python-persons", type=int, default=None, help="run the plain Python reference on the first N only")
    parser.add_argument("--repeat", type=int, default=3, help="time each NumPy implementation this often; report the best")
    args = parser.parse_args()

    book = engine.load()
    codes = book.checked.inputs["citizen.benefit"].input.values
    started = time.perf_counter()
    read = population.to_payments(population.generate(args.persons, args.seed), codes)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    span = weeks.week_range(read)
    slices = [weeks.spread(read, rows, persons, span) for rows, persons in refusion.slices(read, args.chunk)]
    spread_time = time.perf_counter() - started
    compiled = batch.BatchProgram(book.program, series.plan(book.program.checked), codes)
    person_weeks = args.persons * span.count
    print(f"population: {args.persons:,} persons x {span.count} weeks = {person_weeks:,} person-weeks, "
          f"{read.rows:,} payment records (generated in {generated:.1f} s, spread in {spread_time:.1f} s)")

    timings, results = {}, {}
    for label, run in (("engine batch", lambda s: engine_run(compiled, s)),
                       ("numpy reference", lambda s: reference_numpy.evaluate(s, codes))):
        best = float("inf")
        for _ in range(args.repeat):  # the machine is shared: the best run is the least disturbed one
            started = time.perf_counter()
            results[label] = [run(s) for s in slices]
            best = min(best, time.perf_counter() - started)
        timings[label] = (best, person_weeks)
    aside = []  # for scale: the count of §§ 5-6 alone (the ordinal, no rates or money), best of the repeats
    for _ in range(args.repeat):
        started = time.perf_counter()
        for piece in slices:
            reference_numpy.count_only(piece, codes)
        aside.append(time.perf_counter() - started)
    python_slices = _first_persons(slices, args.python_persons)
    started = time.perf_counter()
    results["python reference"] = [reference_python.evaluate(s, codes) for s in python_slices]
    timings["python reference"] = (time.perf_counter() - started, sum(s.benefits.size for s in python_slices))

    results["engine batch"] = [engine_arrays(found, s) for found, s in zip(results["engine batch"], slices)]
    _compare(results, python_slices)
    _report(timings)
    print(f"(for scale: the NumPy reference's count of affected weeks alone, without rates and money: "
          f"{person_weeks / min(aside):,.0f} person-weeks/s)")


def _first_persons(slices: list[weeks.Weeks], limit: int | None) -> list[weeks.Weeks]:
    if limit is None:
        return slices
    out, left = [], limit
    for piece in slices:
        if left <= 0:
            break
        out.append(piece if len(piece.persons) <= left else _head(piece, left))
        left -= len(piece.persons)
    return out


def _head(piece: weeks.Weeks, n: int) -> weeks.Weeks:
    keep = piece.entry_person < n
    entry_week = piece.entry_week[keep]
    return weeks.Weeks(piece.range, piece.persons[:n], piece.benefits[:, :n], piece.municipality[:, :n], entry_week,
                       piece.entry_person[keep], piece.entry_code[keep], piece.entry_ore[keep], piece.entry_tail[keep],
                       np.searchsorted(entry_week, np.arange(piece.range.count + 1)),
                       {k: v[:n] for k, v in piece.facts.items()})


def _compare(results: dict[str, list[dict[str, np.ndarray]]], python_slices: list[weeks.Weeks]) -> None:
    engine_out, numpy_out = results["engine batch"], results["numpy reference"]
    for i, (mine, theirs) in enumerate(zip(engine_out, numpy_out)):
        for key in OUTPUTS:
            if not np.array_equal(mine[key], theirs[key]):
                bad = np.argwhere(mine[key] != theirs[key])[0]
                raise SystemExit(f"engine and numpy reference differ: slice {i}, {key} at week/person {bad}: "
                                 f"{mine[key][tuple(bad)]} vs {theirs[key][tuple(bad)]}")
    for i, theirs in enumerate(results["python reference"]):
        for key in OUTPUTS:
            persons = theirs[key].shape[1]
            if not np.array_equal(engine_out[i][key][:, :persons], theirs[key]):
                bad = np.argwhere(engine_out[i][key][:, :persons] != theirs[key])[0]
                raise SystemExit(f"engine and python reference differ: slice {i}, {key} at week/person {bad}")
    print("results: the engine equals both references for every person and week "
          f"({sum(r['ordinal'].size for r in engine_out):,} person-weeks checked against NumPy, "
          f"{sum(r['ordinal'].size for r in results['python reference']):,} against Python)")


def _report(timings: dict[str, tuple[float, int]]) -> None:
    rate = {label: count / seconds for label, (seconds, count) in timings.items()}
    base = rate["numpy reference"]
    print(f"{'implementation':<18} {'seconds':>8} {'person-weeks/s':>16} {'vs numpy ref':>13}")
    for label, (seconds, count) in timings.items():
        print(f"{label:<18} {seconds:>8.2f} {rate[label]:>16,.0f} {rate[label] / base:>13.2f}")


if __name__ == "__main__":
    main()
