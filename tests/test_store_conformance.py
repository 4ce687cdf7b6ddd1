"""One conformance suite for every SQL backend the store supports (SQLite and PostgreSQL):
the same calls must give the same answers on both, migrations included."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from control_tower.audit import AuditEvent, AuditFilter, AuditLog
from control_tower.domain import AccessLevel, DocumentMeta, Principal, Role
from control_tower.ideation.repo import IdeaRepo  # registers idea_proposals on Base
from control_tower.roadmap.repo import RoadmapRepo  # registers the roadmap tables on Base
from control_tower.store import Store
from control_tower.store.migrate import current_revision, head_revision, upgrade_database
from control_tower.store.models import DepartmentRow, JobRow, SessionRow, UserRow
from tests.store_backends import database_url  # noqa: F401 - fixture

TABLES = {
    "documents",
    "document_versions",
    "ingest_runs",
    "users",
    "departments",
    "sessions",
    "api_keys",
    "login_failures",
    "jobs",
    "audit_events",
    "registry_cards",
    "registry_card_sources",
    "registry_doc_state",
    "registry_edits",
    "registry_imports",
    "registry_links",
    "registry_rationales",
    "idea_proposals",
    "roadmap_drafts",
    "roadmap_versions",
    "chat_checkpoints",
    "chat_writes",
    "chat_conversations",
    "chat_turns",
    "alembic_version",
}


def _meta(doc_id: str, path: str, **kw) -> DocumentMeta:
    base = dict(
        doc_id=doc_id,
        version=1,
        title="스마트 교차로 구축 계획",
        department="교통정책과",
        access_level=AccessLevel.department,
        source_path=path,
        doc_type="hwpx",
        doc_date=date(2026, 3, 2),
        content_hash="a" * 64,
    )
    return DocumentMeta(**(base | kw))


def test_migrated_to_head_with_every_table(database_url):  # noqa: F811
    store = Store(database_url)
    assert current_revision(store.engine) == head_revision()
    assert TABLES <= set(sa.inspect(store.engine).get_table_names())
    upgrade_database(store.engine)  # idempotent
    Store(database_url)  # a second process opening the same database
    assert current_revision(store.engine) == head_revision()


def test_document_lifecycle(database_url):  # noqa: F811
    store = Store(database_url)
    path = "/data/uploads/교통정책과/교차로_100%_계획.hwpx"
    meta = _meta("d1", path, allowed_users=["김철수"], allowed_departments=["디지털융합산업과"])
    store.begin_document(meta, extra={"doc_no": "교통-2026-121"})
    rec = store.get_document("d1")
    assert rec.status == "pending" and rec.extra == {"doc_no": "교통-2026-121"}
    store.mark_indexed("d1", chunk_count=7, run_id="r1")
    rec = store.get_document_by_path(path)
    assert rec.status == "indexed" and rec.chunk_count == 7
    assert rec.allowed_users == ["김철수"] and rec.doc_date == date(2026, 3, 2)
    for ts in (rec.created_at, rec.updated_at, rec.indexed_at):
        assert ts.tzinfo is not None and ts.utcoffset() is not None
    store.begin_document(meta.model_copy(update={"version": 2, "content_hash": "b" * 64}))
    store.mark_indexed("d1", chunk_count=5, run_id="r2")
    assert [v.version for v in store.versions("d1")] == [1, 2]
    # a LIKE wildcard in a folder name must not match other folders
    store.begin_document(_meta("d2", "/data/uploads/교통정책과X/other.pdf"))
    assert [d.doc_id for d in store.documents_under("/data/uploads/교통정책과")] == ["d1"]
    assert store.documents_under("/data/uploads/교통%") == []
    store.set_status("d2", "failed", reason="drm_markany", message="DRM으로 보호된 문서")
    assert [d.doc_id for d in store.list_documents(status="failed")] == ["d2"]
    store.delete_document("d1")
    assert store.get_document("d1") is None and store.versions("d1") == []


def test_runs_and_users(database_url):  # noqa: F811
    store = Store(database_url)
    run = store.start_run(["/data/demo_corpus"])
    other = store.start_run(["/data/x"])
    assert store.mark_stale_runs_interrupted(except_run=other) == 1
    store.finish_run(other, counts={"indexed": 3})
    assert store.get_run(run).state == "interrupted" and store.get_run(other).counts == {
        "indexed": 3
    }
    store.upsert_user(Principal(username="홍길동", department="복지정책과", roles={Role.dept_head}))
    user = store.get_user("홍길동")
    assert user.department == "복지정책과" and user.roles == {Role.dept_head}
    assert [u.username for u in store.list_users()] == ["홍길동"]


def test_account_tables_roundtrip(database_url):  # noqa: F811
    store = Store(database_url)
    ts = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    with store.begin() as s:
        s.add(DepartmentRow(name="배터리산업과", code="battery", created_at=ts))
        s.add(UserRow(username="kim", department="배터리산업과", roles=["staff"]))
        s.flush()  # PostgreSQL checks the foreign key per statement
        s.add(
            SessionRow(
                id="f" * 64,
                username="kim",
                csrf_token="c" * 43,
                created_at=ts,
                last_seen_at=ts,
                expires_at=ts + timedelta(hours=12),
            )
        )
        s.add(
            JobRow(
                job_id="j1",
                kind="ingest_upload",
                state="queued",
                title="문서 3건 수집",
                params={"files": ["가.hwp"]},
                items=[{"key": "가.hwp", "status": "queued"}],
                result={},
                progress_done=0,
                progress_total=3,
                created_at=ts,
                updated_at=ts,
            )
        )
    with store.session() as s:
        user = s.get(UserRow, "kim")
        assert user.disabled is False and user.failed_logins == 0 and user.password_hash is None
        sess = s.get(SessionRow, "f" * 64)
        assert sess.expires_at - sess.created_at == timedelta(hours=12)
        assert sess.expires_at.tzinfo is not None
        job = s.get(JobRow, "j1")
        assert job.items == [{"key": "가.hwp", "status": "queued"}] and job.title == "문서 3건 수집"


def test_audit_log_filters(database_url):  # noqa: F811
    store = Store(database_url)
    audit = AuditLog(store)
    kim = Principal(username="kim", department="배터리산업과")
    base = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for i in range(5):
        audit.write(
            AuditEvent(
                event="search",
                surface="web",
                username="kim",
                department="배터리산업과",
                target=f"질의 {i}",
                details={"query": f"질의 {i}", "results": [] if i % 2 else ["c1"]},
                at=base + timedelta(days=i),
            )
        )
    audit.record(kim, "login_failed", surface="web", outcome="failed", ip="10.0.0.9")
    audit.record(kim, "admin.user_create", surface="web", target="lee")
    assert audit.count() == 7
    newest = audit.query(AuditFilter(event="search"), limit=2)
    assert [e.target for e in newest] == ["질의 4", "질의 3"]
    window = AuditFilter(since=base + timedelta(days=1), until=base + timedelta(days=3))
    assert {e.target for e in audit.query(window)} == {"질의 1", "질의 2"}
    assert [e.event for e in audit.query(AuditFilter(event="admin."))] == ["admin.user_create"]
    assert audit.query(AuditFilter(outcome="failed"))[0].ip == "10.0.0.9"
    assert audit.count(AuditFilter(department="복지정책과")) == 0
    assert all(e.at.tzinfo is not None for e in audit.read())


def test_concurrent_writers(database_url):  # noqa: F811
    store = Store(database_url)
    audit = AuditLog(store)
    who = Principal(username="kim", department="배터리산업과")
    errors: list[Exception] = []

    def write(n: int) -> None:
        try:
            for i in range(20):
                audit.record(who, "search", surface="api", target=f"{n}-{i}")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and audit.count() == 80


def test_migrations_match_the_models(database_url):  # noqa: F811
    """A model changed without a migration (or the reverse) shows up here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from control_tower.store.models import Base

    store = Store(database_url)
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []


