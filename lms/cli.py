"""``flask lms ...``: the command line for admins and scripts.

Each command prints what it did and exits non-zero with a clear message on
bad input. Commands that change data commit once, at the end.

Problems found in content (``courses check``, ``courses import``, ``quiz parse``,
``scenario check``) are printed in the command line's language: English, or the one
chosen with ``flask lms --language ru ...`` or the ``LMS_CLI_LANGUAGE`` environment
variable (ru, en or ar). The problem codes in the JSON output do not change with it.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from . import migrate
from .certificates.cli import certificates_cli
from .core.content import Limits, check_directory, decode, load_directory
from .core.gift import parse_gift, quiz_to_markdown
from .core.problems import WARNING, Problem
from .core.quiz import parse_quiz, quiz_to_json
from .core.scenario import check_scenario, parse_scenario
from .core.version_notes import import_note
from .i18n import LANGUAGES, _, gettext
from .identity import Identity
from .lti.cli import lti_cli
from .models import ROLES, Assignment, Course, Group
from .notify.cli import notify_cli
from .people.cli import users_import, xapi_cli
from .problem_text import problem_text
from .reports.cli import report_cli
from .services.content import export_course, store_version
from .services.users import add_member, find_group, find_user, sync_identity
from .state import db_session, state


class LMSGroup(AppGroup):
    """The ``lms`` group. A database that cannot be opened (a refused connection, a missing
    database, an SQLite file in a folder that does not exist) is one line on standard error
    and exit 1, whichever command first used it, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OperationalError:
            app = ctx.ensure_object(ScriptInfo).load_app()
            with app.app_context():
                problem = state().connection_problem()
            if problem is None:  # the database opens: the error is the command's own
                raise
            fail(problem)


def use_language(language: str) -> None:
    """Word what the command prints in ``language`` until it ends (``--language``, ``LMS_CLI_LANGUAGE``)."""
    ctx = click.get_current_context()
    if not current_app:
        ctx.with_resource(ctx.ensure_object(ScriptInfo).load_app().app_context())
    ctx.with_resource(force_locale(language))


lms_cli = LMSGroup("lms", help="Manage the LMS: database, courses, users and assignments.", callback=use_language,
                   params=[click.Option(["--language"], envvar="LMS_CLI_LANGUAGE", default="en", show_default=True,
                                        type=click.Choice(sorted(LANGUAGES)),
                                        help="Language of the problems printed (env: LMS_CLI_LANGUAGE).")])
courses_cli = AppGroup("courses", help="Check, import and export Markdown courses.")
users_cli = AppGroup("users", help="Create accounts and import staff.")
lms_cli.add_command(courses_cli)
lms_cli.add_command(users_cli)


def fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def problem_line(problem: Problem) -> str:
    """``path:line: message`` in the command line's language; a warning says so, and ends with its code
    in brackets: the code an author writes in a marker to accept it (docs/scenario-format.md)."""
    text = problem_text(problem)
    if problem.severity == WARNING:
        # (not inside the f-string: pybabel does not read calls there)
        label = _("accepted warning") if problem.accepted else _("warning")
        text = f"{label}: {text} [{problem.code}]"
    return f"{problem.path}:{problem.line}: {text}"


def problem_entry(problem: Problem) -> dict:
    """A problem in a command's JSON: its code, line and message in the command line's language."""
    return {"code": problem.code, "line": problem.line, "message": problem_text(problem)}


def limits() -> Limits:
    return Limits(current_app.config["LMS_MAX_TEXT_BYTES"], current_app.config["LMS_MAX_ASSET_BYTES"])


@lms_cli.command("init")
def init_command() -> None:
    """Create the database tables, or upgrade them to the latest version."""
    engine = state().engine
    before = migrate.current(engine)
    migrate.upgrade(engine)
    for hook in state().init_hooks:
        hook()
    after = migrate.current(engine)
    if before == after:
        click.echo(f"Database is up to date (revision {after}) at {engine.url.render_as_string(hide_password=True)}")
    else:
        click.echo(f"Database upgraded from {before or 'empty'} to {after} at "
                   f"{engine.url.render_as_string(hide_password=True)}")


