"""The migrations build exactly the tables the models describe, and carry data forward.

On PostgreSQL each test works in a schema of its own, so the session's shared
database is untouched.
"""
from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select, text

from lms import migrate
from lms.models import ActivityProgress, Base, Course, CourseVersion, Enrollment, ScenarioRun, User


def test_the_migrated_tables_match_the_models(fresh_engine):
    migrate.upgrade(fresh_engine)
    with fresh_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if not expected(d, connection.dialect.name)]
    assert differences == []


def expected(difference: tuple, dialect: str) -> bool:
    """Differences by design: Alembic's own version table, and the circular foreign key
    from a course to its published version, which SQLite cannot add after the tables exist."""
    if difference[0] == "remove_table":
        return difference[1].name == "lms_alembic_version"
    return dialect == "sqlite" and difference[0] == "add_fk" and difference[1].table.name == "lms_courses"


def test_dashboard_columns_are_copied_out_of_the_json(fresh_engine):
    migrate.upgrade(fresh_engine, revision="0005")
    with fresh_engine.begin() as connection:
        user = connection.execute(insert(User).values(external_id="1", email="a@example.com", name="A")
                                  .returning(User.id)).scalar_one()
        course = connection.execute(insert(Course).values(slug="c").returning(Course.id)).scalar_one()
        version = connection.execute(insert(CourseVersion).values(
            course_id=course, number=1, content_hash="h", manifest={}).returning(CourseVersion.id)).scalar_one()
        enrollment = connection.execute(insert(Enrollment).values(
            user_id=user, course_id=course, version_id=version, language="ru").returning(Enrollment.id)).scalar_one()
        rows = {"lesson": None, "failed": {"passed": False, "percent": 40.0}, "passed": {"passed": True}}
        for key, result in rows.items():
            connection.execute(text(
                "INSERT INTO lms_activity_progress (enrollment_id, activity_key, version_id, status, started_at, result)"
                " VALUES (:e, :k, :v, 'completed', CURRENT_TIMESTAMP, :r)"),
                {"e": enrollment, "k": key, "v": version, "r": None if result is None else json.dumps(result)})

        state = {"step_id": "end", "path": [["start", "1"]], "competencies": {"empathy": 2, "speed": 1.5}}
        connection.execute(text(
            "INSERT INTO lms_scenario_runs (enrollment_id, user_id, activity_key, version_id, number, state,"
            " started_at, updated_at, revision) VALUES (:e, :u, 'play', :v, 1, :s, CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP, 1)"), {"e": enrollment, "u": user, "v": version, "s": json.dumps(state)})

    migrate.upgrade(fresh_engine)

    with fresh_engine.connect() as connection:
        passed = dict(connection.execute(select(ActivityProgress.activity_key, ActivityProgress.passed)).all())
        competencies = connection.execute(select(ScenarioRun.competencies)).scalar_one()
    assert passed == {"lesson": None, "failed": False, "passed": True}
    assert competencies == {"empathy": 2, "speed": 1.5}
