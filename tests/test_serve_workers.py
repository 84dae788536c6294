"""`asistente serve --workers N` gives its workers time to answer the supervisor's health ping: uvicorn's 5 s
default killed and restarted workers still starting on a loaded host, so the service never came up."""

from __future__ import annotations

import pytest
import uvicorn

from asistente.cli import main


class _Supervisor:
    """Stands in for uvicorn's Multiprocess: records its config and sockets instead of starting workers."""

    seen: list = []

    def __init__(self, config, sockets) -> None:
        self.config, self.sockets = config, sockets

    def run(self) -> None:
        _Supervisor.seen.append((self.config, [s.getsockname() for s in self.sockets]))


@pytest.mark.parametrize("env,expected", [(None, 60), ("45", 45)])
@pytest.mark.parametrize("reuse_port", ["1", "0"])
def test_serve_with_workers_passes_the_worker_healthcheck_timeout(
    tmp_path, monkeypatch, env, expected, reuse_port
):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 's.db'}")
    monkeypatch.setenv("ASISTENTE_REUSE_PORT", reuse_port)
    if env is None:
        monkeypatch.delenv("ASISTENTE_WORKER_HEALTHCHECK_SECONDS", raising=False)
    else:
        monkeypatch.setenv("ASISTENTE_WORKER_HEALTHCHECK_SECONDS", env)
    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", _Supervisor)
    _Supervisor.seen = []
    assert main(["serve", "--workers", "2", "--port", "0"]) == 0
    if reuse_port == "1":  # one SO_REUSEPORT socket per worker (asistente/serving.py)
        assert calls == [] and len(_Supervisor.seen) == 1
        config, bound = _Supervisor.seen[0]
        assert config.workers == 2 and config.timeout_worker_healthcheck == expected
        assert config.factory and config.app == "asistente.app:app_from_env" and len(bound) == 1
    else:  # one shared socket, uvicorn's own
        assert _Supervisor.seen == [] and len(calls) == 1
        assert calls[0]["workers"] == 2 and calls[0]["timeout_worker_healthcheck"] == expected


def test_a_zero_healthcheck_timeout_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 's.db'}")
    monkeypatch.setenv("ASISTENTE_WORKER_HEALTHCHECK_SECONDS", "0")
    with pytest.raises(Exception, match=r"ASISTENTE_WORKER_HEALTHCHECK_SECONDS|greater than or equal"):
        main(["serve", "--workers", "2"])
