from alembic import context

from lms.migrate import run_env

run_env(context)
