"""`ct search`: the unknown-user hint names commands that exist, the query limit is counted
after NFC with the Korean message, and a real search as a registered user works."""

from __future__ import annotations

import json
import unicodedata

from typer.testing import CliRunner

from control_tower.cli import app
from control_tower.retrieval.retriever import MAX_QUERY_CHARS
from tests.auth_helpers import make_user
from tests.pipeline_fixtures import write_text_corpus

SYLLABLES = "포항시교통복지예산"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _registered_commands() -> set[str]:
    import typer.main

    group = typer.main.get_group(app)
    return set(group.commands)


def test_unknown_user_hint_names_real_commands(settings):
    r = CliRunner().invoke(app, ["search", "버스 노선", "--user", "없는사람"])
    out = _flat(r.output)
    assert r.exit_code == 1
    assert "알 수 없는 사용자입니다: '없는사람'" in out
    assert "ct demo" not in out
    assert "ct users add" in out and "ct serve --demo" in out
    # every `ct X` the hint mentions is a real command of the CLI
    commands = _registered_commands()
    assert {"users", "serve"} <= commands and "demo" not in commands


def test_disabled_user_is_refused(settings, store):
    from control_tower.accounts import set_disabled

    make_user(store, "kim", "교통정책과")
    set_disabled(store, "kim", True)
    r = CliRunner().invoke(app, ["search", "버스", "--user", "kim"])
    assert r.exit_code == 1 and "사용이 중지된 사용자" in _flat(r.output)


def test_too_long_query_is_korean_and_counted_after_nfc(settings):
    long_nfc = (SYLLABLES * 200)[: MAX_QUERY_CHARS + 1]
    r = CliRunner().invoke(app, ["search", long_nfc])
    assert r.exit_code == 1 and "검색어가 너무 깁니다" in _flat(r.output)


def test_nfd_query_within_the_limit_is_searched(tmp_path, settings, store):
    corpus = tmp_path / "corpus"
    write_text_corpus(corpus, 2)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(corpus), "--access", "internal"]).exit_code == 0
    make_user(store, "lee", "교통정책과")
    # 504 syllables: 1,200+ code points in NFD, 504 after NFC (the API refused this before)
    query = unicodedata.normalize("NFD", (SYLLABLES * 100)[:504])
    assert len(query) > MAX_QUERY_CHARS
    r = runner.invoke(app, ["search", query, "--user", "lee", "--json", "-k", "3"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    assert body["user"] == "lee" and body["results"]
