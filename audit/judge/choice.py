"""Which rubric an audit uses: the command line's --rubric, else the one an administrator chose
in the dashboard, else `default_rubric` of the settings file, else the rubric in force on the
audit date (its `effective` dates), else the built-in default. The dashboard's choice is kept
with who made it, when and why; earlier choices stay as its history."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.judge.rubric import RubricError, available, load_rubric, rubric_in_force
from minhbach.audit.store.models import RubricChoice
from minhbach.audit.words.i18n import _

# For a day no rubric's dates cover (between the 2017 decision's end and the 2026 decree's
# start): the newest rubric, the one closest to the law officers now answer to.
DEFAULT_RUBRIC = "nd224-2026"


def current_choice(session: Session) -> RubricChoice | None:
    """The administrator's standing choice, or None when there is none (or it was withdrawn)."""
    latest = session.scalar(select(RubricChoice).order_by(RubricChoice.id.desc()).limit(1))
    return latest if latest is not None and latest.rubric_id else None


def choice_history(session: Session, limit: int = 20) -> list[RubricChoice]:
    return list(session.scalars(select(RubricChoice).order_by(RubricChoice.id.desc()).limit(limit)))


def choose(session: Session, rubric_id: str, actor: str, reason: str = "") -> RubricChoice:
    """Record `rubric_id` ("" withdraws the choice) after checking it loads and validates."""
    if rubric_id:
        if rubric_id not in available():
            raise RubricError([_("unknown rubric '{rubric}' (available: {rubrics})").format(
                rubric=rubric_id, rubrics=", ".join(available()))])
        load_rubric(rubric_id)  # a rubric file with problems is refused with them
    choice = RubricChoice(rubric_id=rubric_id, chosen_by=actor, reason=reason.strip())
    session.add(choice)
    session.commit()
    return choice


def pick_rubric(session: Session, given: str | None = None, day: date | None = None,
                configured: str | None = None) -> tuple[str, str]:
    """(rubric id, why it was taken: one sentence for the user); `configured` is the settings
    file's default_rubric."""
    if given:
        return given, _("given with --rubric")
    choice = current_choice(session)
    if choice is not None:
        return choice.rubric_id, _("chosen by {user} in the dashboard").format(user=choice.chosen_by)
    if configured:
        return configured, _("default_rubric of the settings file")
    day = day or date.today()
    in_force = rubric_in_force(day)
    if in_force is not None:
        return in_force.id, _("in force on the audit date {day}").format(day=f"{day:%d/%m/%Y}")
    return DEFAULT_RUBRIC, _("no rubric is in force on {day}; the built-in default").format(day=f"{day:%d/%m/%Y}")


def rubric_for_audit(session: Session, given: str | None = None, day: date | None = None,
                     configured: str | None = None) -> str:
    return pick_rubric(session, given, day, configured)[0]
