"""Alembic, run from code: the plugin's migrations with their own version table.

The plugin keeps its history in ``lms_alembic_version`` so a host that uses
Alembic for its own tables is not disturbed.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

from .models import Base

PLUGIN_MIGRATIONS = Path(__file__).parent / "migrations"
PLUGIN_VERSION_TABLE = "lms_alembic_version"


def alembic_config(engine: Engine, script_location: Path, version_table: str, metadata: MetaData) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["engine"] = engine
    config.attributes["version_table"] = version_table
    config.attributes["target_metadata"] = metadata
    return config


def upgrade(engine: Engine, script_location: Path = PLUGIN_MIGRATIONS,
            version_table: str = PLUGIN_VERSION_TABLE, metadata: MetaData | None = None,
            revision: str = "head") -> None:
    """Bring the tables of ``script_location`` up to ``revision``."""
    if metadata is None:
        metadata = Base.metadata
    command.upgrade(alembic_config(engine, script_location, version_table, metadata), revision)


def current(engine: Engine, version_table: str = PLUGIN_VERSION_TABLE) -> str | None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": version_table})
        return context.get_current_revision()


def run_env(context) -> None:
    """The body of every env.py here: online migrations on the configured engine."""
    config = context.config
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=config.attributes["target_metadata"],
            version_table=config.attributes["version_table"],
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
