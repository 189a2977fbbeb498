"""The dashboard reads a fixed number of SQL statements, whatever the size of the group."""
import re

from lms.state import db_session

from support.queries import statements_for
from support.trainer import TRAINER, row_users, seed_group


def test_dashboard_queries_do_not_grow_with_the_number_of_learners(client, auth, app, sample_course):
    trainer = auth.create("trainer@example.com", "Trainer", ("trainer",))
    with app.app_context():
        small = seed_group(db_session(), "sample", 10, trainer_id=trainer, name="Small", seed=1).id
        large = seed_group(db_session(), "sample", 1000, trainer_id=trainer, name="Large", seed=2).id
        db_session().commit()
    auth.login("trainer@example.com")
    small_count, small_page = statements_for(client, app, f"{TRAINER}/groups/{small}")
    large_count, large_page = statements_for(client, app, f"{TRAINER}/groups/{large}")
    assert len(row_users(small_page)) == 10 and len(row_users(large_page)) == 100
    counts = re.findall(r'<span class="summary-number" data-status="\w+">(\d+)</span>', large_page)
    assert sum(map(int, counts)) == 1000
    # the seeded data reaches every part of the page: scores, the histogram, competencies, completions
    assert 'data-score="' in large_page and 'id="chart-competencies"' in large_page
    assert 'id="chart-completions"' in large_page and 'id="chart-quiz-0"' in large_page
    assert small_count == large_count
    assert large_count <= 20
