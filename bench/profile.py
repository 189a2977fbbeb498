"""Where a request's time goes, by layer: N requests of one scenario profiled in process.

    .venv/bin/python bench/profile.py --database-url postgresql://postgres@127.0.0.1:5432/bench lesson
    .venv/bin/python bench/profile.py --database-url ... quiz-save -n 300
    .venv/bin/python bench/profile.py --database-url ... anchor hello       # the yardsticks, for comparison

Needs a database seeded by ``bench/seed.py``. Builds the site in this process
(``lms.site.create_app``, the served configuration), signs learners and a store trainer in
through the login form with Flask's test client, prepares open quiz attempts and role-play
runs as ``bench/load.py`` does, warms up, then for each scenario:

1. runs N requests unprofiled and reports CPU and wall milliseconds and SQL statements per
   request (wall minus CPU is mostly waiting for the database);
2. runs N more under cProfile (``--clock cpu``: process CPU time, the default; ``wall``
   includes the waits) and prints the time per request grouped by layer, from the module
   path of each frame's own time (a C function's time goes to the layer of its caller):
   routing and session cookie (werkzeug, flask, itsdangerous), identity (flask_login, the
   site's accounts, lms.identity, lms.services.users), the rate limiter, CSRF and forms
   (flask_wtf, wtforms), translations (babel, flask_babel, lms.i18n), template (jinja2,
   markupsafe, compiled templates), ORM statement building and compiling (sqlalchemy.sql,
   sqlalchemy.orm.context/query), execution and the driver (sqlalchemy.engine, .pool,
   .dialects, psycopg, sqlite3), loading rows into objects (sqlalchemy.orm.loading, state,
   attributes, ...), the session's flush and commit (sqlalchemy.orm.session, unitofwork,
   persistence), JSON, and the plugin's own code by package; the test client's own work
   (building the request and reading the response) is a layer of its own, absent in production;
3. prints the inclusive time of a few steps that cross layers (the identity lookups, the
   enrollment lookups, CSRF, rendering, the commit) and the costliest functions.

Scenarios: ``lesson``, ``quiz-save``, ``quiz-submit``, ``scenario-step``, ``dashboard-store`` (a store's
50 learners), ``dashboard-region`` (a region's 5,000, its regional trainer), and the yardsticks ``anchor`` (``bench/anchor.py``) and ``hello`` (``bench/hello.py``).
The write scenarios write to the database (use a scratch one).
"""
from __future__ import annotations

import sys
from pathlib import Path

# run as a script, this file's folder comes first on sys.path, where this module would shadow
# the standard library's ``profile``, which cProfile imports
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import cProfile  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from bench.load import LESSONS, SLUG, USER_AGENT, csrf_of, prepare_work  # noqa: E402
from bench.seed import PASSWORD, learner_email, regional_email, trainer_email  # noqa: E402
from lms.site import database_url  # noqa: E402

SCENARIOS = ("lesson", "quiz-save", "quiz-submit", "scenario-step", "dashboard-store", "dashboard-region", "anchor",
             "hello")

#: (layer, substrings of a frame's file path); the first match wins
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("the test client itself (not in production)", ("/werkzeug/test.py", "/flask/testing.py", "/bench/profile.py")),
    ("ORM: building and compiling statements", ("/sqlalchemy/sql/", "/sqlalchemy/orm/context.py",
                                                "/sqlalchemy/orm/query.py", "/sqlalchemy/orm/path_registry.py",
                                                "/sqlalchemy/orm/strategy_options.py", "/sqlalchemy/orm/util.py",
                                                "/sqlalchemy/orm/interfaces.py", "/sqlalchemy/orm/_orm_constructors.py",
                                                "/sqlalchemy/orm/relationships.py")),
    ("ORM: executing, the driver", ("/sqlalchemy/engine/", "/sqlalchemy/pool/", "/sqlalchemy/dialects/",
                                    "/sqlalchemy/connectors/", "/psycopg/", "/psycopg_binary/", "/psycopg_pool/",
                                    "/sqlite3/", "/sqlalchemy/event/", "/sqlalchemy/util/")),
    ("ORM: loading rows into objects", ("/sqlalchemy/orm/loading.py", "/sqlalchemy/orm/state.py",
                                        "/sqlalchemy/orm/identity.py", "/sqlalchemy/orm/attributes.py",
                                        "/sqlalchemy/orm/instrumentation.py", "/sqlalchemy/orm/strategies.py",
                                        "/sqlalchemy/orm/collections.py", "/sqlalchemy/orm/base.py",
                                        "/sqlalchemy/orm/state_changes.py")),
    ("ORM: session, flush and commit", ("/sqlalchemy/orm/session.py", "/sqlalchemy/orm/unitofwork.py",
                                        "/sqlalchemy/orm/persistence.py", "/sqlalchemy/orm/dependency.py",
                                        "/sqlalchemy/orm/scoping.py", "/flask_sqlalchemy/")),
    ("ORM: other", ("/sqlalchemy/",)),
    ("template (Jinja)", ("/jinja2/", "/markupsafe/", ".html", "<template>")),
    ("translations", ("/babel/", "/flask_babel/", "/lms/i18n.py", "/gettext.py")),
    ("CSRF and forms", ("/flask_wtf/", "/wtforms/")),
    ("identity", ("/flask_login/", "/lms/identity.py", "/lms/site/accounts.py", "/lms/services/users.py")),
    ("rate limiter", ("/flask_limiter/", "/limits/", "/redis/")),
    ("routing, request, session cookie", ("/werkzeug/", "/flask/", "/itsdangerous/", "/blinker/",
                                          "/http/cookies.py", "/urllib/")),
    ("JSON", ("/json/",)),
    ("lms.services", ("/lms/services/",)),
    ("lms.core", ("/lms/core/",)),
    ("lms.activities", ("/lms/activities/",)),
    ("lms: blueprint, views, the rest", ("/lms/",)),
    ("bench (the yardsticks' views)", ("/bench/",)),
]

