"""The ``registry_build`` job: ``ct registry build`` as a background job with progress.

One build at a time (``serial="registry"``): two builds would both write the card table.
The report is the job's result; an LLM that is down is a note in the result, not a failure.
"""

from __future__ import annotations

from control_tower.jobs.registry import JobContext, register_job

KIND = "registry_build"


def registry_build(ctx: JobContext, params: dict) -> dict:
    from control_tower.registry.build import build_registry

    def progress(done: int, total: int, message: str) -> None:
        ctx.progress(done, total, message)

    report = build_registry(
        ctx.settings,
        ctx.store,
        use_llm=bool(params.get("use_llm", True)),
        link=bool(params.get("link", True)),
        progress=progress,
    )
    summary = (
        f"사업 카드 {report.cards}개 (새로 {report.created}, 갱신 {report.updated}), "
        f"연계 {report.links}건"
    )
    ctx.progress(report.documents + 2, report.documents + 2, f"완료: {summary}")
    return report.public()


register_job(KIND, registry_build, title_ko="사업 레지스트리 만들기", serial="registry")
