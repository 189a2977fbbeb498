"""Seed realistic data in bulk: one group (``seed_group``) or a whole organisation (the command line).

``seed_group`` is used by ``bench/dashboard.py`` and by the query-count test: one
group of learners with progress through one course. Rows go in with
``session.execute(insert(Model), rows)`` (one statement per table and batch), so
thousands of learners take seconds. Progress follows the course's own rules:
learners advance in reading order; a quiz is passed before moving on (often
after a failed first attempt); a role-play is finished with competency points
drawn within what the scenario allows.

The command line seeds a scratch database for the load benchmark
(``bench/load.py``) with a whole organisation (see ``seed_population``)::

    .venv/bin/python bench/seed.py --database-url sqlite:////tmp/lms-bench/bench.sqlite --learners 10000 --groups 200
    .venv/bin/python bench/seed.py --database-url postgresql://postgres@127.0.0.1:5432/bench

It creates the schema as ``flask lms init`` does, empties every LMS table (use
a scratch database), imports ``courses/``, and prints the rows per table and
the time taken. Everyone signs in with the same password (``--password``,
hashed once with the site's scrypt and the hash reused).
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from lms.models import (
    ActivityContent,
    ActivityProgress,
    Assignment,
    Certificate,
    Course,
    CourseVersion,
    Enrollment,
    Group,
    GroupMember,
    QuizAttempt,
    Review,
    ScenarioChoice,
    ScenarioRun,
    User,
)

BATCH = 5000


def _bulk(session: Session, model, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start:start + BATCH])


def seed_group(session: Session, slug: str, learners: int, *, name: str | None = None,
               trainer_id: int | None = None, seed: int = 1, today: dt.date | None = None,
               due_in_days: int = 14) -> Group:
    """A group of ``learners`` members with ``slug`` assigned and progress through it.

    About 15 % have not started, a quarter have finished, the rest are part-way.
    Returns the group; the caller commits.
    """
    rng = random.Random(seed)
    today = today or dt.date.today()
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    course, version = session.execute(
        select(Course, CourseVersion).join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Course.slug == slug)).one()
    manifest = version.manifest
    language = manifest["default_language"]
    activities = [(a["key"], a["kind"]) for m in manifest["editions"][language]["modules"] for a in m["activities"]]
    scenarios = {key: data for key, data in session.execute(
        select(ActivityContent.key, ActivityContent.data).where(
            ActivityContent.version_id == version.id, ActivityContent.language == language,
            ActivityContent.kind == "scenario"))}

    name = name or f"Bench group {learners} #{seed}"
    group = Group(name=name, kind="store")
    session.add(group)
    session.flush()
    prefix = f"seed:{group.id}:"
    _bulk(session, User, [
        {"external_id": f"{prefix}{i}", "email": f"learner{i}.g{group.id}@example.com",
         "name": f"Learner {i:05d}", "roles": "learner"} for i in range(learners)])
    ids = list(session.scalars(select(User.id).where(User.external_id.startswith(prefix)).order_by(User.id)))
    members = [{"group_id": group.id, "user_id": uid, "role": "member", "joined_at": now} for uid in ids]
    if trainer_id is not None:
        members.append({"group_id": group.id, "user_id": trainer_id, "role": "trainer", "joined_at": now})
    _bulk(session, GroupMember, members)
    session.add(Assignment(course_id=course.id, group_id=group.id, due_date=today + dt.timedelta(days=due_in_days),
                           assigned_by_id=trainer_id))

    depth_of: dict[int, int] = {}
    for uid in ids:
        roll = rng.random()
        depth_of[uid] = 0 if roll < 0.15 else len(activities) if roll > 0.75 else rng.randint(1, len(activities) - 1)
    started = [uid for uid in ids if depth_of[uid] > 0]
    _bulk(session, Enrollment, [
        {"user_id": uid, "course_id": course.id, "version_id": version.id, "language": language,
         "last_key": activities[min(depth_of[uid], len(activities)) - 1][0],
         "started_at": now - dt.timedelta(days=30), "updated_at": now,
         "completed_at": now - dt.timedelta(days=rng.randint(0, 29)) if depth_of[uid] == len(activities) else None,
         "completed_version_id": version.id if depth_of[uid] == len(activities) else None}
        for uid in started])
    enrollment_of = dict(session.execute(select(Enrollment.user_id, Enrollment.id).where(
        Enrollment.course_id == course.id, Enrollment.user_id.in_(select(GroupMember.user_id).where(
            GroupMember.group_id == group.id)))).all())

    progress, attempts, runs = [], [], []
    for uid in started:
        enrollment = enrollment_of[uid]
        depth = depth_of[uid]
        for index, (key, kind) in enumerate(activities[:depth + 1]):
            if index >= len(activities):
                break
            finished = index < depth
            at = now - dt.timedelta(days=rng.randint(1, 29), minutes=rng.randint(0, 600))
            row = {"enrollment_id": enrollment, "activity_key": key, "version_id": version.id,
                   "status": "completed" if finished else "started", "started_at": at,
                   "completed_at": at if finished else None, "score": None, "result": None}
            if kind == "quiz" and (finished or rng.random() < 0.5):
                tries = rng.choice((1, 1, 2)) if finished else 1
                for number in range(1, tries + 1):
                    last = number == tries
                    percent = float(rng.randint(70, 100) if finished and last else rng.randint(10, 69))
                    attempts.append({
                        "enrollment_id": enrollment, "user_id": uid, "activity_key": key, "version_id": version.id,
                        "number": number, "seed": rng.getrandbits(40), "plan": {"seed": 0, "question_ids": []},
                        "answers": {}, "status": "submitted", "started_at": at, "submitted_at": at,
                        "percent": percent, "passed": percent >= 70, "result": None, "revision": 1})
                row.update(status="completed", completed_at=at, score=percent,
                           result={"passed": finished, "percent": percent, "attempt": tries})
            elif kind == "scenario" and key in scenarios:
                data = scenarios[key]
                maxima = (data.get("outline") or {}).get("competency_max", {})
                competencies = {tag: rng.randint(0, int(best)) for tag, best in maxima.items() if best}
                path = [[step, "1"] for step in (data.get("outline") or {}).get("best_path", [])[:-1]]
                state = {"step_id": (data.get("outline") or {}).get("best_path", [data["start"]])[-1],
                         "variables": {}, "competencies": competencies, "path": path,
                         "finished": finished, "outcome": None}
                runs.append({
                    "enrollment_id": enrollment, "user_id": uid, "activity_key": key, "version_id": version.id,
                    "number": 1, "state": state, "competencies": ScenarioRun.competencies_of(state),
                    "started_at": at, "updated_at": at,
                    "finished_at": at if finished else None, "outcome": None,
                    "points": float(sum(competencies.values())) if finished else None,
                    "passed": finished if finished else None, "revision": 1})
                if finished:
                    row["result"] = {"passed": True, "points": float(sum(competencies.values())), "run": 1}
            row["passed"] = ActivityProgress.passed_of(row["result"])  # bulk inserts skip the validator
            progress.append(row)
    _bulk(session, ActivityProgress, progress)
    _bulk(session, QuizAttempt, attempts)
    _bulk(session, ScenarioRun, runs)
    if learners <= 50:  # a few timed choices, so a learner's page has something to add up
        played = session.execute(select(ScenarioRun.id, ScenarioRun.activity_key).where(ScenarioRun.user_id.in_(ids)))
        _bulk(session, ScenarioChoice, [
            {"run_id": run_id, "version_id": version.id, "activity_key": key, "step_id": "start", "reply_id": "1",
             "at": now, "seconds": 30} for run_id, key in played])
    session.flush()
    return group


# -- a whole organisation, for the load benchmark ------------------------------------------------

PASSWORD = "bench-password"
#: learners simulated and inserted at a time (keeps memory flat whatever the size)
CHUNK = 1000
#: share of learners per course edition
EDITIONS = (("ru", 0.85), ("en", 0.12), ("ar", 0.03))
FIRST_NAMES = ("Анна", "Мария", "Елена", "Ольга", "Наталья", "Ирина", "Светлана", "Татьяна", "Юлия", "Дарья",
               "Алексей", "Андрей", "Дмитрий", "Сергей", "Иван", "Михаил", "Павел", "Олег", "Никита", "Артём",
               "Amira", "Layla", "Omar", "Yusuf", "Emma", "James")
LAST_NAMES = ("Иванова", "Смирнова", "Кузнецова", "Попова", "Соколова", "Лебедева", "Козлова", "Новикова",
              "Морозова", "Волкова", "Соловьёва", "Васильева", "Зайцева", "Павлова", "Семёнова", "Голубева",
              "Виноградова", "Богданова", "Воробьёва", "Фёдорова", "Haddad", "Nasser", "Smith", "Brown")


def learner_email(index: int) -> str:
    """The e-mail of learner ``index`` (1-based): ``learner00001@example.com``."""
    return f"learner{index:05d}@example.com"


def trainer_email(group: int) -> str:
    """The e-mail of the trainer of store ``group`` (1-based)."""
    return f"trainer{group:03d}@example.com"


def regional_email(region: int) -> str:
    return f"regional{region}@example.com"


def correct_answer(question) -> Any:
    """The full-marks answer of a quiz question, in the shape ``validate_answer`` accepts."""
    if question.type in ("single", "true_false"):
        return max(question.options, key=lambda o: o.fraction).id
    if question.type == "multiple":
        return [o.id for o in question.options if o.fraction > 0]
    if question.type == "short":
        return max(question.answers, key=lambda a: a.fraction).text
    if question.type == "numeric":
        best = max(question.numeric, key=lambda n: n.fraction)
        return str(best.value if best.value is not None else best.low)
    if question.type == "matching":
        return {p.left_id: p.right_id for p in question.pairs}
    if question.type == "ordering":
        return [i.id for i in question.items]
    return "Ответ для проверки тренером"


def learner_answer(question, plan, rng: random.Random, skill: float) -> Any:
    """Right with probability ``skill``, otherwise a guess (which may be right too)."""
    from bench.grade_quiz import random_answer
    from lms.core import quiz as quiz_core

    raw = correct_answer(question) if rng.random() < skill else random_answer(question, plan, rng)
    return quiz_core.validate_answer(question, raw)


def _reply_value(reply) -> float:
    """How good a reply is: the points and competency points it gives."""
    value = 0.0
    for effect in reply.effects:
        if effect.op in "+-" and (effect.competency or effect.name == "points") and not isinstance(effect.value, bool):
            value += effect.value if effect.op == "+" else -effect.value
    return value


#: what learners write at a free-text step of a role-play
WRITTEN_REPLIES = (
    "Извините, это наша ошибка. Я сейчас же всё исправлю и позвоню вам, как только будет готово.",
    "Понимаю ваше недовольство. Давайте я запишу, что именно случилось, и предложу решение сегодня же.",
    "Спасибо, что сказали прямо. Мы вернём деньги за доставку, а заказ привезём завтра до обеда.",
    "I am sorry, that was our mistake. I will fix it now and call you as soon as it is ready.",
)


def play_run(scenario, rng: random.Random, skill: float, stop_after: int | None = None):
    """Play a role-play with the engine: the best reply with probability ``skill``, else any offered.

    Returns the final state, the (step, reply) choices (reply ``"text"`` for a
    written one) and the written texts by step; ``stop_after`` leaves the run unfinished.
    """
    from lms.core import scenario as engine

    state = engine.start_state(scenario)
    choices: list[tuple[str, str]] = []
    written: dict[str, str] = {}
    while not state.finished and (stop_after is None or len(choices) < stop_after):
        step = scenario.step(state.step_id)
        if step.kind == engine.TEXT:
            written[step.id] = rng.choice(WRITTEN_REPLIES)
            choices.append((step.id, "text"))
            state = engine.submit_text(scenario, state, written[step.id], expected_step=step.id)
            continue
        offered = [r for r in step.replies if r.available(state.variables)]
        reply = max(offered, key=_reply_value) if rng.random() < skill else rng.choice(offered)
        choices.append((step.id, reply.id))
        state = engine.choose(scenario, state, reply.id, expected_step=step.id)
    return state, choices, written


class _Clock:
    """Hands out the moments of a learner's work, spread evenly between two dates."""

    def __init__(self, rng: random.Random, start: dt.datetime, end: dt.datetime, events: int):
        self.rng, self.now, self.end = rng, start, end
        self.step = (end - start) / max(1, events)

    def tick(self, minimum: dt.timedelta = dt.timedelta(0)) -> dt.datetime:
        self.now = min(self.end, self.now + max(minimum, self.step * self.rng.uniform(0.3, 1.7)))
        return self.now


