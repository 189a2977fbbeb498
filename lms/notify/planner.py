"""What is due to be said: notifications derived from the state of the database.

Each planner reads one fact (a live assignment, a due date, a released review, a certificate)
and proposes a notification with a key that names the fact (``due:7:3:2026-12-10:1``). The
outbox inserts a key once, so running the planner every minute, or on two hosts at once,
never plans anything twice. Nothing here runs inside a web request: assigning a course to
5,000 people writes one assignment row, and ``flask lms notify send`` turns it into 5,000
notifications in batches.

Events older than :data:`lms.core.notify.LOOKBACK_DAYS` when first seen are not announced, so
turning notifications on does not mail the past.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..core import notify as rules
from ..core.practice import DAILY_SIZE
from ..learn.pages import split_key
from ..links import absolute_url, verify_url
from ..models import (
    ActivityContent,
    Assignment,
    Certificate,
    Course,
    CourseVersion,
    Enrollment,
    Group,
    GroupMember,
    Review,
    User,
    aware,
)
from ..practice import service as practice
from ..services import reviews as review_service
from ..services.learning import pick_language
from ..services.status import assigned_pairs, course_status_column
from .models import NotificationChoice
from .outbox import Planned, Settings, existing_keys, organisation_off, queue

#: at most this many people named in a trainer's weekly digest
DIGEST_ROWS = 20
#: the weekday (Monday = 0) of the trainer's digest, and the day of the month of HR's summary
DIGEST_WEEKDAY = 0
SUMMARY_DAY = 1


class Titles:
    """Course titles in each person's language, looked up once per course and language."""

    def __init__(self, session: Session, default_language: str):
        self.default = default_language
        rows = session.execute(select(Course.id, Course.slug, CourseVersion.manifest)
                               .join(CourseVersion, CourseVersion.id == Course.published_version_id))
        self.courses: dict[int, tuple[str, dict[str, Any]]] = {cid: (slug, manifest) for cid, slug, manifest in rows}

    def title(self, course_id: int, language: str | None) -> str | None:
        found = self.courses.get(course_id)
        if found is None:
            return None
        manifest = found[1]
        return manifest["editions"][pick_language(manifest, language, self.default)]["title"]

    def slug(self, course_id: int) -> str | None:
        found = self.courses.get(course_id)
        return found[0] if found else None

    def course_url(self, course_id: int) -> str:
        return absolute_url("lms.learn.course", slug=self.slug(course_id))


class People:
    def __init__(self, session: Session, config: Settings):
        self.session = session
        self.config = config
        self._cache: dict[int, User] = {}

    def load(self, ids: set[int]) -> None:
        missing = ids - self._cache.keys()
        if missing:
            for user in self.session.scalars(select(User).where(User.id.in_(missing))):
                self._cache[user.id] = user

    def get(self, user_id: int) -> User | None:
        self.load({user_id})
        return self._cache.get(user_id)

    def language(self, user: User) -> str:
        return user.locale or self.config.default_language

    def today(self, user: User, now: dt.datetime) -> dt.date:
        return rules.local_day(now, rules.zone(user.timezone, self.config.timezone))

    def reachable(self, user: User | None) -> bool:
        return user is not None and user.is_active and user.anonymized_at is None


def _open_pairs(session: Session, now: dt.datetime) -> list[tuple[int, int, dt.datetime, dt.date | None, str]]:
    """Every live (person, course) assignment with its first date, due date and status (the
    reports' own status expression, in one query)."""
    assigned = assigned_pairs()
    status = course_status_column(completed_at=Enrollment.completed_at, enrollment_id=Enrollment.id,
                                  due_date=assigned.c.due_date, user_id=assigned.c.user_id,
                                  course_id=assigned.c.course_id, today=now.date(), now=now)
    rows = session.execute(
        select(assigned.c.user_id, assigned.c.course_id, assigned.c.assigned_at, assigned.c.due_date, status)
        .outerjoin(Enrollment, and_(Enrollment.user_id == assigned.c.user_id,
                                    Enrollment.course_id == assigned.c.course_id))).all()
    return [(u, c, aware(at), due, state) for u, c, at, due, state in rows]