@courses_cli.command("check")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too (a warning the author accepted never fails).")
def courses_check(directory: Path, strict: bool) -> None:
    """Check every course under DIRECTORY; print problems and warnings as path:line: message.

    Exits 1 when there are problems; warnings (``path:line: warning: ...``) are printed but do not
    fail, unless ``--strict``.
    """
    checked = check_directory(directory, str(directory).rstrip("/"), limits())
    problems, warnings = checked.problems, checked.warnings
    for problem in sorted([*problems, *warnings], key=lambda p: (p.path, p.line, p.severity, p.code)):
        click.echo(problem_line(problem))
    if warnings:
        click.echo(f"{len(warnings)} warning(s).", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    if strict and any(not w.accepted for w in warnings):
        click.echo("--strict: warnings fail the check; fix them or accept them in the file.", err=True)
        sys.exit(1)
    for course in checked.courses:
        count = sum(len(e.activities()) for e in course.editions.values())
        click.echo(f"OK {course.slug}: {len(course.editions)} language(s), {count} activities")


@courses_cli.command("import")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def courses_import(directory: Path) -> None:
    """Import every course under DIRECTORY atomically: any problem, nothing is written."""
    courses, problems = load_directory(directory, str(directory).rstrip("/"), limits())
    if problems:
        for problem in problems:
            click.echo(problem_line(problem), err=True)
        fail(f"{len(problems)} problem(s) found; nothing was imported.")
    session = db_session()
    try:
        results = [store_version(session, course, note=import_note(str(directory))) for course in courses]
        session.commit()
    except Exception:
        session.rollback()
        raise
    for result in results:
        if result.created:
            click.echo(f"Imported {result.slug}: version {result.version_number}")
        else:
            click.echo(f"Unchanged {result.slug}: still version {result.version_number}")


@courses_cli.command("export")
@click.argument("slug")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--version", "number", type=int, help="Version number (default: the published one).")
def courses_export(slug: str, directory: Path, number: int | None) -> None:
    """Write the files of course SLUG into DIRECTORY/SLUG."""
    try:
        count = export_course(db_session(), slug, directory / slug, number)
    except LookupError:
        fail(f"no course '{slug}'" + (f" with version {number}" if number else "") + "; see 'flask lms courses import'")
    click.echo(f"Wrote {count} files to {directory / slug}")


def read_password() -> tuple[str, bool]:
    """The password from standard input, or a generated one (then True)."""
    if sys.stdin is not None and not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if line:
            return line, False
        return secrets.token_urlsafe(12), True
    if sys.stdin is not None and sys.stdin.isatty():
        value = click.prompt("Password (empty to generate one)", hide_input=True, default="",
                             show_default=False, confirmation_prompt=False)
        if value:
            return value, False
    return secrets.token_urlsafe(12), True


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name as shown on certificates.")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), default=["learner"], show_default=True)
def users_create(email: str, name: str, roles: tuple[str, ...]) -> None:
    """Create an account (or reset its password); the password is read from standard input."""
    store = state().user_store
    if store is None:
        fail("this application manages its own accounts; create users there")
    if "@" not in email or "." not in email.split("@")[-1]:
        fail(f"'{email}' is not an e-mail address")
    if not name.strip():
        fail("--name must not be empty")
    password, generated = read_password()
    if len(password) < 8:
        fail("the password must have at least 8 characters")
    identity = store.create(email, name.strip(), roles, password)
    sync_identity(db_session(), identity)
    db_session().commit()
    click.echo(f"User {identity.email} ({', '.join(sorted(identity.roles))}) is ready.")
    if generated:
        click.echo(f"Password: {password}")


def resolve_person(email: str):
    session = db_session()
    user = find_user(session, email)
    store = state().user_store
    if user is None and store is not None:
        identity = store.find(email)
        if identity is not None:
            user = sync_identity(session, identity)
    return user


@lms_cli.command("assign")
@click.argument("slug")
@click.option("--to", "target", required=True, help="A person's e-mail or a group's name.")
@click.option("--due", help="Due date, YYYY-MM-DD.")
def assign_command(slug: str, target: str, due: str | None) -> None:
    """Assign course SLUG to a person or a group, optionally with a due date."""
    session = db_session()
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        fail(f"no course '{slug}'; import it first with 'flask lms courses import DIR'")
    due_date = None
    if due:
        try:
            due_date = dt.date.fromisoformat(due)
        except ValueError:
            fail(f"--due '{due}' is not a date; write it as YYYY-MM-DD")
    user = resolve_person(target) if "@" in target else None
    group = None if user else find_group(session, target)
    if user is not None:
        target_condition = Assignment.user_id == user.id
        who = user.email
    elif group is not None:
        target_condition = Assignment.group_id == group.id
        who = f"group {group.name}"
    else:
        fail(f"'{target}' is neither a known user's e-mail nor a group's name")
    existing = session.scalar(select(Assignment).where(
        Assignment.course_id == course.id, Assignment.removed_at.is_(None), target_condition))
    if existing is not None:
        existing.due_date = due_date
        action = "Updated"
    else:
        session.add(Assignment(course_id=course.id, user_id=user.id if user else None,
                               group_id=group.id if group else None, due_date=due_date))
        action = "Assigned"
    session.commit()
    click.echo(f"{action} {slug} to {who}" + (f", due {due_date.isoformat()}" if due_date else ""))


@lms_cli.command("demo")
def demo_command() -> None:
    """Create demo accounts for each role and a demo group with every course assigned."""
    store = state().user_store
    if store is None:
        fail("this application manages its own accounts; the demo needs the standalone site")
    session = db_session()
    people = [
        ("learner@example.com", "Анна Петрова", ["learner"]),
        ("learner2@example.com", "Omar Haddad", ["learner"]),
        ("trainer@example.com", "Игорь Смирнов", ["trainer"]),
        ("hr@example.com", "Мария Кузнецова", ["hr"]),
        ("admin@example.com", "Admin", ["admin"]),
    ]
    group = find_group(session, "Demo store") or Group(name="Demo store", kind="store")
    session.add(group)
    session.flush()
    lines = []
    for email, name, roles in people:
        password = secrets.token_urlsafe(9)
        identity: Identity = store.create(email, name, roles, password)
        user = sync_identity(session, identity)
        add_member(session, group, user, "trainer" if "trainer" in roles else "member")
        lines.append(f"  {roles[0]:<8} {email:<24} {password}")
    due = dt.date.today() + dt.timedelta(days=14)
    for course in session.scalars(select(Course)):
        if not session.scalar(select(Assignment.id).where(Assignment.course_id == course.id,
                                                         Assignment.group_id == group.id)):
            session.add(Assignment(course_id=course.id, group_id=group.id, due_date=due))
    session.commit()
    click.echo("Demo accounts (new passwords each run):")
    for line in lines:
        click.echo(line)


quiz_cli = AppGroup("quiz", help="Parse quizzes and import Moodle GIFT question banks.")
scenario_cli = AppGroup("scenario", help="Check role-play scenarios.")
lms_cli.add_command(quiz_cli)
lms_cli.add_command(scenario_cli)


def read_text_file(path: Path) -> str:
    text, problem = decode(path.read_bytes(), str(path))
    if problem is not None:
        fail(problem_line(problem))
    assert text is not None  # decode gives either the text or a problem
    return text


@quiz_cli.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def quiz_parse(file: Path) -> None:
    """Print a quiz (Markdown or .gift) as JSON: questions, answers, fractions, errors and warnings.

    ``errors``, ``warnings`` and ``accepted`` (warnings the author accepted with a marker) list every
    problem as ``{"code", "line", "message"}``; exit 1 on errors.
    """
    if file.suffix.lower() == ".gift":
        quiz, problems = parse_gift(file.read_bytes(), str(file))
    else:
        quiz, problems = parse_quiz(read_text_file(file), str(file))
    data = quiz_to_json(quiz, problems, translate=gettext)
    errors = [p for p in sorted(problems) if p.severity != WARNING]
    data["errors"] = [problem_entry(p) for p in errors]
    data["warnings"] = [problem_entry(p) for p in sorted(problems) if p.severity == WARNING and not p.accepted]
    data["accepted"] = [problem_entry(p) for p in sorted(problems) if p.severity == WARNING and p.accepted]
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    if errors:
        sys.exit(1)


@quiz_cli.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The quiz Markdown file to write.")
def quiz_import_gift(file: Path, output: Path) -> None:
    """Convert a Moodle GIFT file into the project's quiz Markdown."""
    quiz, problems = parse_gift(file.read_bytes(), str(file))
    for problem in problems:
        click.echo(problem_line(problem), err=True)
    errors = [p for p in problems if p.severity != WARNING]
    if errors or not quiz.questions:
        fail(f"{len(errors)} problem(s) in {file}; nothing was written" if errors else f"no questions in {file}")
    output.write_text(quiz_to_markdown(quiz), encoding="utf-8")
    click.echo(f"Wrote {len(quiz.questions)} questions to {output}")


@scenario_cli.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def scenario_check(file: Path) -> None:
    """Check a scenario as a graph and print the report as JSON; exit 1 on errors.

    ``errors``, ``warnings`` and ``accepted`` (warnings the author accepted with a marker) list every
    problem as ``{"code", "line", "message"}``.
    """
    scenario, problems = parse_scenario(read_text_file(file), str(file))
    report = check_scenario(scenario)
    data = report.to_dict()
    data["errors"] = [problem_entry(p) for p in report.errors]
    data["warnings"] = [problem_entry(p) for p in report.warnings]
    data["accepted"] = [problem_entry(p) for p in report.accepted]
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    if report.errors or problems:
        sys.exit(1)


# each feature's commands live beside its routes
lms_cli.add_command(certificates_cli)
lms_cli.add_command(report_cli)
users_cli.add_command(users_import)
lms_cli.add_command(xapi_cli)
lms_cli.add_command(notify_cli)
lms_cli.add_command(lti_cli)
