"""Load benchmark: the LMS under gunicorn, driven by wrk over loopback, against a plain Flask yardstick.

    .venv/bin/python bench/seed.py --database-url postgresql://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1:5432/bench

Needs a database seeded by ``bench/seed.py`` and ``wrk`` (``apt-get install wrk``).
Starts gunicorn with the project's ``gunicorn.conf.py`` (its workers, threads,
timeouts and access log; ``WORKERS``/``THREADS``/``PRELOAD_APP``/``MAX_REQUESTS`` from
the environment as in production) three times on 127.0.0.1: the LMS (``wsgi:app``
through ``bench/served.py``, which counts SQL statements), a Flask "hello world"
(``bench/hello.py``) and the anchor (``bench/anchor.py``: one row by primary key through
Flask-SQLAlchemy from the same database, a 12 KB template with a loop). Signs people in through the real login form
(session cookie and CSRF token per person), prepares open quiz attempts and
fresh role-play runs for a pool of learners, then runs each scenario with wrk
for a bounded time:

- ``lesson``: a learner opens a lesson page (records the visit);
- ``quiz-save``: a learner saves one answer of an open attempt (the page's fetch call);
- ``quiz-submit``: a learner submits an open attempt (graded, completion and
  certificate checked); every request submits a different attempt;
- ``quiz-save-users``, ``quiz-submit-users``: the same at the same number of
  connections, each a user who waits about a second (``--think``) between requests:
  the latency at a given load rather than at saturation;
- ``scenario-step``: a learner replies at the current step of a role-play run;
  every request is the next step of some run;
- ``dashboard-store``: store trainers open their group's dashboard (50 learners by default);
- ``dashboard-region``: a regional trainer opens a 5,000-learner group's dashboard, one at a time;
- ``export``: HR downloads the completion report as CSV (every row).

Each reports requests per second, p50 and p99 latency, the workers' CPU milliseconds and
the SQL statements per request (CPU from /proc: live workers' utime+stime plus the
master's cutime+cstime, which holds recycled workers' time), errors (connection
errors, timeouts, any status but the expected one, and requests the app
refused: a submission that did not submit, a reply that did not move the run
on, a traceback in the server log) and the throughput as a share of "hello
world" and of the anchor at the same number of connections, measured in the same run
(before the scenarios, and again after them at 50 connections). Prints a Markdown table
and the targets of issue 21 (docs/performance.md); exits 1 if any request failed. The
scenarios write to the database (use a scratch one); ``flask lms init`` is run
first, as after a deployment.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select  # noqa: E402

from bench import sqlcount  # noqa: E402
from bench.seed import PASSWORD, learner_answer, learner_email, play_run, regional_email, trainer_email  # noqa: E402
from lms.models import Group, GroupMember, QuizAttempt, ScenarioChoice, User  # noqa: E402
from lms.site import database_url  # noqa: E402

HOST = "127.0.0.1"
#: Flask-Login's "strong" session protection ties a session to the browser's User-Agent
USER_AGENT = "lms-bench"
SLUG = "service-excellence"
LUA = ROOT / "bench" / "wrk" / "replay.lua"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"')
SERVER_ERRORS = re.compile(r"Traceback|Unhandled error|\[ERROR\]|WORKER TIMEOUT|database is locked")

#: the targets of issue 21 (docs/performance.md, "Issue 21: measuring against an anchor")
LESSON_SHARE_OF_HELLO = 0.10
ANCHOR_SHARE = {"lesson": 0.50, "quiz-save": 0.50, "scenario-step": 0.50}
QUIZ_P99_MS = 100
STORE_DASHBOARD_CPU_MS = 10
REGION_DASHBOARD_MS = 150
WORKER_RSS_MB = 145
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- HTTP with real sessions -------------------------------------------------------------------

def call(port: int, method: str, path: str, cookie: str | None = None, form=None,
         headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    body = None
    if cookie:
        sent["Cookie"] = cookie
    if form is not None:
        body = urlencode(form, doseq=True)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def session_cookie(headers: http.client.HTTPMessage) -> str | None:
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith("session="):
            return value.split(";", 1)[0]
    return None


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return next(group for group in match.groups() if group)


@dataclass(frozen=True)
class Person:
    email: str
    cookie: str
    csrf: str


def sign_in(port: int, email: str, password: str) -> Person:
    """Sign in through the login form as a browser would; return the session cookie and a CSRF token."""
    status, headers, body = call(port, "GET", "/login")
    cookie = session_cookie(headers)
    status, headers, body = call(port, "POST", "/login", cookie,
                                 {"csrf_token": csrf_of(body), "email": email, "password": password})
    if status != 302:
        raise RuntimeError(f"signing in as {email} answered {status} (seeded with another password?)")
    cookie = session_cookie(headers) or cookie
    status, _headers, body = call(port, "GET", "/training/", cookie)
    if status != 200:
        raise RuntimeError(f"{email}'s home page answered {status} after signing in")
    return Person(email, cookie, csrf_of(body))


# -- servers ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with the project's gunicorn.conf.py, bound to loopback."""

    def __init__(self, name: str, app: str, env: dict[str, str], logs: Path, count_sql: bool = False):
        self.name, self.app, self.port = name, app, free_port()
        self.env = {**os.environ, **env, "BIND": f"{HOST}:{self.port}"}
        self.sql_dir: Path | None = None
        if count_sql:  # bench/sqlcount.py: each worker writes its statement count to a file
            self.sql_dir = logs / "sql"
            self.env.update(BENCH_SQL_DIR=str(self.sql_dir), BENCH_SQL_NAME=name)
        self.access_log, self.error_log = logs / f"{name}-access.log", logs / f"{name}-error.log"
        self.process: subprocess.Popen | None = None

    def start(self, ready_path: str) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with open(self.access_log, "ab") as out, open(self.error_log, "ab") as err:
            self.process = subprocess.Popen([str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), self.app],
                                            cwd=ROOT, env=self.env, stdout=out, stderr=err)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited; see {self.error_log}")
            try:
                if call(self.port, "GET", ready_path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} server did not answer within 120 s; see {self.error_log}")

    def workers(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def cpu_seconds(self) -> float:
        """The workers' CPU time so far (user + system, from the kernel): the live workers' own,
        plus that of workers recycled by ``max_requests`` (the master's ``cutime``/``cstime``,
        which the kernel adds up as it reaps them). The master's own time is left out."""
        assert self.process is not None
        total = sum(_proc_stat(self.process.pid)[13:15])
        for pid in self.workers():
            try:
                total += sum(_proc_stat(pid)[11:13])
            except OSError:  # exited meanwhile: counted in the master's cutime once reaped
                pass
        return total / CLOCK_TICKS

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.workers():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
            except OSError:
                pass
        return sizes

    def statements(self) -> int:
        return sqlcount.total(self.sql_dir, self.name) if self.sql_dir else 0

    def log_size(self) -> int:
        return self.error_log.stat().st_size

    def errors_since(self, offset: int) -> list[str]:
        with open(self.error_log, encoding="utf-8", errors="replace") as log:
            log.seek(offset)
            return [line.rstrip() for line in log if SERVER_ERRORS.search(line)]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # gunicorn's graceful shutdown
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _proc_stat(pid: int) -> list[int]:
    """/proc/<pid>/stat from its third field on (state, ppid, ...), as numbers where they are:
    [11:13] are utime and stime, [13:15] cutime and cstime, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return [int(f) if f.lstrip("-").isdigit() else 0 for f in fields]


# -- the work prepared for the learners ---------------------------------------------------------

def answer_fields(question: dict, answer) -> list[tuple[str, str]]:
    """The form fields the quiz page posts for ``answer`` (see ``lms.core.quiz.read_answer``); ``question``
    and ``answer`` name choices by the attempt's tokens, as the page does."""
    name = f"q-{question['id']}"
    kind = question["type"]
    if kind == "multiple":
        return [(name, option) for option in answer]
    if kind == "matching":
        return [(f"{name}-{left}", right) for left, right in answer.items()]
    if kind == "ordering":
        return [(f"{name}-{item}", str(position)) for position, item in enumerate(answer, 1)]
    return [(name, str(answer))]


def other_answer(question, plan, rng: random.Random, *taken):
    """An answer to ``question`` unlike those ``taken`` (a learner changing their mind), if there is one."""
    candidate = taken[0]
    for _ in range(50):
        candidate = learner_answer(question, plan, rng, 0.0)
        if candidate not in taken:
            break
    return candidate


@dataclass
class Work:
    """What one learner will do: quiz saves and submissions, role-play replies (form fields)."""

    quiz_saves: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)   # (path, fields)
    quiz_saves_paced: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    quiz_submits: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    runs: list[tuple[str, list[list[tuple[str, str]]]]] = field(default_factory=list)     # (path, steps)