def assignments(session: Session, config: Settings, now: dt.datetime, people: People, titles: Titles,
                pairs: list) -> Iterator[Planned]:
    known = existing_keys(session, "assigned:", now)
    since = now - dt.timedelta(days=rules.LOOKBACK_DAYS)
    for user_id, course_id, assigned_at, due, status in pairs:
        key = f"assigned:{user_id}:{course_id}:{assigned_at:%Y%m%d%H%M%S}"
        if key in known or assigned_at < since or status == "completed":
            continue
        user = people.get(user_id)
        title = titles.title(course_id, user.locale if user else None)
        if not people.reachable(user) or title is None:
            continue
        yield Planned(key, "assigned", user_id, {"course": title, "due": due.isoformat() if due else None},
                      titles.course_url(course_id))


def due_dates(session: Session, config: Settings, now: dt.datetime, people: People, titles: Titles,
              pairs: list) -> Iterator[Planned]:
    known = existing_keys(session, "due:", now) | existing_keys(session, "overdue:", now)
    for user_id, course_id, _at, due, status in pairs:
        if due is None or status in ("completed", "expired"):
            continue
        user = people.get(user_id)
        if not people.reachable(user):
            continue
        assert user is not None
        today = people.today(user, now)
        title = titles.title(course_id, user.locale)
        if title is None:
            continue
        reminder = rules.due_reminder(due, today, config.remind_days)
        if reminder is not None:
            key = f"due:{user_id}:{course_id}:{due.isoformat()}:{reminder}"
            if key not in known:
                yield Planned(key, "due_soon", user_id, {"course": title, "due": due.isoformat(),
                                                         "days_left": (due - today).days},
                              titles.course_url(course_id))
        notice = rules.overdue_notice(due, today)
        if notice is not None:
            key = f"overdue:{user_id}:{course_id}:{due.isoformat()}:{notice}"
            if key not in known:
                yield Planned(key, "overdue", user_id, {"course": title, "due": due.isoformat(),
                                                        "days_late": (today - due).days},
                              titles.course_url(course_id))


def released_reviews(session: Session, config: Settings, now: dt.datetime, people: People, titles: Titles,
                     pairs: list) -> Iterator[Planned]:
    known = existing_keys(session, "review:", now)
    rows = session.execute(select(Review.id, Review.user_id, Review.course_id, Review.activity_key)
                           .where(Review.status == review_service.RELEASED,
                                  Review.reviewed_at >= now - dt.timedelta(days=rules.LOOKBACK_DAYS))).all()
    for review_id, user_id, course_id, key_ in rows:
        key = f"review:{review_id}"
        user = people.get(user_id)
        title = titles.title(course_id, user.locale if user else None)
        if key in known or not people.reachable(user) or title is None:
            continue
        module, activity = split_key(key_)
        link = absolute_url("lms.learn.activity", slug=titles.slug(course_id), module=module, activity=activity)
        yield Planned(key, "review_released", user_id, {"course": title, "activity": _activity_title(
            session, course_id, key_, user.locale if user else None) or title}, link)


def _activity_title(session: Session, course_id: int, key: str, language: str | None) -> str | None:
    version_id = session.scalar(select(Course.published_version_id).where(Course.id == course_id))
    return session.scalar(select(ActivityContent.title).where(
        ActivityContent.version_id == version_id, ActivityContent.key == key)
        .order_by((ActivityContent.language == (language or "")).desc()).limit(1))


