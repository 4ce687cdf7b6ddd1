"""Dev/test scaffolding: project cards built straight from the demo content, without extraction.

The real cards come from the registry build (extraction over ingested files). The linker is
developed and evaluated before that exists, so this builds the same shape of card from the
demo content data: each 사업계획-like document (one with an overview table) becomes one card
whose fields come from the overview and whose passages are its section lines. Evaluation and
tests only — code under ``control_tower/`` never reads the demo content.
"""

from __future__ import annotations

from control_tower.demo.content_model import DemoDocument
from control_tower.demo.generate import plan_corpus
from control_tower.registry.types import FieldValue, Passage, ProjectCard, SourceRef

_NAME_KEYS = ("사업명", "교육명")
_GOAL_HEADINGS = ("목표", "목적")
# Prose documents that are projects of their own (no overview table): key → project name,
# as labeled in evals/data/registry_cards.json.
PROSE_PROJECTS = {
    "health-mobile-healthcare": "2025년 모바일 헬스케어",
    "steel-hydrogen-cluster": "수소환원제철 연계 수소 특화단지 조성",
    "disaster-heatwave": "2025년 폭염 대응 종합대책",
}


def is_project_document(doc: DemoDocument) -> bool:
    """A document that is about one project of its own: a plan with an overview table."""
    return doc.key in PROSE_PROJECTS or (
        bool(doc.overview) and any(k in _NAME_KEYS for k, _ in doc.overview)
    )


def _card(doc: DemoDocument, path: str, department: str) -> ProjectCard:
    src = SourceRef(
        doc_id=doc.key, path=path, title=doc.title, department=department, doc_date=doc.date
    )
    overview = dict(doc.overview)
    name = PROSE_PROJECTS.get(doc.key) or next(overview[k] for k in _NAME_KEYS if k in overview)

    def fv(value, section="사업개요"):
        return [
            FieldValue(
                value=value, method="table", source=src.model_copy(update={"section": section})
            )
        ]

    fields = {"name": fv(name), "departments": fv([department])}
    passages: list[Passage] = []
    for k, v in doc.overview:
        if k not in _NAME_KEYS:
            passages.append(
                Passage(
                    text=f"{k}: {v}"[:600], source=src.model_copy(update={"section": "사업개요"})
                )
            )
    for sec in doc.sections:
        lines = [ln.strip() for ln in sec.lines if ln.strip()]
        for ln in lines:
            passages.append(
                Passage(text=ln[:600], source=src.model_copy(update={"section": sec.heading}))
            )
        if lines and "goal" not in fields and any(h in sec.heading for h in _GOAL_HEADINGS):
            fields["goal"] = fv(lines[0].lstrip("○- ").strip(), sec.heading)
    return ProjectCard(id=f"card-{doc.key}", fields=fields, passages=passages)


def demo_cards() -> list[ProjectCard]:
    """One card per demo project document, in the corpus order; card id = ``card-<key>``."""
    return [
        _card(doc, entry.path, entry.department)
        for entry, doc in plan_corpus()
        if is_project_document(doc)
    ]


def path_to_key() -> dict[str, str]:
    """Demo file path (``<부서>/<file>``) → document key, from the manifest plan."""
    return {entry.path: entry.key for entry, _ in plan_corpus()}