#: steps that cross layers: (label, file path part, function names); time inclusive of callees
STEPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("the site's identity (Flask-Login user loader)", "/flask_login/login_manager.py", ("_load_user",)),
    ("the plugin's identity (blueprint load_user: mirror into lms_users)", "/lms/blueprint.py", ("load_user",)),
    ("course, version and enrollment", "/lms/services/learning.py", ("accessible_course", "ensure_enrollment")),
    ("CSRF check", "/flask_wtf/csrf.py", ("protect",)),
    ("rendering (render_template)", "/flask/templating.py", ("render_template",)),
    ("commit", "/sqlalchemy/orm/session.py", ("commit",)),
    ("flush", "/sqlalchemy/orm/session.py", ("flush",)),
    ("gettext", "/lms/i18n.py", ("_", "gettext", "ngettext", "lazy_gettext")),
]


def layer_of(path: str) -> str | None:
    """None for a built-in (C) function, whose time goes to its caller's layer."""
    if path == "~" or path.startswith("<built-in") or path.startswith("<method"):
        return None
    for name, parts in LAYERS:
        if any(part in path for part in parts):
            return name
    return "Python and the rest"


def by_layer(stats: pstats.Stats) -> dict[str, float]:
    """Seconds of own time per layer; a built-in's own time is shared out among its callers' layers."""
    totals: dict[str, float] = defaultdict(float)
    raw = stats.stats  # type: ignore[attr-defined]

    def resolve(func, depth=0) -> dict[str, float]:
        """How a function's own time splits between layers (a builtin follows its callers)."""
        layer = layer_of(func[0])
        if layer is not None:
            return {layer: 1.0}
        callers = raw[func][4]
        weight = sum(edge[2] for edge in callers.values())
        if not callers or weight <= 0 or depth > 5:
            return {"Python and the rest": 1.0}
        shares: dict[str, float] = defaultdict(float)
        for caller, edge in callers.items():
            for name, share in resolve(caller, depth + 1).items():
                shares[name] += share * edge[2] / weight
        return shares

    for func, (_cc, _nc, own, _cum, _callers) in raw.items():
        for name, share in resolve(func).items():
            totals[name] += own * share
    return totals


def steps(stats: pstats.Stats) -> list[tuple[str, float, int]]:
    raw = stats.stats  # type: ignore[attr-defined]
    found = []
    for label, part, names in STEPS:
        seconds, calls = 0.0, 0
        for func, (_cc, nc, _own, cum, _callers) in raw.items():
            if part in func[0] and func[2] in names:
                seconds += cum
                calls += nc
        found.append((label, seconds, calls))
    return found


class Counter:
    def __init__(self) -> None:
        self.statements = 0
        event.listen(Engine, "before_cursor_execute", self.count)

    def count(self, *_args) -> None:
        self.statements += 1


def sign_in(client, email: str, password: str) -> str:
    page = client.get("/login", headers={"User-Agent": USER_AGENT})
    response = client.post("/login", data={"csrf_token": csrf_of(page.get_data(as_text=True)), "email": email,
                                           "password": password}, headers={"User-Agent": USER_AGENT})
    if response.status_code != 302:
        raise SystemExit(f"signing in as {email} answered {response.status_code} (seeded with another password?)")
    return csrf_of(client.get("/training/", headers={"User-Agent": USER_AGENT}).get_data(as_text=True))


