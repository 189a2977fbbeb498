"""Grade many quiz attempts with the pure core and report attempts per second.

    python bench/grade_quiz.py [--attempts 10000] [--quiz tests/data/courses/sample/02-practice/03-quiz.md]

Each attempt is drawn with its own seed (pool and shuffles applied) and given a
mix of right, partly right and wrong answers, then graded by
``lms.core.quiz.grade_attempt`` exactly as the server does on submission.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from lms.core import quiz as core

ROOT = Path(__file__).resolve().parents[1]


def random_answer(question: core.Question, plan: core.AttemptPlan, rng: random.Random):
    order = list(plan.orders.get(question.id, ()))
    if question.type in ("single", "true_false"):
        return rng.choice([o.id for o in question.options])
    if question.type == "multiple":
        return sorted(rng.sample([o.id for o in question.options], k=rng.randint(1, len(question.options))))
    if question.type == "short":
        return rng.choice([a.text for a in question.answers] + ["не знаю"])
    if question.type == "numeric":
        return str(rng.randint(0, 60))
    if question.type == "matching":
        rights = [r for r, _ in question.rights()]
        return {p.left_id: rng.choice(rights) for p in question.pairs}
    if question.type == "ordering":
        items = order or [i.id for i in question.items]
        return rng.sample(items, k=len(items))
    if question.type == "open":
        return "Ответ для проверки тренером"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--quiz", type=Path, default=ROOT / "tests/data/courses/sample/02-practice/03-quiz.md")
    args = parser.parse_args()
    quiz, problems = core.parse_quiz(args.quiz.read_text(encoding="utf-8"), str(args.quiz))
    if problems:
        raise SystemExit("\n".join(map(str, problems)))
    rng = random.Random(42)
    prepared = []
    for seed in range(args.attempts):
        plan = core.draw_attempt(quiz, seed)
        answers = {qid: random_answer(quiz.question(qid), plan, rng) for qid in plan.question_ids}
        prepared.append((plan, answers))
    started = time.perf_counter()
    percents = [float(core.grade_attempt(quiz, plan, answers).percent) for plan, answers in prepared]
    elapsed = time.perf_counter() - started
    print(f"quiz: {args.quiz} ({len(quiz.questions)} questions)")
    print(f"graded {args.attempts} attempts in {elapsed:.3f} s: {args.attempts / elapsed:,.0f} attempts/s "
          f"({elapsed / args.attempts * 1e6:.1f} µs per attempt)")
    print(f"mean score {statistics.mean(percents):.1f} %, passed {sum(p >= float(quiz.settings.pass_mark) for p in percents)}")


if __name__ == "__main__":
    main()
