"""Job kinds of the documents page: ``ingest_upload`` (a batch of uploaded files) and
``reingest`` (one document again). Both are in the serial group ``ingest``: they run one at a
time in submission order, so the last complete upload of a name is the version that wins, and
each waits for the ingest lock (a running ``ct ingest``) inside the job, not in a request.

An upload arrives as staged files (``<data_dir>/jobs/staging/<uuid>``, written by the request);
the job moves each into its department folder just before indexing it, so an older upload can
never overwrite the file of a newer one that is being indexed.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path

from control_tower.access import can_read
from control_tower.jobs.registry import JobContext, register_job, register_recovery
from control_tower.jobs.types import JobError
from control_tower.names import department_folder, disk_name, is_hashed_disk_name
from control_tower.store import canonical_path

WAIT_LOCK = "다른 문서 수집 작업(ct ingest)이 끝나기를 기다리는 중입니다."
STATUS_KO = {
    "indexed": "색인됨",
    "updated": "갱신됨",
    "unchanged": "변경 없음",
    "skipped": "건너뜀",
    "failed": "실패",
    "cancelled": "취소됨",
}


def uploads_root(settings) -> Path:  # noqa: ANN001
    return settings.data_dir / "uploads"


def staging_dir(settings) -> Path:  # noqa: ANN001
    return settings.data_dir / "jobs" / "staging"


def _remember_title(folder: Path, disk: str, title: str) -> None:
    """Long names are stored shortened: keep the full name as the title (ct-manifest.json)."""
    mf = folder / "ct-manifest.json"
    docs = []
    if mf.exists():
        try:
            docs = json.loads(mf.read_text(encoding="utf-8")).get("documents", [])
        except (OSError, ValueError, AttributeError):
            docs = []
    docs = [d for d in docs if d.get("path") != disk] + [{"path": disk, "title": title}]
    tmp = folder / f".ct-manifest.{os.getpid()}.{id(docs)}.tmp"
    tmp.write_text(json.dumps({"documents": docs}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, mf)


def _reason_ko(exc: Exception) -> str:
    """The exception's own Korean message when it has one (IngestError, ModelError …)."""
    for attr in ("message_ko", "message"):
        text = getattr(exc, attr, None)
        if isinstance(text, str) and text and not text.isascii():
            return text
    return f"색인 중 오류가 발생했습니다({type(exc).__name__}). 관리자에게 문의하세요."


def _ingest_one(ctx: JobContext, path: Path, params: dict):
    from ingest.pipeline import ingest_paths

    report = ingest_paths(
        [str(path)],
        ctx.settings,
        department=params["department"],
        access=params["access"],
        allowed_users=params.get("allowed_users", []),
        allowed_departments=params.get("allowed_departments", []),
        store=ctx.store,
        index=ctx.resources.index,
        on_lock_wait=lambda: ctx.message(WAIT_LOCK),
    )
    return report.files[0]


def _target_for(ctx: JobContext, folder: Path, f: dict, uploader: str | None) -> Path:
    """Where an uploaded file goes. Uploading under an existing name makes a new version of
    that document only when the uploader may read it; otherwise the file becomes a document of
    its own (a hashed disk name per uploader, the name as sent as its title and location), so a
    document the uploader cannot see is neither overwritten nor revealed (its history, its
    existence)."""
    target = folder / f["disk"]
    who = ctx.store.get_user(uploader) if uploader else None
    if who is None:
        return target
    name = Path(f["name"])
    for n in range(1, 100):
        rec = ctx.store.get_document_by_path(canonical_path(target))
        if rec is None or can_read(who, rec.to_meta()):
            return target
        target = folder / disk_name(name.name, salt=f"{who.username}:{n}")
    raise JobError("name_taken", "같은 이름의 파일이 너무 많습니다. 파일 이름을 바꿔 올리세요.")