def test_registry_tables_roundtrip(database_url):  # noqa: F811
    from control_tower.linker.types import Evidence, Link
    from control_tower.registry.edits import active_edits, apply_edits, record_edit, revert_edit
    from control_tower.registry.repo import RegistryRepo
    from control_tower.registry.types import FieldValue, Mention, Passage, ProjectCard, SourceRef

    store = Store(database_url)
    repo = RegistryRepo(store)
    src = SourceRef(
        doc_id="d1", version=2, path="/x/계획.hwpx", title="계획", doc_date=date(2025, 3, 1)
    )
    card = ProjectCard(
        id="p-1",
        fields={
            "name": [FieldValue(value="통합 데이터 플랫폼", method="table", source=src)],
            "departments": [FieldValue(value=["정보통신과"], method="table", source=src)],
            "funding": [FieldValue(value={"국비": 20.0, "시비": 22.0}, method="table", source=src)],
        },
        passages=[Passage(text="데이터를 모은다", source=src)],
    )
    repo.save_cards([card])
    assert repo.cards() == [card] and repo.source_sets() == {"p-1": {"d1"}}
    assert repo.digests()["p-1"]
    mention = Mention(name="통합 데이터 플랫폼", source=src)
    repo.save_doc_state("d1", 2, [mention], llm_fields=3)
    version, mentions, llm = repo.doc_states()["d1"]
    assert (version, mentions, llm) == (2, [mention], 3)
    record_edit(store, "p-1", "budget_eok", "12.5", "ai_lead")
    edited = apply_edits(card, active_edits(store)["p-1"])
    assert edited.value("budget_eok") == 12.5 and edited.first("budget_eok").at.tzinfo
    assert revert_edit(store, "p-1", "budget_eok", "ai_lead") and active_edits(store) == {}
    link = Link(a="p-1", b="p-2", type="선후", score=0.8,
                evidence=[Evidence(card="p-1", doc_id="d1", text="적재")], docs=["d1"])  # fmt: skip
    repo.replace_links([link])
    assert repo.links() == [link]
    repo.save_rationale("k", "데이터 플랫폼이 먼저 필요합니다.", "tiny")
    assert repo.rationale("k") == "데이터 플랫폼이 먼저 필요합니다."
    repo.save_cards([], remove=["p-1"])
    assert repo.cards() == [] and repo.source_sets() == {}


