"""`asistente import`: all-or-nothing, every bad line named, idempotent; `keys create` prints the key last."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select

from asistente.cli import main
from asistente.portfolio.models import Debtor, Interaction, Payment
from tests.api.data import debtor_record


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def _count(url, model) -> int:
    eng = create_engine(url)
    with eng.connect() as c:
        n = c.execute(select(func.count()).select_from(model)).scalar()
    eng.dispose()
    return n


def _write(path, records) -> str:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8"
    )
    return str(path)


def test_keys_create_prints_key_last(db_url, capsys):
    assert main(["keys", "create", "--tenant", "acme", "--role", "AGENT", "--agent-id", "u1"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("ask_") and len(last) > 40


def test_import_good_file_then_again_is_idempotent(db_url, tmp_path, capsys):
    main(["keys", "create", "--tenant", "acme", "--role", "ADMIN"])
    f = _write(tmp_path / "p.jsonl", [debtor_record(f"C-{i}", interactions=2) for i in range(30)])
    assert main(["import", f, "--tenant", "acme", "--no-progress"]) == 0
    assert "30 debtor(s) created" in capsys.readouterr().out
    assert main(["import", f, "--tenant", "acme", "--no-progress"]) == 0
    assert "0 updated, 30 unchanged" in capsys.readouterr().out  # an unchanged file changes nothing
    records = [debtor_record(f"C-{i}", interactions=2) for i in range(30)]
    records[4]["fullName"] = "Nombre Corregido"
    f = _write(tmp_path / "p2.jsonl", records)
    assert main(["import", f, "--tenant", "acme", "--no-progress"]) == 0
    assert "1 updated, 29 unchanged" in capsys.readouterr().out
    assert _count(db_url, Debtor) == 30
    assert _count(db_url, Interaction) == 60
    assert _count(db_url, Payment) == 60


def test_bad_lines_import_nothing_and_are_all_listed(db_url, tmp_path, capsys):
    main(["keys", "create", "--tenant", "acme", "--role", "ADMIN"])
    bad_currency = debtor_record("C-2")
    bad_currency["accounts"][0]["currency"] = "ABC"
    bad_phone = debtor_record("C-4")
    bad_phone["phones"][0]["number"] = "+52999"
    lines = [
        debtor_record("C-1"),
        bad_currency,
        '{"externalId": "C-3", "fullName": ',
        bad_phone,
        debtor_record("C-1"),
    ]
    f = _write(tmp_path / "bad.jsonl", lines)
    assert main(["import", f, "--tenant", "acme", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "4 bad record(s); nothing was imported" in err
    assert f"{f}:2: accounts[0].currency" in err
    assert f"{f}:3: the line ends before the record is complete" in err and "cut short" in err
    assert f"{f}:4: phones[0].number" in err
    assert f"{f}:5: externalId: 'C-1' already given on line 1" in err
    assert _count(db_url, Debtor) == 0


def test_import_unknown_tenant_and_missing_file(db_url, tmp_path, capsys):
    f = _write(tmp_path / "p.jsonl", [debtor_record("C-1")])
    assert main(["import", f, "--tenant", "nobody", "--no-progress"]) == 2
    assert "unknown tenant 'nobody'" in capsys.readouterr().err
    main(["keys", "create", "--tenant", "acme", "--role", "ADMIN"])
    assert main(["import", str(tmp_path / "none.jsonl"), "--tenant", "acme"]) == 2


def test_import_not_utf8(db_url, tmp_path, capsys):
    main(["keys", "create", "--tenant", "acme", "--role", "ADMIN"])
    p = tmp_path / "latin.jsonl"
    p.write_bytes(
        json.dumps(debtor_record("C-1")).encode() + b"\n" + '{"fullName": "Peña"}'.encode("latin-1") + b"\n"
    )
    assert main(["import", str(p), "--tenant", "acme", "--no-progress"]) == 1
    assert "not UTF-8" in capsys.readouterr().err
    assert _count(db_url, Debtor) == 0


def test_import_messages_a_person_understands(db_url, tmp_path, capsys):
    """One message per problem, a cut line says so, and conflicts with stored debtors and between lines are
    listed in the same run as every other bad line."""
    main(["tenants", "create", "--tenant", "acme"])
    stored = debtor_record("S-1")
    assert (
        main(["import", _write(tmp_path / "first.jsonl", [stored]), "--tenant", "acme", "--no-progress"]) == 0
    )
    taken = stored["accounts"][0]["externalId"]
    bad_phone = debtor_record("N-1")
    bad_phone["phones"][0]["number"] = "12345"
    steals_stored = debtor_record("N-2")
    steals_stored["accounts"][0]["externalId"] = taken
    first_owner, second_owner = debtor_record("N-3"), debtor_record("N-4")
    second_owner["accounts"][0]["externalId"] = first_owner["accounts"][0]["externalId"]
    cut = json.dumps(debtor_record("N-5"))
    lines = [bad_phone, cut[: cut.index('"fullName"') + 15], steals_stored, first_owner, second_owner]
    f = _write(tmp_path / "bad.jsonl", lines)
    assert main(["import", f, "--tenant", "acme", "--no-progress"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith("4 bad record(s); nothing was imported")
    by_line = {}
    for line in err[1:]:
        where, _, reason = line.partition(": ")
        by_line.setdefault(int(where.rsplit(":", 1)[1]), []).append(reason)
    assert by_line[1] == ["phones[0].number: '12345' has the wrong format"]  # one message, not two
    assert by_line[2] == ["the line ends inside a string: is the line cut short?"]
    assert by_line[3] == [f"accounts: {taken!r} already belongs to debtor 'S-1'"]
    assert by_line[5] == [
        f"accounts: {first_owner['accounts'][0]['externalId']!r} is also given for debtor 'N-3' on line 4"
    ]
    assert 4 not in by_line
    assert _count(db_url, Debtor) == 1
