"""The report's statistics: small pure functions over plain numbers (no database, no course).

Definitions (what an author or an auditor may ask about; the sources are classical test theory):

- **spread(values)**: n, median, first and third quartiles, min and max. Quartiles interpolate
  linearly between order statistics (Hyndman & Fan 1996, definition 7; Excel QUARTILE.INC,
  numpy's default): the q-quantile of sorted x[0..n-1] is x[h] interpolated at h = (n-1)q.
- **difficulty p**: the proportion of learners who answered the question correctly (0..1;
  a high p is an easy question). Crocker & Algina (1986), ch. 14.
- **corrected point-biserial r**: Pearson's correlation between the question's score (1 correct,
  0 not) and the learner's *rest score*: the proportion correct on the other questions of the
  same attempt (the question itself left out, so that it does not correlate with itself;
  Henrysson 1963, "corrected item-total correlation"). A proportion, so that learners shown
  different numbers of questions (pools) compare. None when either side has no variance.
- **upper-lower index D** (Kelley 1939): p in the upper group minus p in the lower group, the
  groups being the top and bottom 27 % of learners by total score (proportion correct). Ties at
  a boundary: every learner with the boundary score joins the group (the groups may then be
  larger than 27 %, never arbitrary); the group size is round(0.27 n), at least 1.
- **KR-20** (Kuder & Richardson 1937, formula 20; equal to Cronbach's alpha for 0/1 items,
  Cronbach 1951): k/(k-1) · (1 - Σ p_i q_i / σ²), σ² the population variance of the learners'
  total scores (number correct) over the k questions that all of them answered. None with fewer
  than 2 questions or zero total variance.
- **flags** (thresholds after Ebel & Frisbie 1991, ch. 13, and Haladyna & Downing 1993):
  very easy p > 0.90; very hard p < 0.30; negative discrimination r < 0 (or D < 0 when r is
  unknown); weak discrimination 0 ≤ r < 0.20; a wrong option chosen by fewer than 5 % of the
  learners does not work as a distractor. Nothing is flagged under `small` learners: the
  figure is marked as resting on a small group instead.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

SMALL = 10  # fewer learners than this: a small group, marked as such, and nothing flagged
UPPER_LOWER = 0.27  # Kelley's fraction
VERY_EASY, VERY_HARD = 0.90, 0.30
WEAK_DISCRIMINATION = 0.20
RARE_DISTRACTOR = 0.05


@dataclass(frozen=True)
class Spread:
    """Five numbers for a set of values (seconds, scores, …): None fields when n == 0."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None
    low: float | None
    high: float | None


def quantile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) of already sorted values, Hyndman & Fan definition 7."""
    if not ordered:
        raise ValueError("no values")
    h = (len(ordered) - 1) * q
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def spread(values: Sequence[float]) -> Spread:
    ordered = sorted(values)
    if not ordered:
        return Spread(0, None, None, None, None, None)
    return Spread(len(ordered), quantile(ordered, 0.5), quantile(ordered, 0.25), quantile(ordered, 0.75),
                  ordered[0], ordered[-1])


def proportion(hits: int, n: int) -> float | None:
    return None if n == 0 else hits / n


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r of paired values; None when fewer than 2 pairs or either side is constant."""
    n = len(xs)
    if n != len(ys):
        raise ValueError("pearson needs pairs")
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def corrected_point_biserial(item: Sequence[int], correct: Sequence[int], shown: Sequence[int]) -> float | None:
    """r between the item's 0/1 scores and each learner's rest score: (correct - item) / (shown - 1).

    item[i] is learner i's score on this question (0/1); correct[i] and shown[i] count the
    questions learner i answered correctly and was shown in the same attempt (this one included).
    Learners shown no other question are left out."""
    xs, ys = [], []
    for x, c, s in zip(item, correct, shown):
        if s > 1:
            xs.append(x)
            ys.append((c - x) / (s - 1))
    return pearson(xs, ys)


@dataclass(frozen=True)
class Groups:
    """Kelley's upper and lower groups, as learner indexes, and the score bounds used."""

    upper: frozenset[int]
    lower: frozenset[int]
    upper_bound: float | None  # the lowest total in the upper group
    lower_bound: float | None  # the highest total in the lower group


def upper_lower_groups(totals: Sequence[float], fraction: float = UPPER_LOWER) -> Groups:
    """The top and bottom `fraction` of learners by total; ties at a boundary all join (see module)."""
    n = len(totals)
    if n < 2:
        return Groups(frozenset(), frozenset(), None, None)
    size = max(1, round(fraction * n))
    ordered = sorted(totals)
    lower_bound, upper_bound = ordered[size - 1], ordered[n - size]
    if lower_bound >= upper_bound:  # so many ties that the groups would meet: no contrast to draw
        return Groups(frozenset(), frozenset(), None, None)
    upper = frozenset(i for i, t in enumerate(totals) if t >= upper_bound)
    lower = frozenset(i for i, t in enumerate(totals) if t <= lower_bound)
    return Groups(upper, lower, upper_bound, lower_bound)


def discrimination_index(item: Sequence[int | None], groups: Groups) -> float | None:
    """D = p(upper) - p(lower) for one question; item[i] None when learner i was not shown it."""
    up = [item[i] for i in groups.upper if item[i] is not None]
    down = [item[i] for i in groups.lower if item[i] is not None]
    if not up or not down:
        return None
    return sum(up) / len(up) - sum(down) / len(down)


def kr20(rows: Sequence[Sequence[int]]) -> float | None:
    """KR-20 of a complete 0/1 matrix (one row per learner, one column per question)."""
    n = len(rows)
    k = len(rows[0]) if rows else 0
    if n < 2 or k < 2:
        return None
    totals = [sum(r) for r in rows]
    mean = sum(totals) / n
    variance = sum((t - mean) ** 2 for t in totals) / n
    if variance <= 1e-12:
        return None
    pq = 0.0
    for j in range(k):
        p = sum(r[j] for r in rows) / n
        pq += p * (1 - p)
    return k / (k - 1) * (1 - pq / variance)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def item_flags(n: int, p: float | None, r: float | None, d: float | None, *, small: int = SMALL,
               stronger_chose: str | None = None, rare: Sequence[tuple[str, float]] = ()) -> list[str]:
    """The reasons a question deserves a look, each a short sentence; [] when none or too few.

    `stronger_chose`: the wrong option the upper group chose more often than the lower group
    (named in a negative-discrimination flag); `rare`: (option label, share) of wrong options
    chosen by fewer than RARE_DISTRACTOR of the learners."""
    if n < small or p is None:
        return []
    found = []
    if p > VERY_EASY:
        found.append(f"very easy: {percent(p)} correct")
    elif p < VERY_HARD:
        found.append(f"very hard: {percent(p)} correct")
    index = None if p in (0.0, 1.0) else r if r is not None else d  # no contrast when all agree
    if index is not None and index < 0:
        reason = f"negative discrimination ({'r' if r is not None else 'D'} = {index:.2f})"
        found.append(reason + (f": stronger learners chose {stronger_chose}" if stronger_chose else
                               ": weaker learners answered it correctly more often than stronger ones"))
    elif index is not None and index < WEAK_DISCRIMINATION:
        found.append(f"weak discrimination ({'r' if r is not None else 'D'} = {index:.2f}): it barely separates "
                     "stronger from weaker learners")
    for label, share in rare:
        found.append(f"option {label} chosen by {percent(share)}: not a working distractor")
    return found