class _CourseModel:
    """What the simulation needs from the published version of a course, per edition."""

    def __init__(self, session: Session, slug: str):
        from lms.core import quiz as quiz_core
        from lms.core import scenario as engine
        from lms.services.certificates import rule_of

        self.course, self.version = session.execute(
            select(Course, CourseVersion).join(CourseVersion, CourseVersion.id == Course.published_version_id)
            .where(Course.slug == slug)).one()
        manifest = self.version.manifest
        self.rule = rule_of(self.version)
        self.editions = [(code, share) for code, share in EDITIONS if code in manifest["editions"]] or [
            (manifest["default_language"], 1.0)]
        self.titles = {code: manifest["editions"][code]["title"] for code, _ in self.editions}
        self.activities = {code: [(a["key"], a["kind"]) for m in manifest["editions"][code]["modules"]
                                  for a in m["activities"]] for code, _ in self.editions}
        self.quizzes, self.scenarios = {}, {}
        for language, key, kind, data in session.execute(
                select(ActivityContent.language, ActivityContent.key, ActivityContent.kind, ActivityContent.data)
                .where(ActivityContent.version_id == self.version.id, ActivityContent.kind.in_(("quiz", "scenario")))):
            if kind == "quiz":
                self.quizzes[language, key] = quiz_core.Quiz.from_dict(data)
            else:
                self.scenarios[language, key] = engine.Scenario.from_dict(data)

    def edition(self, rng: random.Random) -> str:
        roll, total = rng.random(), 0.0
        for code, share in self.editions:
            total += share
            if roll < total:
                return code
        return self.editions[0][0]


