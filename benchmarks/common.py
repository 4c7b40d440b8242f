"""What every benchmark script shares: repeated timings and the result table.

Each figure is the median of several runs, and runs of the things compared are
interleaved (A, B, A, B...) so that a busy machine slows both alike. Ratios are
taken against a baseline measured in the same run, never against a stored number.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One comparison of two timings, and the ratio it must meet.

    A slowdown's ratio is ``measured / baseline`` (target "<= 1.25x"); a speedup's
    is ``baseline / measured`` (target ">= 20x"). A target in seconds ("<= 0.05 s")
    bounds the time added, ``measured - baseline``.
    """

    name: str
    baseline_label: str
    baseline: float
    measured_label: str
    measured: float
    target: str
    speedup: bool = False

    @property
    def added(self) -> bool:
        return self.target.endswith(" s")

    @property
    def ratio(self) -> float:
        if self.added:
            return self.measured - self.baseline
        top, bottom = (
            (self.baseline, self.measured) if self.speedup else (self.measured, self.baseline)
        )
        return top / bottom if bottom else float("inf")

    @property
    def met(self) -> bool:
        sign, _, number = self.target.partition(" ")
        limit = float(number.removesuffix(" s").rstrip("x"))
        return self.ratio <= limit if sign == "<=" else self.ratio >= limit


def median_times(functions: Sequence[Callable[[], object]], repeat: int) -> list[float]:
    """The median wall-clock seconds of each function, runs interleaved."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for index, function in enumerate(functions):
            start = time.perf_counter()
            function()
            times[index].append(time.perf_counter() - start)
    return [statistics.median(found) for found in times]


def seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def print_table(rows: Sequence[Row]) -> bool:
    """Print the comparisons; True when every target is met."""
    header = ("benchmark", "baseline", "measured", "ratio", "target", "met")
    lines = [header]
    for row in rows:
        lines.append(
            (
                row.name,
                f"{row.baseline_label} {seconds(row.baseline)}",
                f"{row.measured_label} {seconds(row.measured)}",
                f"{row.ratio:+.3f} s" if row.added else f"{row.ratio:.2f}x",
                row.target,
                "yes" if row.met else "NO",
            )
        )
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    for number, line in enumerate(lines):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))
    return all(row.met for row in rows)
