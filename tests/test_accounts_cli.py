"""`ct users …` / `ct departments …` in-process (CliRunner) on a real SQLite store."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from control_tower import accounts
from control_tower.audit import AuditLog
from control_tower.cli import app
from control_tower.store import open_store

runner = CliRunner()


def _ct(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})


def test_first_admin_bootstrap_and_list(settings):
    r = _ct(
        "users",
        "add",
        "admin",
        "--role",
        "admin",
        "--department",
        "정보통신과",
        "--password",
        "admin-password-0",
    )
    assert (
        r.exit_code == 1 and "등록되지 않은 부서" in r.output and "ct departments add" in r.output
    )
    assert _ct("departments", "add", "정보통신과").exit_code == 0
    assert "이미 등록된 부서" in _ct("departments", "add", "정보통신과").output
    r = _ct(
        "users", "add", "admin", "--role", "admin", "--department", "정보통신과",
        "--password-stdin", "--display-name", "시스템 관리자",
        stdin="admin-password-1\n",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    store = open_store(settings)
    user = accounts.authenticate(store, settings, "admin", "admin-password-1")
    assert user.display_name == "시스템 관리자" and [r.value for r in user.roles] == ["admin"]
    r = _ct("users", "list", "--json")
    listed = json.loads(r.stdout)["users"]
    assert [u["username"] for u in listed] == ["admin"] and "password_hash" not in listed[0]
    depts = json.loads(_ct("departments", "list", "--json").stdout)["departments"]
    assert [d["name"] for d in depts] == ["정보통신과"]
    events = [(e.event, e.surface, e.target) for e in AuditLog(store).read()]
    assert ("admin.user_create", "cli", "admin") in events


def test_clear_errors(settings):
    r = _ct(
        "users", "add", "kim", "--role", "boss", "--department", "교통정책과", "--password", "p"
    )
    assert r.exit_code == 2 and "알 수 없는 역할" in r.output
    r = _ct("users", "add", "kim", "--role", "staff", "--department", "교통정책과")
    assert r.exit_code == 2 and "--password-stdin" in r.output
    r = _ct(
        "users", "add", "kim", "--role", "staff", "--department", "교통정책과",
        "--create-department", "--password", "short",
    )  # fmt: skip
    assert r.exit_code == 2 and "8자 이상" in r.output
    r = _ct("users", "disable", "ghost")
    assert r.exit_code == 1 and "없는 사용자" in r.output


def test_disable_enable_reset(settings):
    r = _ct(
        "users", "add", "kim", "--role", "staff", "--role", "dept_head", "--department",
        "교통정책과", "--create-department", "--password", "first-password",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    store = open_store(settings)
    session = accounts.create_session(store, settings, "kim")
    assert _ct("users", "disable", "kim").exit_code == 0
    assert accounts.get_user(store, "kim").disabled
    assert accounts.resolve_session(store, settings, session.token) is None
    assert _ct("users", "enable", "kim").exit_code == 0
    r = _ct("users", "reset-password", "kim", "--password-stdin", stdin="second-password\n")
    assert r.exit_code == 0, r.output
    assert accounts.authenticate(store, settings, "kim", "second-password")
    r = _ct("users", "reset-password", "kim", "--password", "kim")
    assert r.exit_code == 2 and "8자" in r.output