def _simulate_learner(model: _CourseModel, user_id: int, name: str, reviewer_id: int, rng: random.Random,
                      assigned: dt.datetime, now: dt.datetime, finish_share: float,
                      idle_share: float) -> dict[str, Any] | None:
    """One learner's work through the course, as rows (enrollment ids filled in later); None if not started."""
    from lms.core import certificates as certificate_core
    from lms.core import quiz as quiz_core
    from lms.core import scenario as engine
    from lms.core import status as status_core

    roll = rng.random()
    if roll < idle_share:
        return None
    language = model.edition(rng)
    activities = model.activities[language]
    finished = roll > 1 - finish_share
    depth = len(activities) if finished else rng.randrange(len(activities))  # index of the activity in hand
    skill = rng.uniform(0.5, 0.97)
    version_id = model.version.id
    age = now - assigned
    start = assigned + age * rng.uniform(0.0, 0.3)
    end = start + (now - start) * rng.uniform(0.3, 1.0)
    clock = _Clock(rng, start, end, depth + 1)
    progress, attempts, runs = [], [], []
    last_key, completed_at = None, None
    for index, (key, kind) in enumerate(activities[:depth + 1]):
        done = index < depth
        last_key = key
        if kind not in ("quiz", "scenario"):  # a lesson read, a task handed in and accepted: one progress row
            at = clock.tick()
            progress.append({"activity_key": key, "version_id": version_id, "status": "completed" if done else "started",
                             "started_at": at, "completed_at": at if done else None, "score": None, "result": None})
            continue
        if kind == "quiz":
            quiz = model.quizzes[language, key]
            # the activity in hand: already failed, an attempt open with some answers, or not opened yet
            tries = 99 if done else rng.choice((0, 1, 1, 2, -1, -1))
            first = last = None
            number = 0
            while number < max(tries, 1 if tries == -1 else 0):
                number += 1
                seed = rng.getrandbits(48)
                plan = quiz_core.draw_attempt(quiz, seed)
                plan_dict = {**plan.to_dict(), "language": language}
                at = clock.tick(dt.timedelta(minutes=5))
                learned = skill + 0.12 * (number - 1)
                answers = {qid: learner_answer(quiz.question(qid), plan, rng, learned if number < 6 else 1.0)
                           for qid in plan.question_ids if quiz.question(qid).graded}
                if tries == -1:  # open: part of the answers saved so far
                    answers = dict(list(answers.items())[:rng.randrange(len(answers) + 1)])
                    attempts.append({"user_id": user_id, "activity_key": key, "version_id": version_id,
                                     "number": number, "seed": seed, "plan": plan_dict, "answers": answers,
                                     "status": "open", "started_at": at, "submitted_at": None, "percent": None,
                                     "passed": None, "result": None, "revision": 1 + len(answers)})
                    break
                result = quiz_core.grade_attempt(quiz, plan, answers)
                submitted = at + dt.timedelta(minutes=rng.randint(3, 15))
                attempts.append({"user_id": user_id, "activity_key": key, "version_id": version_id,
                                 "number": number, "seed": seed, "plan": plan_dict, "answers": answers,
                                 "status": "submitted", "started_at": at, "submitted_at": submitted,
                                 "percent": float(result.percent), "passed": result.passed,
                                 "result": result.to_dict(), "revision": 2 + len(answers)})
                first = first or submitted
                last = (number, float(result.percent), bool(result.passed))
                if result.passed:
                    break
            if last is not None:
                passed = done or any(a["passed"] for a in attempts if a["activity_key"] == key)
                progress.append({"activity_key": key, "version_id": version_id, "status": "completed",
                                 "started_at": first, "completed_at": first, "score": last[1],
                                 "result": {"passed": passed, "percent": last[1], "attempt": last[0],
                                            "awaiting_review": []}})
            continue
        scenario = model.scenarios[language, key]
        tries = 99 if done else rng.choice((0, 1, 1, -1, -1))
        first = last = None
        number = 0
        while number < max(tries, 1 if tries == -1 else 0):
            number += 1
            at = clock.tick(dt.timedelta(minutes=3))
            learned = min(1.0, skill + 0.15 * (number - 1)) if number < 4 else 1.0
            state, choices, written = play_run(scenario, rng, learned, rng.randint(1, 4) if tries == -1 else None)
            moments, moment = [], at
            for _step in choices:
                seconds = rng.randint(8, 90)
                moment += dt.timedelta(seconds=seconds)
                moments.append((moment, seconds))
            saved = state.to_dict()
            row = {"user_id": user_id, "activity_key": key, "version_id": version_id, "number": number,
                   "state": saved, "competencies": ScenarioRun.competencies_of(saved),
                   "started_at": at, "updated_at": moment, "finished_at": None,
                   "outcome": None, "points": None, "passed": None, "revision": 1 + len(choices)}
            choice_rows = [{"version_id": version_id, "activity_key": key, "step_id": step, "reply_id": reply,
                            "at": when, "seconds": seconds}
                           for (step, reply), (when, seconds) in zip(choices, moments, strict=True)]
            # written replies wait for the trainer's review; most older ones have been reviewed
            review_rows, text_points = [], {}
            for step_id, text in written.items():
                step = scenario.step(step_id)
                rubric = [{"label": item.label, "points": item.points} for item in step.rubric]
                review = {"kind": "scenario", "user_id": user_id, "course_id": model.course.id,
                          "activity_key": key, "version_id": version_id, "item_id": step_id, "prompt": step.prompt,
                          "answer": text, "rubric": rubric,
                          "self_check": sorted(rng.sample(range(len(rubric)), rng.randint(0, len(rubric)))),
                          "max_points": float(sum(item.points for item in step.rubric)), "status": "pending",
                          "marks": [], "points": None, "comment": "", "reviewer_id": None, "created_at": moment,
                          "reviewed_at": None}
                if now - moment > dt.timedelta(days=7) and rng.random() < 0.8:
                    marks = sorted(rng.sample(range(len(rubric)), rng.randint(0, len(rubric))))
                    points = float(sum(rubric[i]["points"] for i in marks))
                    review.update(status="released", marks=marks, points=points, reviewer_id=reviewer_id,
                                  reviewed_at=min(now, moment + dt.timedelta(days=rng.randint(1, 6))),
                                  comment="Хорошо: извинились и предложили решение." if points else "")
                    text_points[step_id] = points
                review_rows.append(review)
            runs.append((row, choice_rows, review_rows))
            if not state.finished:
                break
            summary = engine.summary(scenario, state, text_points)
            row.update(finished_at=moment, outcome=summary.outcome, points=float(summary.points),
                       passed=summary.passed)
            first = first or moment
            last = (number, summary)
            if summary.passed and done and rng.random() < 0.7:  # or play again, for a better ending
                break
            if done and number >= 8:  # even the best replies do not pass: the learner is stuck here
                done, depth = False, index
                break
        if last is not None:
            number, summary = last
            passed = any(r["passed"] for r, _, _ in runs if r["activity_key"] == key)
            progress.append({"activity_key": key, "version_id": version_id, "status": "completed",
                             "started_at": first, "completed_at": first, "score": float(summary.points),
                             "result": {"passed": passed, "outcome": summary.outcome,
                                        "points": float(summary.points), "run": number,
                                        "awaiting_review": list(summary.awaiting_review)}})
        if index >= depth:
            break
    complete = depth >= len(activities)
    if complete:
        completed_at = clock.now
    enrollment = {"user_id": user_id, "course_id": model.course.id, "version_id": version_id,
                  "language": language, "last_key": last_key, "started_at": start, "updated_at": clock.now,
                  "completed_at": completed_at, "completed_version_id": version_id if complete else None}
    certificate = None
    if complete and model.rule:
        by_key = {row["activity_key"]: row for row in progress}
        scores = [by_key[key]["score"] for key, kind in activities if kind == "quiz" and key in by_key]
        score = status_core.course_score(scores)
        if certificate_core.rule_met(model.rule, True, score):
            record = {row["activity_key"]: {
                "status": row["status"], "score": row["score"], "version_id": version_id,
                "passed": (row["result"] or {}).get("passed") if row["result"] else None,
                "completed_at": row["completed_at"].isoformat() if row["completed_at"] else None}
                for row in progress}
            certificate = {
                "serial": certificate_core.new_serial(), "user_id": user_id, "course_id": model.course.id,
                "version_id": version_id, "cycle": 1, "score": score, "issued_at": completed_at,
                "expires_at": certificate_core.expiry(model.rule, completed_at), "holder_name": name,
                "course_title": model.titles[language], "language": language,
                "title": model.rule.get("title") or "", "trainer_name": model.rule.get("trainer") or "",
                "record": record, "revoke_reason": ""}
    return {"enrollment": enrollment, "progress": progress, "attempts": attempts, "runs": runs,
            "certificate": certificate}


