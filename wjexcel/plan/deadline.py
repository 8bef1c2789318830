"""The plan's date rules: when forms made on a day are due, and when a returned form is due again.

The plan's 报送期限（天） (``Plan.deadline_days``) decides both; judging who was on time is
:mod:`wjexcel.report.timeliness`.
"""

from __future__ import annotations

from datetime import date, timedelta


def default_deadline(plan, day: date) -> date:
    """The 截止日期 of forms made on ``day``: ``day`` + 报送期限（天）."""
    return day + timedelta(days=plan.deadline_days or 0)


def return_deadline(plan, day: date) -> date:
    """The new date of a form returned (退回) on ``day``: ``day`` + 报送期限（天）, the same
    period a reporter had for the first form (a correction is usually quicker, but the plan's
    setting is the one number a clerk controls)."""
    return default_deadline(plan, day)
