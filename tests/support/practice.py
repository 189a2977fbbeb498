"""Daily practice in tests: letting days pass (the learners' history is moved back, the clock stays)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lms.models import QuizAttempt, ScenarioRun
from lms.practice.models import PracticeAnswer
from lms.state import db_session


def days_pass(app, days: int) -> None:
    """As if ``days`` days had passed: every quiz attempt, role-play run and practice answer happened
    that much earlier."""
    delta = dt.timedelta(days=days)
    with app.app_context():
        session = db_session()
        for attempt in session.scalars(select(QuizAttempt)):
            attempt.started_at -= delta
            if attempt.submitted_at is not None:
                attempt.submitted_at -= delta
        for run in session.scalars(select(ScenarioRun)):
            run.started_at -= delta
            run.updated_at -= delta
            if run.finished_at is not None:
                run.finished_at -= delta
        for answer in session.scalars(select(PracticeAnswer)):
            answer.day -= delta
            answer.answered_at -= delta
        session.commit()