def _insert_returning_ids(session: Session, model, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert and return the new ids in the order of ``rows``."""
    ids: list[int] = []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    for start in range(0, len(rows), BATCH):
        ids.extend(session.execute(statement, rows[start:start + BATCH]).scalars().all())
    return ids


def seed_population(session: Session, *, learners: int, groups: int, region_size: int = 5000,
                    slugs: list[str] | None = None, password_hash: str, seed: int = 1,
                    now: dt.datetime | None = None, progress=None) -> None:
    """An organisation: ``learners`` in ``groups`` stores (one trainer each), stores in regions.

    Regions (groups of kind ``department`` with a regional trainer) hold
    ``region_size`` learners each, so a trainer's dashboard can be measured at
    that size. Every published course (or ``slugs``) is assigned to every store
    and region. Assignment dates are spread over the last year; the older a
    store's assignment, the more of its learners have finished (from about 25 %
    to 85 %), 15 % to 5 % have not started and the rest are part-way. Learners read
    lessons in order, take quizzes until they pass (the questions drawn and
    graded by the quiz engine, answered right with a per-learner skill that
    grows with each retry), play role-plays with the scenario engine until they
    pass, and leave the activity in hand half done: a failed or open attempt, an
    unfinished run. Finishers hold the course's certificate (issued at
    completion, valid as the course's rule says). Site accounts and ``lms_users`` are linked
    as a sign-in would link them (``site:<id>``). The caller commits.
    """
    from lms.site.models import SiteUser

    rng = random.Random(seed)
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    report = progress or (lambda message: None)
    if slugs is None:
        slugs = list(session.scalars(select(Course.slug).where(Course.published_version_id.is_not(None),
                                                               Course.archived.is_(False)).order_by(Course.slug)))
    models = [_CourseModel(session, slug) for slug in slugs]
    regions = max(1, -(-learners // max(1, region_size)))
    per_store = -(-learners // groups)

    def site_rows(people):
        return [{"email": email, "name": name, "password_hash": password_hash, "roles": roles,
                 "is_active_account": True, "created_at": now} for email, name, roles in people]

    def lms_rows(people, ids, extra):
        return [{"external_id": f"site:{sid}", "email": email, "name": name, "roles": roles, "is_active": True,
                 "created_at": now, "updated_at": now, **extra(index)}
                for index, ((email, name, roles), sid) in enumerate(zip(people, ids, strict=True))]

    # staff who are not learners: HR, an admin, one trainer per region and per store
    staff = [("hr@example.com", "Отдел кадров", "hr"), ("admin@example.com", "Администратор", "admin")]
    staff += [(regional_email(r + 1), f"Региональный тренер {r + 1}", "trainer") for r in range(regions)]
    staff_ids = _insert_returning_ids(session, User, lms_rows(
        staff, _insert_returning_ids(session, SiteUser, site_rows(staff)),
        lambda i: {"department": f"Регион {i - 1}" if i >= 2 else "Head office"}))
    regional_ids = staff_ids[2:]
    store_of = [min(i // per_store, groups - 1) for i in range(learners)]
    region_of_store = [min(g * per_store // max(1, region_size), regions - 1) for g in range(groups)]
    trainers = [(trainer_email(g + 1), f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", "trainer")
                for g in range(groups)]
    trainer_ids = _insert_returning_ids(session, User, lms_rows(
        trainers, _insert_returning_ids(session, SiteUser, site_rows(trainers)),
        lambda g: {"department": f"Регион {region_of_store[g] + 1}",
                   "manager_id": regional_ids[region_of_store[g]], "employee_id": f"T{g + 1:05d}"}))
    report(f"staff: {len(staff) + len(trainers)} accounts")

    region_ids = _insert_returning_ids(session, Group, [
        {"name": f"Регион {r + 1}", "kind": "department", "created_at": now} for r in range(regions)])
    store_ids = _insert_returning_ids(session, Group, [
        {"name": f"Магазин {g + 1:03d}", "kind": "store", "created_at": now} for g in range(groups)])
    _bulk(session, GroupMember, [{"group_id": region_ids[r], "user_id": regional_ids[r], "role": "trainer",
                                  "joined_at": now} for r in range(regions)] +
          [{"group_id": store_ids[g], "user_id": trainer_ids[g], "role": "trainer", "joined_at": now}
           for g in range(groups)])
    # each store got the courses on a day of the last year; the regions when the first store did
    assigned_at = [now - dt.timedelta(days=rng.randint(14, 360), hours=rng.randint(0, 8)) for _ in range(groups)]
    assignments = []
    for model in models:
        for r in range(regions):
            first = min((assigned_at[g] for g in range(groups) if region_of_store[g] == r), default=now)
            assignments.append({"course_id": model.course.id, "group_id": region_ids[r], "created_at": first,
                                "assigned_by_id": regional_ids[r], "due_date": None})
        for g in range(groups):
            assignments.append({"course_id": model.course.id, "group_id": store_ids[g], "created_at": assigned_at[g],
                                "assigned_by_id": trainer_ids[g],
                                "due_date": (assigned_at[g] + dt.timedelta(days=45)).date()})
    _bulk(session, Assignment, assignments)

    for chunk_start in range(0, learners, CHUNK):
        indexes = range(chunk_start, min(learners, chunk_start + CHUNK))
        people = [(learner_email(i + 1), f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", "learner")
                  for i in indexes]
        site_ids = _insert_returning_ids(session, SiteUser, site_rows(people))
        user_ids = _insert_returning_ids(session, User, lms_rows(people, site_ids, lambda k, indexes=indexes: {
            "department": f"Регион {region_of_store[store_of[indexes[k]]] + 1}",
            "manager_id": trainer_ids[store_of[indexes[k]]], "employee_id": f"E{indexes[k] + 1:06d}"}))
        members = []
        for k, uid in enumerate(user_ids):
            store = store_of[indexes[k]]
            members.append({"group_id": store_ids[store], "user_id": uid, "role": "member", "joined_at": now})
            members.append({"group_id": region_ids[region_of_store[store]], "user_id": uid, "role": "member",
                            "joined_at": now})
        _bulk(session, GroupMember, members)
        for model in models:
            work = []
            for k, uid in enumerate(user_ids):
                store = store_of[indexes[k]]
                age = min(1.0, (now - assigned_at[store]).days / 270)
                simulated = _simulate_learner(model, uid, people[k][1], trainer_ids[store], rng,
                                              assigned_at[store], now,
                                              finish_share=0.25 + 0.6 * age, idle_share=0.15 - 0.1 * age)
                if simulated is not None:
                    work.append(simulated)
            enrollment_ids = _insert_returning_ids(session, Enrollment, [w["enrollment"] for w in work])
            progress_rows, attempt_rows, run_rows, choice_lists, review_lists = [], [], [], [], []
            for enrollment_id, w in zip(enrollment_ids, work, strict=True):
                # bulk inserts skip the model's validator that fills ``passed``
                progress_rows += [{**row, "enrollment_id": enrollment_id,
                                   "passed": ActivityProgress.passed_of(row["result"])}
                                  for row in w["progress"]]
                attempt_rows += [{**row, "enrollment_id": enrollment_id} for row in w["attempts"]]
                for row, choices, reviews in w["runs"]:
                    run_rows.append({**row, "enrollment_id": enrollment_id})
                    choice_lists.append(choices)
                    review_lists.append(reviews)
            _bulk(session, ActivityProgress, progress_rows)
            _bulk(session, QuizAttempt, attempt_rows)
            run_ids = _insert_returning_ids(session, ScenarioRun, run_rows)
            _bulk(session, ScenarioChoice, [{**choice, "run_id": run_id}
                                            for run_id, choices in zip(run_ids, choice_lists, strict=True)
                                            for choice in choices])
            _bulk(session, Review, [{**review, "source_id": run_id}
                                    for run_id, reviews in zip(run_ids, review_lists, strict=True)
                                    for review in reviews])
            _bulk(session, Certificate, [w["certificate"] for w in work if w["certificate"]])
        report(f"learners: {indexes[-1] + 1} of {learners}")
    session.flush()


def _prepare(app) -> None:
    """Create or upgrade the schema as ``flask lms init`` does, then empty every table."""
    from lms.site.models import db

    result = app.test_cli_runner().invoke(args=["lms", "init"])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    with app.app_context():
        empty_tables(db.engine)


def empty_tables(engine) -> None:
    """Delete every row of the plugin's and the site's tables (a scratch database only)."""
    from sqlalchemy import text

    from lms.models import Base

    tables = [t.name for t in reversed(Base.metadata.sorted_tables)] + ["site_users"]
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(text("PRAGMA foreign_keys=ON"))


def row_counts(session: Session) -> dict[str, int]:
    """Rows per table of the plugin and the site, largest first."""
    from sqlalchemy import func, table

    from lms.models import Base

    names = [t.name for t in Base.metadata.sorted_tables] + ["site_users"]
    counts = {name: session.scalar(select(func.count()).select_from(table(name))) for name in names}
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def main(argv: list[str] | None = None) -> None:
    import argparse
    import os
    import sys
    import tempfile
    import time
    from pathlib import Path

    from werkzeug.security import generate_password_hash

    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description="Seed a scratch database with a whole organisation "
                                                 "(learners, groups, trainers, progress) for the load benchmark.")
    parser.add_argument("--database-url", default="sqlite:////tmp/lms-bench/bench.sqlite",
                        help="SQLAlchemy URL of a scratch database; its LMS tables are emptied "
                             "(default: %(default)s)")
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=200, help="stores, each with its own trainer")
    parser.add_argument("--region-size", type=int, default=5000,
                        help="learners per region (a large group with a regional trainer)")
    parser.add_argument("--courses", default=str(root / "courses"), help="folder of courses to import")
    parser.add_argument("--password", default=PASSWORD, help="everyone's password (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = parser.parse_args(argv)
    if args.learners < 1 or args.groups < 1 or args.groups > args.learners:
        parser.error("--learners and --groups must be positive, with at least one learner per group")

    sys.path.insert(0, str(root))
    from lms.site import create_app, database_url
    from lms.site.models import db

    url = database_url(args.database_url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("LMS_INSTANCE_PATH", tempfile.mkdtemp(prefix="lms-seed-"))
    app = create_app({"SECRET_KEY": "seed", "SQLALCHEMY_DATABASE_URI": url})
    started = time.perf_counter()
    _prepare(app)
    result = app.test_cli_runner().invoke(args=["lms", "courses", "import", args.courses])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    print(result.output.strip())
    password_hash = generate_password_hash(args.password, method="scrypt")  # once: scrypt is slow on purpose

    def say(message: str) -> None:
        print(f"  {time.perf_counter() - started:6.1f} s  {message}", flush=True)

    with app.app_context():
        seed_population(db.session, learners=args.learners, groups=args.groups, region_size=args.region_size,
                        password_hash=password_hash, seed=args.seed, progress=say)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # what autovacuum would do shortly after a bulk load: give the planner statistics
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
        seeded = time.perf_counter() - started
        counts = row_counts(db.session)
        dialect = db.engine.dialect.name
    print(f"\ndatabase  {dialect}: {app.config['SQLALCHEMY_DATABASE_URI']}")
    width = max(map(len, counts))
    for name, count in counts.items():
        print(f"  {name:<{width}}  {count:>9,}")
    print(f"  {'total':<{width}}  {sum(counts.values()):>9,}")
    print(f"seeded in {seeded:.1f} s")
    print(f"accounts  {learner_email(1)} … {learner_email(args.learners)}, {trainer_email(1)} … "
          f"{trainer_email(args.groups)}, {regional_email(1)}…, hr@example.com, admin@example.com; "
          f"password '{args.password}'")


if __name__ == "__main__":
    main()
