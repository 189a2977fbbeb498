"""``flask lms ...``: the command line for admins and scripts.

Each command prints what it did and exits non-zero with a clear message on
bad input. Commands that change data commit once, at the end.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from . import migrate
from .core.content import Limits, check_directory, load_directory
from .identity import Identity
from .models import ROLES, Assignment, Course, Group
from .services.content import export_course, store_version
from .services.users import add_member, find_group, find_user, sync_identity
from .state import db_session, state

lms_cli = AppGroup("lms", help="Manage the LMS: database, courses, users and assignments.")
courses_cli = AppGroup("courses", help="Check, import and export Markdown courses.")
users_cli = AppGroup("users", help="Create accounts and import staff.")
lms_cli.add_command(courses_cli)
lms_cli.add_command(users_cli)


def fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def limits() -> Limits:
    from flask import current_app

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
def courses_check(directory: Path) -> None:
    """Check every course under DIRECTORY; print problems and warnings as path:line: message.

    Exits 1 when there are problems; warnings (``path:line: warning: ...``) are printed but do not fail.
    """
    checked = check_directory(directory, str(directory).rstrip("/"), limits())
    problems, warnings = checked.problems, checked.warnings
    lines = [(p.path, p.line, str(p)) for p in problems]
    lines += [(w.path, w.line, f"{w.path}:{w.line}: warning: {w.message}") for w in warnings]
    for _path, _line, text in sorted(lines):
        click.echo(text)
    if warnings:
        click.echo(f"{len(warnings)} warning(s).", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
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
            click.echo(str(problem), err=True)
        fail(f"{len(problems)} problem(s) found; nothing was imported.")
    session = db_session()
    try:
        results = [store_version(session, course, note=f"import from {directory}") for course in courses]
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
    if user is None and state().user_store is not None:
        identity = state().user_store.find(email)
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
    if user is None and group is None:
        fail(f"'{target}' is neither a known user's e-mail nor a group's name")
    target_condition = Assignment.user_id == user.id if user else Assignment.group_id == group.id
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
    who = user.email if user else f"group {group.name}"
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
    from .core.content import decode

    text, problem = decode(path.read_bytes(), str(path))
    if problem is not None:
        fail(str(problem))
    return text


@quiz_cli.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def quiz_parse(file: Path) -> None:
    """Print a quiz (Markdown or .gift) as JSON: questions, answers, fractions, errors."""
    from .core.gift import parse_gift
    from .core.quiz import parse_quiz, quiz_to_json

    if file.suffix.lower() == ".gift":
        quiz, problems = parse_gift(file.read_bytes(), str(file))
    else:
        quiz, problems = parse_quiz(read_text_file(file), str(file))
    click.echo(json.dumps(quiz_to_json(quiz, problems), ensure_ascii=False, indent=2, default=str))
    errors = [p for p in problems if not p.message.startswith("warning:")]
    if errors:
        sys.exit(1)


@quiz_cli.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The quiz Markdown file to write.")
def quiz_import_gift(file: Path, output: Path) -> None:
    """Convert a Moodle GIFT file into the project's quiz Markdown."""
    from .core.gift import parse_gift, quiz_to_markdown

    quiz, problems = parse_gift(file.read_bytes(), str(file))
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = [p for p in problems if not p.message.startswith("warning:")]
    if errors or not quiz.questions:
        fail(f"{len(errors)} problem(s) in {file}; nothing was written" if errors else f"no questions in {file}")
    output.write_text(quiz_to_markdown(quiz), encoding="utf-8")
    click.echo(f"Wrote {len(quiz.questions)} questions to {output}")


@scenario_cli.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def scenario_check(file: Path) -> None:
    """Check a scenario as a graph and print the report as JSON; exit 1 on errors."""
    from .core.scenario import check_scenario, parse_scenario

    scenario, problems = parse_scenario(read_text_file(file), str(file))
    report = check_scenario(scenario)
    output = report.to_json()
    click.echo(output if isinstance(output, str) else json.dumps(output, ensure_ascii=False, indent=2))
    if report.errors or problems:
        sys.exit(1)


from .certificates.cli import certificates_cli  # noqa: E402  (a feature's commands, beside its routes)

lms_cli.add_command(certificates_cli)

from .reports.cli import report_cli  # noqa: E402  (a feature's commands, beside its routes)

lms_cli.add_command(report_cli)
from .people.cli import users_import, xapi_cli  # noqa: E402

users_cli.add_command(users_import)
lms_cli.add_command(xapi_cli)
