"""Alembic, driven from Python: `upgrade(engine)` brings a database to the newest schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from asistente.db import refresh_statistics

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        refresh_statistics(conn)  # a migration can add indexes the planner has no statistics for


def revision(url: str, message: str) -> None:
    """Developer helper: autogenerate a migration against an up-to-date database."""
    cfg = alembic_config(url)
    command.revision(cfg, message=message, autogenerate=True)
