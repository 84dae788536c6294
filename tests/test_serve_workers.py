"""`asistente serve --workers N` gives its workers time to answer the supervisor's health ping: uvicorn's 5 s
default killed and restarted workers still starting on a loaded host, so the service never came up."""

from __future__ import annotations

import pytest
import uvicorn

from asistente.cli import main


@pytest.mark.parametrize("env,expected", [(None, 60), ("45", 45)])
def test_serve_with_workers_passes_the_worker_healthcheck_timeout(tmp_path, monkeypatch, env, expected):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 's.db'}")
    if env is None:
        monkeypatch.delenv("ASISTENTE_WORKER_HEALTHCHECK_SECONDS", raising=False)
    else:
        monkeypatch.setenv("ASISTENTE_WORKER_HEALTHCHECK_SECONDS", env)
    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    assert main(["serve", "--workers", "2", "--port", "8123"]) == 0
    assert len(calls) == 1
    assert calls[0]["workers"] == 2 and calls[0]["timeout_worker_healthcheck"] == expected


def test_a_zero_healthcheck_timeout_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 's.db'}")
    monkeypatch.setenv("ASISTENTE_WORKER_HEALTHCHECK_SECONDS", "0")
    with pytest.raises(Exception, match=r"ASISTENTE_WORKER_HEALTHCHECK_SECONDS|greater than or equal"):
        main(["serve", "--workers", "2"])
