"""Hand edits of a draft's structure: move an initiative, change a budget line, reword the vision.

An edit changes only what the user named; totals, phases, KPI years, training, risks and
the appendix are then re-derived (``structure.recompute``) and the checks re-run by the
caller, so an edit that breaks the plan — a service moved before its platform, a year over
the ceiling — shows up as a failing check rather than being silently undone.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationError

from control_tower.roadmap.budget import spread
from control_tower.roadmap.ordering import RoadmapError
from control_tower.roadmap.structure import recompute
from control_tower.roadmap.types import PhaseName, RoadmapStructure


class StructureEdit(BaseModel):
    initiative: str | None = None
    phase: PhaseName | None = None
    start_year: int | None = None
    end_year: int | None = None
    budget_by_year: dict[int, float] | None = None  # 억원; 0 removes the line
    vision: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=120)


def _bad(message: str) -> RoadmapError:
    return RoadmapError("bad_edit", message)


def apply_changes(structure: RoadmapStructure, changes: dict) -> tuple[RoadmapStructure, str]:
    try:
        edit = StructureEdit.model_validate(changes)
    except ValidationError as exc:
        raise _bad(f"구조 수정 값이 올바르지 않습니다: {exc.errors()[0]['msg']}") from None
    s = structure.model_copy(deep=True)
    notes = []
    if edit.vision is not None:
        s.vision = edit.vision.strip()
        notes.append("비전")
    if edit.title is not None:
        s.title = edit.title.strip()
        notes.append("제목")
    if edit.initiative is not None:
        notes.append(_edit_initiative(s, edit))
    if not notes:
        raise _bad(
            "바꿀 항목이 없습니다 (phase, start_year, end_year, budget_by_year, vision, title)."
        )
    return recompute(s), "구조 수정: " + ", ".join(notes)


def _edit_initiative(s: RoadmapStructure, edit: StructureEdit) -> str:
    ini = s.initiative(edit.initiative or "")
    if ini is None:
        raise _bad(f"추진과제를 찾을 수 없습니다: {edit.initiative}")
    first, last = s.guidance.from_year, s.guidance.to_year
    total = ini.budget_total
    start, end = ini.start_year, ini.end_year
    if edit.phase is not None:
        phase = next((p for p in s.phases if p.name == edit.phase), None)
        if phase is None:
            raise _bad(f"이 초안에는 {edit.phase} 단계가 없습니다.")
        start, end = phase.start_year, phase.start_year + (end - start)
    if edit.start_year is not None:
        start, end = edit.start_year, edit.start_year + (end - start)
    if edit.end_year is not None:
        end = edit.end_year
    if end < start or not (first - 10 <= start <= last + 10):
        raise _bad(f"기간이 올바르지 않습니다: {start}~{end}")
    changed = []
    if (start, end) != (ini.start_year, ini.end_year):
        ini.start_year, ini.end_year, ini.fixed = start, end, True
        ini.budget_by_year = spread(total, start, end, first, last)
        changed.append(f"「{ini.title}」 기간 {start}~{end}")
    if edit.budget_by_year is not None:
        for year, amount in edit.budget_by_year.items():
            if not first <= year <= last or amount < 0 or amount > 1_000_000:
                raise _bad(f"예산 줄이 올바르지 않습니다: {year}년 {amount}억원")
            if amount == 0:
                ini.budget_by_year.pop(year, None)
            else:
                ini.budget_by_year[year] = round(float(amount), 2)
        ini.budget_by_year = dict(sorted(ini.budget_by_year.items()))
        ini.budget_basis = "사용자 수정"
        changed.append(f"「{ini.title}」 예산")
    if not changed:
        raise _bad("추진과제에서 바뀐 값이 없습니다.")
    return ", ".join(changed)