def prepare_work(url: str, emails: list[str], seed: int, secret: str) -> tuple[dict[str, Work], list[int], list[int]]:
    """Open a quiz attempt (its answers saved) and start a role-play run for every learner of the
    pool on every quiz and role-play of the course, through the app's own services; plan each
    run's replies with the scenario engine. ``secret`` is the served app's secret key: the quiz pages
    name choices by tokens derived from it. Returns the work, the attempt ids and the run ids."""
    from lms.activities.quiz import service as quizzes
    from lms.activities.scenario import service as scenarios
    from lms.services import learning
    from lms.site import create_app
    from lms.state import db_session

    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
    result = app.test_cli_runner().invoke(args=["lms", "init"])  # as after a deployment: schema up to date
    if result.exit_code != 0:
        raise RuntimeError(f"flask lms init failed: {result.output}")
    work: dict[str, Work] = {}
    attempt_ids, run_ids = [], []
    with app.app_context():
        session = db_session()
        users = {u.email: u for u in session.scalars(select(User).where(User.email.in_(emails)))}
        for count, email in enumerate(emails, 1):
            user = users[email]
            course, version, enrollment = learning.accessible_course(session, user, SLUG, True)
            language = enrollment.language if enrollment else version.manifest["default_language"]
            enrollment = learning.ensure_enrollment(session, user, course, version, language)
            mine = work[email] = Work()
            base = f"/training/courses/{SLUG}/"
            for module in version.manifest["editions"][language]["modules"]:
                for activity in module["activities"]:
                    key, kind = activity["key"], activity["kind"]
                    if kind not in ("quiz", "scenario"):
                        continue
                    content = learning.load_activity(session, version, language, key)
                    if kind == "quiz":
                        history = quizzes.attempts(session, enrollment, key)
                        attempt = history[-1] if history and history[-1].status == "open" else \
                            quizzes.start(session, enrollment, content, version, language)
                        quiz = quizzes.quiz_of(content)
                        plan = quizzes.plan_of(attempt)
                        skill = rng.uniform(0.6, 1.0)
                        answers = {qid: learner_answer(quiz.question(qid), plan, rng, skill)
                                   for qid in plan.question_ids if quiz.question(qid).graded}
                        # every answer is saved already and each save request changes one, so saves
                        # write: the flat-out run to a second answer (and back when its requests start
                        # over), the paced run, which starts from the other end, to a third
                        quizzes.save_answers(attempt, quiz, answers)
                        session.flush()
                        second = {qid: other_answer(quiz.question(qid), plan, rng, answer)
                                  for qid, answer in answers.items()}
                        third = {qid: other_answer(quiz.question(qid), plan, rng, answer, second[qid])
                                 for qid, answer in answers.items()}
                        tokens = quizzes.tokens_for(attempt, app.secret_key)
                        for saves, rounds in ((mine.quiz_saves, (second, answers)), (mine.quiz_saves_paced, (third,))):
                            for chosen in rounds:
                                for qid, answer in chosen.items():
                                    question = tokens.public_question(quiz, qid, plan)
                                    shown = tokens.to_browser(quiz.question(qid), answer)
                                    saves.append((f"{base}{key}/quiz/save", [
                                        ("attempt", str(attempt.id)), ("question", qid),
                                        *answer_fields(question, shown),
                                        ("index", str(question["number"])), ("action", "next")]))
                        mine.quiz_submits.append((f"{base}{key}/quiz/submit", [("attempt", str(attempt.id))]))
                        attempt_ids.append(attempt.id)
                    else:
                        run = scenarios.start_run(session, enrollment, content, version)
                        session.flush()
                        _state, choices, written = play_run(scenarios.scenario_of(content), rng, rng.uniform(0.5, 1))
                        steps = []
                        for step, reply in choices:
                            fields = [("run", str(run.id)), ("step", step)]
                            if reply == "text":
                                fields += [("mode", "text"), ("text", written[step]), ("check", "0")]
                            else:
                                fields.append(("reply", reply))
                            steps.append(fields)
                        mine.runs.append((f"{base}{key}/reply", steps))
                        run_ids.append(run.id)
            if count % 50 == 0:
                session.commit()
        session.commit()
        from lms.site.models import db

        db.engine.dispose()
    return work, attempt_ids, run_ids