def test_idea_proposals_roundtrip(database_url):  # noqa: F811
    from control_tower.ideation.types import Proposal

    store = Store(database_url)
    repo = IdeaRepo(store)
    p = Proposal(id="idea-1", title="AI 신호 최적화", departments=["교통정책과"],
                 use_case="traffic-signal", problem="정체", approach="강화학습",
                 technique="최적화", phase="단기", scores={"적합성": 4.2})  # fmt: skip
    assert [x.status for x in repo.upsert([(p, ["d2", "d1"])])] == ["제안"]
    assert repo.decide("idea-1", "채택", "ai_lead") and not repo.decide("nope", "채택", "x")
    again = repo.upsert([(p.model_copy(update={"title": "AI 신호 최적화 2"}), ["d1"])])
    assert again[0].status == "채택" and again[0].decided_by == "ai_lead"
    stored, docs = repo.get("idea-1")
    assert stored.title == "AI 신호 최적화 2" and docs == ["d1"]
    assert stored.scores == {"적합성": 4.2}
    assert repo.decided_at("idea-1").tzinfo is not None
    assert [x.id for x, _ in repo.find(department="교통정책과", status="채택")] == ["idea-1"]
    assert repo.find(status="보류") == []


def test_roadmap_versions_roundtrip(database_url):  # noqa: F811
    from control_tower.domain import now
    from control_tower.roadmap.types import (
        Governance,
        Guidance,
        Initiative,
        RoadmapStructure,
        RoadmapVersion,
        Section,
        SourceLink,
    )

    store = Store(database_url)
    repo = RoadmapRepo(store)
    ini = Initiative(id="card-1", title="AI 신호", kind="card", departments=["교통정책과"],
                     start_year=2026, end_year=2027, budget_by_year={2026: 4.5, 2027: 4.5},
                     sources=[SourceLink(card="c1", doc_id="doc-1", title="계획")])  # fmt: skip
    structure = RoadmapStructure(
        guidance=Guidance(from_year=2026, to_year=2030), title="AI 로드맵", vision="비전",
        initiatives=[ini], governance=Governance(committee="위원회", lead_unit="AI 전담부서"),
    )  # fmt: skip
    section = Section(key="background", title="Ⅰ. 추진 배경", text="배경 [1]", method="llm")
    v = RoadmapVersion(draft_id="", version=0, created_at=now(), created_by="ai_lead",
                       note="생성", structure=structure,
                       sections={"background": section})  # fmt: skip
    v1 = repo.create(v, "디지털융합산업과")
    v2 = repo.append(v1.model_copy(update={"note": "절 수정"}))
    assert (v1.version, v2.version) == (1, 2)
    got = repo.version(v1.draft_id)
    assert got.version == 2 and got.structure.initiatives[0].budget_by_year == {
        2026: 4.5,
        2027: 4.5,
    }
    assert got.sections["background"].text == "배경 [1]" and got.created_at.tzinfo is not None
    assert [r[0] for r in repo.versions(v1.draft_id)] == [1, 2]
    assert repo.docs_of(v1.draft_id) == {"doc-1"}
    assert [d.id for d in repo.drafts()] == [v1.draft_id]
    assert repo.delete(v1.draft_id) and repo.version(v1.draft_id) is None
