"""First-start preparation for `ct serve --demo`: demo corpus, demo users, ingestion.

Safe to run on every start: the corpus is regenerated only when missing, users are upserted,
and ingestion skips unchanged files by content hash.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from control_tower.domain import IngestReport, Principal, Role
from control_tower.settings import Settings

DEMO_USERS_FILE = Path(__file__).resolve().parent / "demo" / "users.json"


def demo_corpus_dir(settings: Settings) -> Path:
    return settings.data_dir / "demo_corpus"


def load_demo_users(path: Path = DEMO_USERS_FILE) -> list[Principal]:
    raw = json.loads(path.read_text("utf-8"))
    users = raw["users"] if isinstance(raw, dict) else raw
    return [
        Principal(
            username=u["username"],
            department=u.get("department"),
            roles={Role(r) for r in u.get("roles", ["staff"])},
        )
        for u in users
    ]


def ensure_demo_corpus(settings: Settings) -> Path:
    from control_tower.demo.generate import generate_demo_corpus

    out = demo_corpus_dir(settings)
    if not (out / "ct-manifest.json").exists():
        tmp = out.with_name(out.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)  # left over from a killed start
        generate_demo_corpus(tmp)
        tmp.rename(out)  # atomic: a killed generation never looks complete
    return out


def prepare_demo(settings: Settings, *, progress: Callable | None = None) -> IngestReport:
    from control_tower.store import open_store
    from ingest.pipeline import ingest_paths

    corpus = ensure_demo_corpus(settings)
    store = open_store(settings)
    ensure_demo_accounts(store)
    return ingest_paths([str(corpus)], settings, progress=progress)


def ensure_demo_accounts(store, path: Path = DEMO_USERS_FILE) -> int:  # noqa: ANN001
    """Demo users with their role's demo password (README) and their departments."""
    from control_tower.accounts.demo import ensure_demo_users

    raw = json.loads(path.read_text("utf-8"))
    return ensure_demo_users(store, raw["users"] if isinstance(raw, dict) else raw)
