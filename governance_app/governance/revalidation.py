"""When a model must be validated again: the tier's cadence, or an earlier trigger.

SR 26-2 sets the frequency of validation by materiality; a policy states it as months per tier
(``cadence_months``) and names the events that make a revalidation due at once: a drift result
above a share of drifted columns, a new registered version, an open finding of a severity.
Every rule takes an ``as_of`` day and ignores what happened after it, so ``inventory --as-of``
answers "what was due on that date" from the same records.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from governance_app.domain.risk import Finding, RevalidationDue, RevalidationRule


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, kept at the month's end when the day does not exist
    (31 January + 1 month is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class DriftAlert:
    """A stored drift result of the model: when, and its share of drifted columns."""

    day: date
    share: float
    version: int | None = None


@dataclass(frozen=True, slots=True)
class NewVersion:
    day: date
    version: int


def drift_alerts(rule: RevalidationRule | None, results: Iterable[DriftAlert],
                 since: date | None, as_of: date) -> list[DriftAlert]:
    """Drift results above the policy's trigger share, after ``since`` and up to ``as_of``."""
    if rule is None or rule.drift_share_above is None:
        return []
    return sorted((r for r in results if r.share > rule.drift_share_above
                   and (since is None or r.day > since) and r.day <= as_of),
                  key=lambda r: r.day)


def revalidation_due(
    model: str,
    tier: int | None,
    rule: RevalidationRule | None,
    *,
    last_validated: date | None,
    as_of: date,
    tiered_on: date | None = None,
    drift: Iterable[DriftAlert] = (),
    versions: Iterable[NewVersion] = (),
    findings: Iterable[Finding] = (),
) -> RevalidationDue:
    """The model's next validation due date and its reason, as of ``as_of``.

    The earliest of: the cadence date (last validation + the tier's months) and the day of
    the first trigger after the last validation. A model never validated is due from the day
    it was tiered (``tiered_on``, else ``as_of``), reason "never validated".
    """
    if rule is None or tier is None:
        return RevalidationDue(model, None, "no tier or no revalidation policy")
    candidates: list[tuple[date, str, bool]] = []
    months = rule.cadence_months.get(tier)
    if last_validated is None:
        candidates.append((min(tiered_on or as_of, as_of), "never validated", True))
    elif months is not None:
        candidates.append((add_months(last_validated, months),
                           f"tier {tier} cadence: every {months} months", False))
    alerts = drift_alerts(rule, drift, last_validated, as_of)
    if alerts:
        first = alerts[0]
        candidates.append((first.day, f"drift share {first.share:.2f} above "
                           f"{rule.drift_share_above:g} on {first.day.isoformat()}", True))
    if rule.on_new_version:
        newer = sorted((v for v in versions if (last_validated is None or v.day > last_validated)
                        and v.day <= as_of), key=lambda v: v.day)
        if newer and last_validated is not None:
            candidates.append((newer[0].day, f"new version {newer[0].version} registered on "
                               f"{newer[0].day.isoformat()}", True))
    if rule.finding_severity is not None:
        serious = sorted((f for f in findings if f.severity.at_least(rule.finding_severity)
                          and f.opened_at.date() <= as_of and f.is_open_on(as_of)
                          and (last_validated is None or f.opened_at.date() > last_validated)),
                         key=lambda f: f.opened_at)
        if serious:
            f = serious[0]
            candidates.append((f.opened_at.date(), f"{f.severity.value} finding #{f.id} open: "
                               f"{f.title}", True))
    if not candidates:
        return RevalidationDue(model, None, f"no cadence for tier {tier}")
    # On the same day, an event's reason says more than "never validated".
    day, reason, triggered = min(candidates, key=lambda c: (c[0], c[1] == "never validated"))
    return RevalidationDue(model, day, reason, triggered)