# -- scenarios ----------------------------------------------------------------------------------

@dataclass
class Scenario:
    name: str
    what: str
    connections: int
    lines: list[list[tuple[str, str, str, str, str]]]  # per wrk thread: method, path, cookie, body, header
    status: int = 200
    check: str = "-"
    once: bool = False
    think_ms: int = 0
    result: dict | None = None
    effects: int | None = None  # rows the requests changed (submissions, saved answers, replies)
    refused: int = 0
    server_errors: list[str] = field(default_factory=list)


def post(person: Person, path: str, fields: list[tuple[str, str]], header: str = "") -> tuple[str, str, str, str, str]:
    return ("POST", path, person.cookie, urlencode([("csrf_token", person.csrf), *fields]), header)


def interleave(queues: list[list], keep_apart: int) -> list:
    """Round-robin over the queues (one item of each in turn), so consecutive items of one queue are
    about ``len(queues)`` requests apart; stops when fewer than ``keep_apart`` queues are left,
    since their next items would follow each other too closely."""
    out, level = [], 0
    while True:
        alive = [q for q in queues if level < len(q)]
        if len(alive) < max(1, keep_apart) or not alive:
            return out
        out.extend(q[level] for q in alive)
        level += 1


def split(items: list, threads: int) -> list[list]:
    return [items[i::threads] for i in range(threads)]