def ingest_upload(ctx: JobContext, params: dict) -> dict:
    dept = params["department"]
    folder = uploads_root(ctx.settings) / department_folder(dept)
    files = params["files"]
    counts: Counter[str] = Counter()
    docs: list[str] = []
    for i, f in enumerate(files):
        staged = Path(f["staged"])
        if ctx.cancelled:
            staged.unlink(missing_ok=True)
            ctx.item(f["key"], status="cancelled", message="작업이 취소되어 색인하지 않았습니다.")
            counts["cancelled"] += 1
            continue
        ctx.progress(i, len(files), f"{f['name']} 처리 중")
        ctx.item(f["key"], status="running", message="색인하는 중입니다.")
        if not staged.exists():
            ctx.item(
                f["key"],
                status="failed",
                message="올린 파일을 서버에서 찾을 수 없습니다. 다시 올리세요.",
            )
            counts["failed"] += 1
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target = _target_for(ctx, folder, f, params.get("uploader"))
        if is_hashed_disk_name(target.name) or target.name != f["disk"]:
            _remember_title(folder, target.name, Path(f["name"]).stem)
        os.replace(staged, target)  # atomic: the pipeline never sees half a file
        try:
            r = _ingest_one(ctx, target, params)
        except Exception as exc:  # noqa: BLE001 - one file's problem must not end the batch
            ctx.item(f["key"], status="failed", message=_reason_ko(exc))
            counts["failed"] += 1
            continue
        status = r.status.value
        ctx.item(
            f["key"],
            status=status,
            message=r.message or STATUS_KO.get(status),
            doc_id=r.doc_id,
            chunks=r.chunks,
            reason=r.reason,
            location=f"{dept}/{f['name']}",
        )
        counts[status] += 1
        if r.doc_id:
            docs.append(r.doc_id)
    summary = ", ".join(f"{STATUS_KO.get(k, k)} {v}" for k, v in counts.items())
    ctx.progress(len(files), len(files), f"완료: {summary}" if summary else "완료")
    return {"counts": dict(counts), "doc_ids": docs}


def reingest(ctx: JobContext, params: dict) -> dict:
    from control_tower.store import PENDING

    store = ctx.store
    rec = store.get_document(params["doc_id"])
    if rec is None:
        raise JobError("not_found", "문서를 찾을 수 없습니다. 이미 삭제되었을 수 있습니다.")
    path = Path(rec.source_path)
    if not path.exists():
        raise JobError("source_missing", "원본 파일이 서버에 없어 다시 수집할 수 없습니다.")
    ctx.progress(0, 1, f"{rec.title} 다시 수집 중")
    ctx.item(rec.doc_id, status="running", label=rec.title, message="색인하는 중입니다.")
    # pending: the pipeline empties the old chunks and indexes the file again (even unchanged)
    store.set_status(rec.doc_id, PENDING, reason="reingest", message="다시 수집 중입니다.")
    r = _ingest_one(
        ctx,
        path,
        {
            "department": rec.department,
            "access": rec.access_level.value,
            "allowed_users": rec.allowed_users,
            "allowed_departments": rec.allowed_departments,
        },
    )
    status = r.status.value
    ctx.item(
        rec.doc_id,
        status=status,
        message=r.message or STATUS_KO.get(status),
        doc_id=r.doc_id,
        chunks=r.chunks,
        reason=r.reason,
    )
    ctx.progress(1, 1, f"완료: {STATUS_KO.get(status, status)}")
    return {"counts": {status: 1}, "doc_ids": [rec.doc_id]}


def sweep_staging(service, *, age_s: float = 3600.0) -> list[str]:  # noqa: ANN001
    """Remove staged uploads no queued or running job will read (their job failed, was
    interrupted or cancelled) and ``.partial`` files of requests that died, an hour on."""
    folder = staging_dir(service.settings)
    if not folder.is_dir():
        return []
    live = {
        f["staged"]
        for job in service.repo.list(
            states=["queued", "running"], kinds=["ingest_upload"], limit=100_000
        )
        for f in (service.repo.params(job.job_id) or {}).get("files", [])
    }
    removed = []
    for p in folder.iterdir():
        # old only: a request may still be streaming the rest of its batch (not submitted yet)
        if time.time() - p.stat().st_mtime < age_s:
            continue
        if p.suffix == ".partial" or (p.suffix == ".upload" and str(p) not in live):
            p.unlink(missing_ok=True)
            removed.append(p.name)
    return removed


register_recovery(sweep_staging)
register_job("ingest_upload", ingest_upload, title_ko="문서 올리기", serial="ingest")
register_job("reingest", reingest, title_ko="문서 다시 수집", serial="ingest")