def build(scenario: str, url: str, count: int, password: str) -> tuple[Callable[[int], object], int]:
    """A function making request i of ``scenario`` (checked), and how many requests there are."""
    if scenario == "hello":
        from bench.hello import app as hello

        client = hello.test_client()
        return (lambda i: expect(client.get("/"), 200)), math.inf  # type: ignore[return-value]
    if scenario == "anchor":
        os.environ["DATABASE_URL"] = url
        from bench.anchor import Person, db
        from bench.anchor import app as anchor

        with anchor.app_context():
            ids = list(db.session.scalars(select(Person.id).order_by(Person.id).limit(1000)))
        client = anchor.test_client()
        return (lambda i: expect(client.get(f"/people/{ids[i % len(ids)]}"), 200)), math.inf  # type: ignore[return-value]

    from lms.site import create_app

    secret = "profile-" + str(random.randrange(10**9))
    learners = max(1, -(-count // 5)) if scenario in ("quiz-submit", "scenario-step") else 1
    emails = [learner_email(1 + i * 37) for i in range(learners)]
    work = {}
    if scenario in ("quiz-save", "quiz-submit", "scenario-step"):
        work, _attempts, _runs = prepare_work(url, emails, seed=11, secret=secret)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "LMS_DEFAULT_LOCALE": "ru",
                      "LMS_LOGIN_RATE_LIMIT": "100000 per minute"})
    result = app.test_cli_runner().invoke(args=["lms", "init"])  # the schema up to date, as after a deployment
    if result.exit_code != 0:
        raise SystemExit(f"flask lms init failed: {result.output}")
    headers = {"User-Agent": USER_AGENT}
    if scenario in ("dashboard-store", "dashboard-region"):
        from lms.models import Group
        from lms.site.models import db

        client = app.test_client()
        store = scenario == "dashboard-store"
        sign_in(client, trainer_email(1) if store else regional_email(1), password)
        with app.app_context():
            group = db.session.scalar(select(Group.id).where(Group.kind == ("store" if store else "department"))
                                      .order_by(Group.id).limit(1))
        return (lambda i: expect(client.get(f"/training/trainer/groups/{group}", headers=headers), 200)), math.inf  # type: ignore[return-value]
    clients = []
    for email in emails:
        client = app.test_client()
        clients.append((client, sign_in(client, email, password), email))
    if scenario == "lesson":
        client = clients[0][0]
        paths = [f"/training/courses/{SLUG}/{module}/{lesson}" for module, lesson in LESSONS]
        return (lambda i: expect(client.get(paths[i % len(paths)], headers=headers), 200)), math.inf  # type: ignore[return-value]
    requests: list[tuple] = []
    for client, csrf, email in clients:
        mine = work[email]
        if scenario == "quiz-save":
            for path, fields in mine.quiz_saves:
                requests.append((client, path, [("csrf_token", csrf), *fields], 200,
                                 {**headers, "X-Requested-With": "fetch"}))
        elif scenario == "quiz-submit":
            for path, fields in mine.quiz_submits:
                requests.append((client, path, [("csrf_token", csrf), *fields], 302, headers))
        else:
            for path, run in mine.runs:
                for fields in run:
                    requests.append((client, path, [("csrf_token", csrf), *fields], 302, headers))
    def send(i: int):
        client, path, fields, status, sent = requests[i % len(requests)]
        return expect(client.post(path, data=MultiDict(fields), headers=sent), status)

    return send, (math.inf if scenario == "quiz-save" else len(requests))


def expect(response, status: int):
    if response.status_code != status:
        raise SystemExit(f"a request answered {response.status_code}, not {status}: "
                         f"{response.get_data(as_text=True)[:300]}")
    return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="+", choices=SCENARIOS)
    parser.add_argument("--database-url", required=True, help="a database seeded by bench/seed.py (written to)")
    parser.add_argument("-n", "--requests", type=int, default=200, help="requests timed, and as many profiled")
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--top", type=int, default=15, help="the costliest functions shown (own time)")
    args = parser.parse_args()
    url = database_url(args.database_url)
    counter = Counter()
    for scenario in args.scenarios:
        wanted = args.warm_up + 2 * args.requests
        send, available = build(scenario, url, wanted, args.password)
        n = args.requests if available >= wanted else max(1, (available - args.warm_up) // 2)
        for i in range(args.warm_up):
            send(i)
        statements = counter.statements
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(args.warm_up, args.warm_up + n):
            send(i)
        cpu, wall = (time.process_time() - cpu) * 1000 / n, (time.perf_counter() - wall) * 1000 / n
        sql = (counter.statements - statements) / n
        profiler = cProfile.Profile(time.process_time if args.clock == "cpu" else time.perf_counter)
        profiler.enable()
        for i in range(args.warm_up + n, args.warm_up + 2 * n):
            send(i)
        profiler.disable()
        stats = pstats.Stats(profiler)
        layers = by_layer(stats)
        profiled = sum(layers.values())
        print(f"\n## {scenario}: {n} requests, {cpu:.2f} ms CPU and {wall:.2f} ms wall a request unprofiled, "
              f"{sql:.1f} SQL statements\n")
        print(f"| layer ({args.clock} time, own) | ms a request (scaled to unprofiled) | share |")
        print("|---|---:|---:|")
        scale = (cpu if args.clock == "cpu" else wall) / (profiled * 1000 / n) if profiled else 0
        for name, seconds in sorted(layers.items(), key=lambda item: -item[1]):
            if seconds / profiled >= 0.002:
                print(f"| {name} | {seconds * 1000 / n * scale:.3f} | {seconds / profiled:.1%} |")
        print(f"\n| step (inclusive, {args.clock} time) | ms a request (scaled) | calls a request |")
        print("|---|---:|---:|")
        for label, seconds, calls in steps(stats):
            if calls:
                print(f"| {label} | {seconds * 1000 / n * scale:.3f} | {calls / n:.1f} |")
        print(f"\nCostliest functions ({args.clock} time, own, profiled):")
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
