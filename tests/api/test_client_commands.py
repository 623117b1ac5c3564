"""`creditmend client add | list | revoke` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from api_support import register_furnishers

from cli_runner import Done, invoke  # tests/ is on the path (its conftest.py)


def cli(*args: str, db: str) -> Done:
    """The command in process (without the environment's store key)."""
    return invoke([*args, "--db", db], {"CREDITMEND_KEY": None})


def test_add_list_revoke(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'bureau.db'}"
    register_furnishers(db, "LEND1")
    added = cli("client", "add", "LEND1", "--scopes", "inquire,furnish", "--json", db=db)
    assert added.returncode == 0, added.stderr
    made = json.loads(added.stdout)
    assert set(made) == {"client_id", "client_secret", "scopes"}
    assert made["scopes"] == ["furnish", "inquire"]
    assert len(made["client_secret"]) >= 43  # 256 bits, base64url

    refused = cli("client", "add", "NOBODY", "--scopes", "furnish,fly", db=db)
    assert refused.returncode == 2
    assert refused.stderr == (
        "error: FURNISHER_CODE: NOBODY is not a registered furnisher (creditmend furnisher add)\n"
    )

    listed = cli("client", "list", "--json", db=db)
    rows = json.loads(listed.stdout)
    assert [(row["client_id"], row["revoked_at"]) for row in rows] == [(made["client_id"], None)]
    assert made["client_secret"] not in listed.stdout

    revoked = cli("client", "revoke", made["client_id"], db=db)
    assert revoked.returncode == 0, revoked.stderr
    again = cli("client", "revoke", made["client_id"], db=db)
    assert again.returncode == 2
    assert "is not an active client" in again.stderr


def test_a_desk_client_and_bad_scopes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'bureau.db'}"
    register_furnishers(db, "LEND1")
    desk = cli("client", "add", "--desk", "ops", "--json", db=db)
    assert json.loads(desk.stdout)["scopes"] == ["desk"]
    fly = cli("client", "add", "LEND1", "--scopes", "furnish,fly", db=db)
    assert fly.returncode == 2
    assert fly.stderr.startswith("error: --scopes: unknown scope fly")