def certificates(session: Session, config: Settings, now: dt.datetime, people: People, titles: Titles,
                 pairs: list) -> Iterator[Planned]:
    since = now - dt.timedelta(days=rules.LOOKBACK_DAYS)
    known = existing_keys(session, "certificate:", now) | existing_keys(session, "expiring:", now) \
        | existing_keys(session, "reassigned:", now)
    issued = session.scalars(select(Certificate).where(Certificate.revoked_at.is_(None),
                                                       Certificate.issued_at >= since))
    for certificate in issued:
        key = f"certificate:{certificate.id}"
        if key in known or not people.reachable(people.get(certificate.user_id)):
            continue
        yield Planned(key, "certificate_issued", certificate.user_id,
                      {"course": certificate.course_title, "serial": certificate.serial,
                       "verify_url": verify_url(certificate.serial)},
                      absolute_url("lms.certificates.mine"))
    horizon = now + dt.timedelta(days=rules.EXPIRY_WARNING_DAYS)
    expiring = session.scalars(select(Certificate).where(
        Certificate.revoked_at.is_(None), Certificate.renewed_at.is_(None), Certificate.expires_at.is_not(None),
        Certificate.expires_at > now, Certificate.expires_at <= horizon))
    for certificate in expiring:
        key = f"expiring:{certificate.id}"
        expires = aware(certificate.expires_at)
        if key in known or expires is None or not people.reachable(people.get(certificate.user_id)):
            continue
        yield Planned(key, "certificate_expiring", certificate.user_id,
                      {"course": certificate.course_title, "expires": expires.date().isoformat()},
                      absolute_url("lms.certificates.mine"))
    renewed = session.execute(select(Certificate, Assignment.due_date)
                              .join(Assignment, Assignment.id == Certificate.renewal_assignment_id, isouter=True)
                              .where(Certificate.renewed_at >= since)).all()
    for certificate, due in renewed:
        key = f"reassigned:{certificate.id}"
        user = people.get(certificate.user_id)
        title = titles.title(certificate.course_id, user.locale if user else None) or certificate.course_title
        if key in known or not people.reachable(user):
            continue
        yield Planned(key, "reassigned", certificate.user_id,
                      {"course": title, "due": due.isoformat() if due else None},
                      titles.course_url(certificate.course_id))


def trainer_digests(session: Session, config: Settings, now: dt.datetime, people: People, titles: Titles,
                    pairs: list) -> Iterator[Planned]:
    """Monday (the organisation's time zone): each group trainer's week, who is behind (overdue
    first, then the nearest due date) and how many answers wait for their review."""
    today = rules.local_day(now, rules.zone(config.timezone))
    if today.weekday() != DIGEST_WEEKDAY:
        return
    week = today.isocalendar()
    known = existing_keys(session, f"trainer-week:{week.year}-{week.week}:", now)
    trainers = session.execute(select(GroupMember.user_id, GroupMember.group_id)
                               .where(GroupMember.role == "trainer")).all()
    groups_of: dict[int, set[int]] = {}
    for trainer_id, group_id in trainers:
        groups_of.setdefault(trainer_id, set()).add(group_id)
    members = session.execute(select(GroupMember.group_id, GroupMember.user_id)
                              .join(Group, Group.id == GroupMember.group_id)
                              .where(GroupMember.role == "member")).all()
    members_of: dict[int, set[int]] = {}
    for group_id, user_id in members:
        members_of.setdefault(group_id, set()).add(user_id)
    by_person: dict[int, list[tuple[int, dt.date, str]]] = {}
    for user_id, course_id, _at, due, status in pairs:
        if due is not None and status not in ("completed",) and (due - today).days <= 7:
            by_person.setdefault(user_id, []).append((course_id, due, status))
    for trainer_id, group_ids in groups_of.items():
        key = f"trainer-week:{week.year}-{week.week}:{trainer_id}"
        trainer = people.get(trainer_id)
        if key in known or not people.reachable(trainer):
            continue
        assert trainer is not None
        watched = set().union(*(members_of.get(g, set()) for g in group_ids)) - {trainer_id}
        people.load(watched)
        behind = sorted(((due, user_id, course_id) for user_id in watched
                         for course_id, due, _status in by_person.get(user_id, [])))
        waiting = review_service.pending_count(session, trainer)
        if not behind and not waiting:
            continue
        rows = [{"name": person.name, "course": titles.title(course_id, trainer.locale) or "", "due": due.isoformat()}
                for due, user_id, course_id in behind[:DIGEST_ROWS] if (person := people.get(user_id))]
        yield Planned(key, "trainer_digest", trainer_id,
                      {"behind": rows, "behind_count": len({u for _, u, _ in behind}), "reviews": waiting},
                      absolute_url("lms.trainer.groups"))


