"""A lexicon or text-model file that fails its schema stops the start with file, JSON path and reason."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from asistente import cli
from asistente.app import create_app
from asistente.compliance import detect, textmodel
from asistente.errors import DataFileError
from asistente.settings import Settings


@pytest.fixture
def reload_readers():
    """Readers are cached per process: load them again from the patched path, and again after."""
    detect.default_matcher.cache_clear()
    textmodel.default_model.cache_clear()
    yield
    detect.default_matcher.cache_clear()
    textmodel.default_model.cache_clear()


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'start.db'}", OPENAI_BASE_URL=None, ASISTENTE_LLM_MODEL=None
    )


def _broken_lexicon_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lexicon"
    shutil.copytree(detect.LEXICON_DIR, folder)
    data = json.loads((folder / "es.json").read_text(encoding="utf-8"))
    data["entries"][1]["signal"] = "ARREST_THREAD"  # a typo: not a signal
    (folder / "es.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def test_broken_lexicon_stops_the_start(tmp_path, monkeypatch, reload_readers) -> None:
    monkeypatch.setattr(detect, "LEXICON_DIR", _broken_lexicon_dir(tmp_path))
    with pytest.raises(DataFileError) as err:
        create_app(_settings(tmp_path))
    assert err.value.file == "es.json"
    assert err.value.path == "$.entries[1].signal"
    assert "ARREST_THREAD" in err.value.reason
    assert str(err.value).startswith("cannot start: es.json: at $.entries[1].signal: ")


def test_broken_text_model_stops_the_start(tmp_path, monkeypatch, reload_readers) -> None:
    data = json.loads(textmodel.MODEL_FILE.read_text(encoding="utf-8"))
    data["threshold"] = "high"
    broken = tmp_path / "text-model.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(textmodel, "MODEL_FILE", broken)
    with pytest.raises(DataFileError) as err:
        create_app(_settings(tmp_path))
    assert (err.value.file, err.value.path) == ("text-model.json", "$.threshold")
    assert "high" in err.value.reason


def test_the_cli_says_it_in_one_line(tmp_path, monkeypatch, reload_readers, capsys) -> None:
    monkeypatch.setattr(detect, "LEXICON_DIR", _broken_lexicon_dir(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    code = cli.main(["serve", "--port", "0"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: cannot start: es.json: at $.entries[1].signal: ")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and "ARREST_THREAD" in err


def _broken_package(tmp_path: Path) -> Path:
    """A copy of the package whose Spanish lexicon has a typo. In a fresh process the lexicons load when
    `asistente.app` is first imported, before create_app: the path the tests above cannot take."""
    import asistente

    root = tmp_path / "site"
    shutil.copytree(
        Path(asistente.__file__).parent,
        root / "asistente",
        ignore=shutil.ignore_patterns("__pycache__", "static"),
    )
    (root / "asistente" / "static").mkdir()
    lexicon = root / "asistente" / "compliance" / "lexicon" / "es.json"
    data = json.loads(lexicon.read_text(encoding="utf-8"))
    data["entries"][1]["signal"] = "ARREST_THREAD"
    lexicon.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return root


@pytest.mark.parametrize("workers", [1, 2])
def test_a_fresh_serve_process_says_it_in_one_line(tmp_path, workers) -> None:
    """Found by starting the service as README says with a broken lexicon: a single worker printed a
    46-line import traceback, and `--workers 2` kept restarting workers that died on it, forever."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "PYTHONPATH": str(_broken_package(tmp_path)),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "ASISTENTE_CACHE_DIR": str(tmp_path / "cache"),
    }
    env.pop("OPENAI_BASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "asistente.cli", "serve", "--port", "0", "--workers", str(workers)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    err = done.stderr.strip()
    assert "Traceback" not in err, err[-2000:]
    assert len(err.splitlines()) == 1, err[-2000:]
    assert err.startswith("error: cannot start: es.json: at $.entries[1].signal: ")
    assert "ARREST_THREAD" in err