def run_wrk(scenario: Scenario, port: int, duration: int, directory: Path) -> dict:
    threads = len(scenario.lines)
    prefix = directory / scenario.name
    for index, lines in enumerate(scenario.lines, 1):
        with open(f"{prefix}.{index}", "w", encoding="utf-8") as out:
            for line in lines:
                out.write("\t".join(line) + "\n")
    command = ["wrk", f"-t{threads}", f"-c{scenario.connections}", f"-d{duration}s", "--timeout", "30s",
               "-s", str(LUA), f"http://{HOST}:{port}", "--", str(prefix), str(scenario.status), scenario.check,
               "1" if scenario.once else "0"]
    env = {**os.environ, "THINK_MS": str(scenario.think_ms),
           "CONNECTIONS_PER_THREAD": str(-(-scenario.connections // threads))} if scenario.think_ms else None
    output = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    for line in output.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line.removeprefix("RESULT "))
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            return result
    raise RuntimeError(f"wrk failed for {scenario.name}:\n{output.stdout}\n{output.stderr}")


def errors_of(scenario: Scenario) -> int:
    r = scenario.result
    return (r["connect"] + r["read"] + r["write"] + r["timeout"] + r["unexpected"] + r["exhausted"]
            + scenario.refused + len(scenario.server_errors))


@dataclass
class World:
    """What the seeded database holds that the scenarios need."""

    dialect: str
    learners: int
    stores: list[int]
    store_size: int
    region_id: int | None
    region_size: int
    learner_ids: list[int] = field(default_factory=list)  # the anchor's rows


def survey(url: str, trainers: int) -> World:
    engine = create_engine(url)
    with engine.connect() as connection:
        def members(group_id: int) -> int:
            return connection.scalar(select(func.count()).select_from(GroupMember).where(
                GroupMember.group_id == group_id, GroupMember.role == "member"))

        learners = connection.scalar(select(func.count()).select_from(User).where(User.roles == "learner"))
        region = connection.scalar(select(Group.id).where(Group.kind == "department").order_by(Group.id).limit(1))
        stores = list(connection.scalars(select(Group.id).where(Group.kind == "store").order_by(Group.id)
                                         .limit(trainers)))
        world = World(engine.dialect.name, learners or 0, stores, members(stores[0]) if stores else 0,
                      region, members(region) if region else 0,
                      list(connection.scalars(select(User.id).where(User.roles == "learner").order_by(User.id)
                                              .limit(1000))))
    engine.dispose()  # SQLite: no connection of ours stays open on the file
    return world


@dataclass
class Accounts:
    """Everyone signed in: session cookies and CSRF tokens."""

    learners: list[Person]
    trainers: list[Person]
    regional: Person
    hr: Person


def sign_everyone_in(port: int, pool: list[str], trainers: int, password: str) -> Accounts:
    with ThreadPoolExecutor(8) as executor:  # scrypt makes each sign-in cost ~70 ms of CPU
        learners = list(executor.map(lambda email: sign_in(port, email, password), pool))
        store_trainers = list(executor.map(lambda g: sign_in(port, trainer_email(g + 1), password), range(trainers)))
    return Accounts(learners, store_trainers, sign_in(port, regional_email(1), password),
                    sign_in(port, "hr@example.com", password))


LESSONS = [("01-formula", "01-reality-minus-expectations"), ("01-formula", "02-what-shapes-expectations"),
           ("02-three-keys", "01-satisfied-is-not-loyal"), ("03-proposal", "01-cost-of-a-lost-lead"),
           ("04-keeping-your-word", "01-said-it-did-it"),
           ("05-outstanding-experience", "01-expected-versus-outstanding")]


def build_scenarios(args, world: World, work: dict[str, Work], people: Accounts) -> list[Scenario]:
    """Every scenario with each wrk thread's requests, in the order they are run."""
    threads, connections = args.threads, args.connections
    by_thread = split(people.learners, threads)
    # a learner's next request waits until this many others of the thread went out, so the one
    # before it has been answered (the thread has connections / threads requests in flight)
    keep_apart = 8 * connections // threads + 1

    def learner_queues(mine: list[Person], items) -> list[list]:
        """One queue per learner and quiz or role-play, ordered so that one learner's queues lie far apart."""
        queues = [[post(p, path, fields, header) for path, fields, header in items(p, index)]
                  for index in range(5) for p in mine]
        return [q for q in queues if q]

    def saves(field_name: str):
        def of(p: Person, index: int):
            if index >= len(work[p.email].quiz_submits):
                return []
            path = work[p.email].quiz_submits[index][0].removesuffix("/submit") + "/save"
            return [(path, fields, "X-Requested-With: fetch")
                    for save_path, fields in getattr(work[p.email], field_name) if save_path == path]
        return of

    def submits(p: Person, index: int):
        return [(*work[p.email].quiz_submits[index], "")] if index < len(work[p.email].quiz_submits) else []

    def replies(p: Person, index: int):
        if index >= len(work[p.email].runs):
            return []
        path, steps = work[p.email].runs[index]
        return [(path, step, "") for step in steps]

    paced = f"the same, {connections} users thinking ~{args.think} ms between requests"
    # submissions are used up: the paced run gets learners of its own, enough for half as many
    # again as its users can send (each learner has 5 attempts), the flat-out run the others
    per_thread = -(-connections // threads)
    paced_learners = -(-int(per_thread * args.duration * 1000 / max(args.think, 1) * 1.5) // 5)

    def flat_out_and_paced(mine: list[Person]) -> tuple[list[Person], list[Person]]:
        cut = len(mine) - min(paced_learners, len(mine) // 2)
        return mine[:cut], mine[cut:]

    dashboards = [("GET", f"/training/trainer/groups/{gid}", t.cookie, "", "")
                  for gid, t in zip(world.stores, people.trainers, strict=True)]
    scenarios = [
        Scenario("lesson", "a learner opens a lesson", connections, [
            [("GET", f"/training/courses/{SLUG}/{module}/{lesson}", p.cookie, "", "")
             for module, lesson in LESSONS for p in mine] for mine in by_thread]),
        Scenario("quiz-save", "a learner saves a quiz answer", connections,
                 [interleave(learner_queues(mine, saves("quiz_saves")), keep_apart) for mine in by_thread],
                 check='body:"errors":{}'),
        # from the pool's other end, with answers unlike those the run above left
        Scenario("quiz-save-users", paced, connections,
                 [interleave(learner_queues(mine[::-1], saves("quiz_saves_paced")), keep_apart)
                  for mine in by_thread], check='body:"errors":{}', think_ms=args.think),
        Scenario("quiz-submit", "a learner submits a quiz", connections,
                 [interleave(learner_queues(flat_out_and_paced(mine)[0], submits), 1) for mine in by_thread],
                 status=302, check="location:/attempts/", once=True),
        Scenario("quiz-submit-users", paced, connections,
                 [interleave(learner_queues(flat_out_and_paced(mine)[1], submits), 1) for mine in by_thread],
                 status=302, check="location:/attempts/", once=True, think_ms=args.think),
        Scenario("scenario-step", "a learner replies in a role-play", connections,
                 [interleave(learner_queues(mine, replies), keep_apart) for mine in by_thread],
                 status=302, check="nocookie:", once=True),
        Scenario("dashboard-store", f"a store trainer opens the group dashboard ({world.store_size:,} learners)",
                 min(10, len(dashboards)), split(dashboards, min(threads, len(dashboards)))),
        Scenario("dashboard-region", f"a regional trainer opens the group dashboard ({world.region_size:,} learners)",
                 1, [[("GET", f"/training/trainer/groups/{world.region_id}", people.regional.cookie, "", "")]]),
        Scenario("export", "HR exports the completion report (CSV)", 2,
                 [[("GET", "/training/reports/completions.csv", people.hr.cookie, "", "")]] * min(threads, 2)),
    ]
    return [s for s in scenarios if not args.only or s.name in args.only]


def run_scenarios(scenarios: list[Scenario], lms: Server, url: str, attempt_ids: list[int], run_ids: list[int],
                  duration: int, directory: Path) -> None:
    """Run each scenario with wrk and check in the database that the app did what was asked."""
    engine = create_engine(url)
    with engine.connect() as connection:
        def submitted() -> int:
            return connection.scalar(select(func.count()).select_from(QuizAttempt).where(
                QuizAttempt.id.in_(attempt_ids), QuizAttempt.status != "open"))

        def saved() -> int:  # the attempts' optimistic-lock counter grows by one per write
            return connection.scalar(select(func.coalesce(func.sum(QuizAttempt.revision), 0)).where(
                QuizAttempt.id.in_(attempt_ids)))

        def replies() -> int:
            return connection.scalar(select(func.count()).select_from(ScenarioChoice).where(
                ScenarioChoice.run_id.in_(run_ids)))

        effect = {"quiz-submit": submitted, "quiz-submit-users": submitted, "scenario-step": replies,
                  "quiz-save": saved, "quiz-save-users": saved}
        for scenario in scenarios:
            offset = lms.log_size()
            count = effect.get(scenario.name)
            before = count() if count else 0
            connection.rollback()
            scenario.result = measured(lms, scenario, duration, directory)
            if count:
                scenario.effects = count() - before
                connection.rollback()
                if scenario.once:  # each request must have submitted an attempt or moved a run on
                    scenario.refused = max(0, scenario.result["requests"] - scenario.effects)
            scenario.server_errors = lms.errors_since(offset)
            print(f"{scenario.name:<17} {line_of(scenario.result)}  errors {errors_of(scenario)}", flush=True)
    engine.dispose()


def measured(server: Server, scenario: Scenario, duration: int, directory: Path) -> dict:
    """Run ``scenario`` with wrk against ``server``; add the workers' CPU milliseconds and the SQL
    statements per answered request (requests in flight when wrk stops are served but not
    counted by wrk: at most ``connections`` of them, a percent or two of a run)."""
    cpu, statements = server.cpu_seconds(), server.statements()
    result = run_wrk(scenario, server.port, duration, directory)
    time.sleep(1)  # requests in flight when wrk stopped; the statement counts are written every 0.5 s
    answered = max(result["requests"], 1)
    result["cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / answered
    result["sql"] = (server.statements() - statements) / answered if server.sql_dir else None
    return result


def line_of(r: dict) -> str:
    sql = "" if r.get("sql") is None else f"  SQL {r['sql']:5.1f}"
    return (f"{r['rps']:8.1f} req/s  p50 {r['p50_us'] / 1000:7.1f} ms  p99 {r['p99_us'] / 1000:7.1f} ms  "
            f"CPU {r['cpu_ms']:6.2f} ms{sql}")


@dataclass
class Yardstick:
    """Hello world or the anchor: served like the LMS, run at each number of connections the
    scenarios use, before them and again at the end."""

    name: str
    what: str
    server: Server
    lines: list[tuple[str, str, str, str, str]]
    runs: dict[int, list[dict]] = field(default_factory=dict)
    paced: dict | None = None

    def run(self, connections: int, threads: int, duration: int, directory: Path, think_ms: int = 0) -> dict:
        per_thread = max(1, min(threads, connections))
        scenario = Scenario(f"{self.name}-{connections}", self.what, connections,
                            split(self.lines, per_thread) if len(self.lines) >= per_thread
                            else [self.lines] * per_thread, think_ms=think_ms)
        result = measured(self.server, scenario, duration, directory)
        if think_ms:
            self.paced = result
        else:
            self.runs.setdefault(connections, []).append(result)
        label = f"~{think_ms} ms think time" if think_ms else "connections"
        print(f"{self.name:<12} {connections:>3} {label}: {line_of(result)}", flush=True)
        return result

    def mean(self, connections: int, key: str) -> float:
        values = [r[key] for r in self.runs.get(connections, []) if r.get(key) is not None]
        return sum(values) / len(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a database seeded by bench/seed.py (it is written to)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per scenario (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent learners (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default: %(default)s)")
    parser.add_argument("--pool", type=int, default=1000,
                        help="learners signed in, each with 5 quiz attempts to submit and 5 role-plays to play "
                             "(default: %(default)s)")
    parser.add_argument("--think", type=int, default=1000,
                        help="mean think time in ms of the paced quiz runs (default: %(default)s)")
    parser.add_argument("--trainers", type=int, default=20, help="store trainers signed in (default: %(default)s)")
    parser.add_argument("--only", nargs="+", help="run only these scenarios")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--app", default="wsgi:app", help="the WSGI app gunicorn serves (default: %(default)s)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    url = database_url(args.database_url)
    world = survey(url, args.trainers)
    if not world.learners or not world.stores or world.region_id is None:
        sys.exit("the database has no learners, stores or regions: seed it with bench/seed.py first")
    work_dir = Path(tempfile.mkdtemp(prefix="lms-load-"))
    print(f"database     {world.dialect}: {world.learners:,} learners; pool of {args.pool} signed in; "
          f"logs in {work_dir}", flush=True)
    pool = [learner_email(1 + i * world.learners // args.pool) for i in range(args.pool)]
    started = time.perf_counter()
    secret = os.urandom(16).hex()
    work, attempt_ids, run_ids = prepare_work(url, pool, seed=7, secret=secret)
    print(f"prepared     {len(attempt_ids)} open quiz attempts, {len(run_ids)} role-play runs "
          f"({time.perf_counter() - started:.0f} s)", flush=True)

    env = {"DATABASE_URL": url, "SECRET_KEY": secret, "LMS_INSTANCE_PATH": str(work_dir / "instance"),
           # the set-up signs hundreds of people in from one address; the limit is not what is measured
           "LMS_LOGIN_RATE_LIMIT": "100000 per minute", "LMS_RATELIMIT_KEY_PREFIX": f"lms-bench-{os.getpid()}",
           "LMS_DEFAULT_LOCALE": "ru", "BENCH_APP": args.app}
    try:
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
        env["LMS_REDIS_URL"] = "redis://127.0.0.1:6379/0"  # as in production: limits shared by the workers
    except Exception:  # noqa: BLE001 - the benchmark runs without Redis too
        pass
    lms = Server("lms", "bench.served:app", env, work_dir, count_sql=True)
    hello = Yardstick("hello", "hello world (Flask, same gunicorn)", Server("hello", "bench.hello:app", {}, work_dir),
                      [("GET", "/", "", "", "")])
    anchor = Yardstick("anchor", "anchor (one row by primary key, 12 KB template)",
                       Server("anchor", "bench.anchor:app", {"DATABASE_URL": url}, work_dir, count_sql=True),
                       [("GET", f"/people/{uid}", "", "", "") for uid in world.learner_ids])
    yardsticks = (hello, anchor)
    scenarios: list[Scenario] = []
    memory: list[float] = []
    try:
        lms.start("/login")
        for stick in yardsticks:
            stick.server.start("/")
        started = time.perf_counter()
        people = sign_everyone_in(lms.port, pool, len(world.stores), args.password)
        print(f"signed in    {len(people.learners)} learners, {len(people.trainers)} trainers, a regional trainer "
              f"and HR ({time.perf_counter() - started:.0f} s)", flush=True)
        scenarios = build_scenarios(args, world, work, people)
        for count in sorted({s.connections for s in scenarios if not s.think_ms}, reverse=True):
            for stick in yardsticks:
                stick.run(count, args.threads, args.duration, work_dir)
        if any(s.think_ms for s in scenarios):  # the serving set-up's own latency at the same pace
            hello.run(args.connections, args.threads, args.duration, work_dir, args.think)
        run_scenarios(scenarios, lms, url, attempt_ids, run_ids, args.duration, work_dir)
        memory = lms.worker_rss_mb()
        for stick in yardsticks:
            stick.run(args.connections, args.threads, args.duration, work_dir)
    finally:
        lms.stop()
        for stick in yardsticks:
            stick.server.stop()

    report(scenarios, hello, anchor, memory, world.dialect, args, work_dir)
    if args.json:
        args.json.write_text(json.dumps({
            "database": world.dialect, "duration": args.duration,
            "hello": hello.runs, "hello_paced": hello.paced, "anchor": anchor.runs, "lms_worker_rss_mb": memory,
            "scenarios": [{"name": s.name, "what": s.what, "connections": s.connections, **(s.result or {}),
                           "effects": s.effects, "refused": s.refused, "server_errors": s.server_errors[:20],
                           "errors": errors_of(s)} for s in scenarios if s.result]}, indent=2))
    if any(errors_of(s) for s in scenarios if s.result):
        sys.exit(1)


def _ms(value: float | None, digits: int = 2) -> str:
    return "" if value is None or value != value else f"{value:,.{digits}f}"


def report(scenarios: list[Scenario], hello: Yardstick, anchor: Yardstick, memory: list[float], dialect: str,
           args, work_dir: Path) -> None:
    workers = os.environ.get("WORKERS", "gunicorn.conf.py default")
    print(f"\n### {dialect}, {args.duration} s per scenario, gunicorn workers: {workers}, "
          f"threads: {os.environ.get('THREADS', 2)}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| scenario | connections | requests | req/s | p50 | p99 | CPU ms/request | SQL/request | errors "
          "| share of hello world | share of the anchor |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for stick in (hello, anchor):
        for count, runs in sorted(stick.runs.items(), reverse=True):
            sql = stick.mean(count, "sql")
            each = " / ".join(f"{r['rps']:,.0f}" for r in runs)
            print(f"| {stick.what} | {count} | {sum(r['requests'] for r in runs):,} | {stick.mean(count, 'rps'):,.0f} | "
                  f"| | {_ms(stick.mean(count, 'cpu_ms'))} | {_ms(sql, 1) if sql == sql else ''} | | "
                  f"{each} req/s | |")
    if hello.paced is not None:
        r = hello.paced
        print(f"| hello world, {args.connections} users thinking ~{args.think} ms | {args.connections} | "
              f"{r['requests']:,} | {r['rps']:,.1f} | {r['p50_us'] / 1000:,.1f} ms | {r['p99_us'] / 1000:,.1f} ms | "
              f"{_ms(r['cpu_ms'])} | | | (paced) | |")
    for s in scenarios:
        if not s.result:
            continue
        r = s.result
        if s.think_ms:
            shares = "(paced) | (paced)"
        else:
            shares = (f"{r['rps'] / hello.mean(s.connections, 'rps'):.1%} | "
                      f"{r['rps'] / anchor.mean(s.connections, 'rps'):.1%}")
        print(f"| {s.name}: {s.what} | {s.connections} | {r['requests']:,} | {r['rps']:,.1f} | "
              f"{r['p50_us'] / 1000:,.0f} ms | {r['p99_us'] / 1000:,.0f} ms | {_ms(r['cpu_ms'])} | "
              f"{_ms(r['sql'], 1)} | {errors_of(s)} | {shares} |")
    found = {s.name: s for s in scenarios if s.result}
    print("\nTargets (issue 21):")
    for name, wanted in ANCHOR_SHARE.items():
        if name not in found:
            continue
        s = found[name]
        of_anchor = s.result["rps"] / anchor.mean(s.connections, "rps")
        line = f"- {name} at least {wanted:.0%} of the anchor: {of_anchor:.1%}"
        met = of_anchor >= wanted
        if name == "lesson":
            of_hello = s.result["rps"] / hello.mean(s.connections, "rps")
            line += f", at least {LESSON_SHARE_OF_HELLO:.0%} of hello world: {of_hello:.1%}"
            met = met and of_hello >= LESSON_SHARE_OF_HELLO
        cpu = anchor.mean(s.connections, "cpu_ms")
        line += (f" (CPU {s.result['cpu_ms']:.2f} ms a request against the anchor's {cpu:.2f}: "
                 f"{cpu / s.result['cpu_ms']:.0%}) -> {'met' if met else 'NOT met'}")
        print(line)
    for name in ("quiz-save", "quiz-submit"):
        paced, flat_out = found.get(f"{name}-users"), found.get(name)
        if paced is None and flat_out is None:
            continue
        note = "" if dialect == "postgresql" else " (the target is for PostgreSQL)"
        line = f"- {name} p99 under {QUIZ_P99_MS} ms at {(paced or flat_out).connections} users:"
        if paced is not None:
            p99 = paced.result["p99_us"] / 1000
            line += (f" {p99:.0f} ms with ~{paced.think_ms} ms think time "
                     f"-> {'met' if p99 < QUIZ_P99_MS else 'NOT met'}{note}")
        if flat_out is not None:
            line += (f"{';' if paced else ''} {flat_out.result['p99_us'] / 1000:.0f} ms flat out "
                     f"({flat_out.result['rps']:.0f} req/s; by Little's law the latency at saturation is at "
                     f"least connections / throughput = {flat_out.connections / flat_out.result['rps'] * 1000:.0f} ms)")
        print(line)
    if "dashboard-store" in found:
        cpu = found["dashboard-store"].result["cpu_ms"]
        print(f"- store dashboard under {STORE_DASHBOARD_CPU_MS} ms of CPU: {cpu:.1f} ms "
              f"-> {'met' if cpu < STORE_DASHBOARD_CPU_MS else 'NOT met'}")
    if "dashboard-region" in found:
        r = found["dashboard-region"].result
        p50 = r["p50_us"] / 1000
        print(f"- region dashboard ({found['dashboard-region'].what.split('(')[-1].rstrip(')')}) under "
              f"{REGION_DASHBOARD_MS} ms server time, one at a time: median {p50:.0f} ms ({r['cpu_ms']:.0f} ms of it "
              f"app CPU) -> {'met' if p50 < REGION_DASHBOARD_MS else 'NOT met'}")
    if memory:
        print(f"- memory per LMS worker after the run at most {WORKER_RSS_MB} MB: "
              f"{', '.join(f'{m:.0f}' for m in sorted(memory))} MB (resident; with the app preloaded, pages shared "
              f"with the master count in each) -> {'met' if max(memory) <= WORKER_RSS_MB else 'NOT met'}")
    total = sum(errors_of(s) for s in found.values())
    print(f"- no errors under load: {total} -> {'met' if not total else 'NOT met'}")
    for s in found.values():
        r = s.result
        if errors_of(s):
            print(f"  {s.name}: connect {r['connect']}, read {r['read']}, write {r['write']}, timeout {r['timeout']}, "
                  f"unexpected status {r['unexpected']} ({r['examples'].strip()}), pool exhausted {r['exhausted']}, "
                  f"refused by the app {s.refused}, server log {len(s.server_errors)}")
            for line in s.server_errors[:5]:
                print(f"    {line}")
            if r["exhausted"]:
                print(f"  {s.name}: every prepared request was sent before the time was up; run again with a "
                      f"larger --pool (now {args.pool} learners, 5 quizzes and 5 role-plays each)")
    for s in found.values():
        if s.effects is not None:
            done = {"quiz-save": "answers written", "quiz-submit": "attempts submitted",
                    "scenario-step": "replies recorded"}[s.name.removesuffix("-users")]
            print(f"- {s.name}: {s.effects:,} {done} for {s.result['requests']:,} responses counted by wrk (requests "
                  "in flight when it stopped count in the database only)")
    print(f"\nserver logs: {work_dir}")


if __name__ == "__main__":
    main()