def hr_summaries(session: Session, config: Settings, now: dt.datetime, people: People, titles: Titles,
                 pairs: list) -> Iterator[Planned]:
    """The first of the month: HR's compliance figures (assigned, completed, overdue, expiring)."""
    today = rules.local_day(now, rules.zone(config.timezone))
    if today.day != SUMMARY_DAY:
        return
    month = today.strftime("%Y-%m")
    known = existing_keys(session, f"hr-month:{month}:", now)
    statuses = Counter(status for *_rest, status in pairs)
    expiring = session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.revoked_at.is_(None), Certificate.renewed_at.is_(None), Certificate.expires_at > now,
        Certificate.expires_at <= now + dt.timedelta(days=rules.EXPIRY_WARNING_DAYS))) or 0
    params = {"month": month, "total": len(pairs), "completed": statuses.get("completed", 0),
              "overdue": statuses.get("overdue", 0), "expiring": expiring}
    for user in session.scalars(select(User).where(User.is_active.is_(True), User.anonymized_at.is_(None),
                                                   User.roles.contains("hr"))):
        key = f"hr-month:{month}:{user.id}"
        if key not in known and "hr" in user.role_set:
            yield Planned(key, "hr_summary", user.id, params, absolute_url("lms.reports.compliance"))


def refreshers(session: Session, config: Settings, now: dt.datetime, people: People, titles: Titles,
               pairs: list) -> Iterator[Planned]:
    """At most one a day, to people who asked for it, when practice has questions due."""
    wanting = list(session.scalars(select(NotificationChoice.user_id).where(
        NotificationChoice.kind == "refresher", NotificationChoice.email.is_(True))))
    people.load(set(wanting))
    for user_id in wanting:
        user = people.get(user_id)
        if not people.reachable(user):
            continue
        assert user is not None
        today = people.today(user, now)
        key = f"refresher:{user_id}:{today.isoformat()}"
        count = min(practice.due_refreshers(session, user_id, today), DAILY_SIZE)  # one day's practice
        if count and key not in existing_keys(session, key, now):
            yield Planned(key, "refresher", user_id, {"count": count}, absolute_url("lms.practice.today"))


PLANNERS: dict[str, Callable[..., Iterator[Planned]]] = {
    "assigned": assignments, "due_soon": due_dates, "review_released": released_reviews,
    "certificate_issued": certificates, "trainer_digest": trainer_digests, "hr_summary": hr_summaries,
    "refresher": refreshers,
}


def plan(session: Session, config: Settings, now: dt.datetime) -> Counter:
    """Queue every notification that is due now and not queued yet; returns how many of each kind."""
    off = organisation_off(session)
    people = People(session, config)
    titles = Titles(session, config.default_language)
    pairs = _open_pairs(session, now)
    people.load({u for u, *_ in pairs})
    added: Counter = Counter()
    for name, planner in PLANNERS.items():
        batch: list[Planned] = []
        for item in planner(session, config, now, people, titles, pairs):
            batch.append(item)
            if len(batch) >= 1000:  # a course assigned to 5,000 people: five inserts of 1,000
                added[name] += queue(session, batch, now, off)
                batch = []
        if batch:
            added[name] += queue(session, batch, now, off)
    return added

