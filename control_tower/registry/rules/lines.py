"""Logical lines of the prose blocks, each with its exact span and the section label above it.

Parsers differ: DOCX gives heading blocks, HWPX gives one list item per line with the
``○`` stripped, PDF gives paragraphs of several lines with wrapped continuations. A logical
line starts at a bullet/number marker or a new block; a wrapped line joins the one before.
Section labels (``2. 사업내용``, ``사업내용``, ``성과지표``) are recognised by numbering or by
the known label words, so body rules can ask "the lines under 사업내용".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from control_tower.domain import BlockKind
from control_tower.registry.rules.doc import DocBlock, DocView

MARKER = re.compile(r"^\s*(?:[○◦•▪□■◇◆※\-·*∙ㆍ]|\d+[.)]\s|[①-⑳]|[가-하][.)]\s)")
NUMBERED = re.compile(r"^\s*(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+\.|\d+(?:-\d+)?\.|[가-하]\.|과제\s*\d+\.)\s*")
_BULLET = re.compile(r"^\s*[○◦•▪□■◇◆\-·*∙ㆍ]\s*")
PAGE_MARK = re.compile(r"^\s*-\s*\d+\s*-\s*$")

# Label word (spaces removed, numbering stripped) → the field its body feeds.
LABELS = {
    "목적": "goal",
    "사업목적": "goal",
    "추진목적": "goal",
    "추진목표": "goal",
    "사업목표": "goal",
    "목표": "goal",
    "사업내용": "summary",
    "주요내용": "summary",
    "사업개요": "other",  # the overview table's heading, not a body section
    "지원내용": "summary",
    "서비스내용": "summary",
    "교육내용": "summary",
    "교육과정": "summary",
    "추진내용": "summary",
    "세부내용": "summary",
    "주요사업내용": "summary",
    "주요기능": "summary",
    "성과지표": "kpis",
    "성과목표": "kpis",
    "kpi": "kpis",
    "목표지표": "kpis",
    "참여기관": "partners",
    "협력기관": "partners",
    "협업기관": "partners",
    "운영및협력체계": "other",
    "추진체계": "other",
    "협업": "other",
    "지원대상": "beneficiaries",
    "교육대상": "beneficiaries",
    "수혜대상": "beneficiaries",
    "추진배경": "background",
    "배경": "background",
    "현황": "background",
    "필요성": "background",
    "사업필요성": "background",
    "추진필요성": "background",
    "유사사업조정": "other",
    "추진방향": "other",
    "추진방법": "other",
    "추진근거": "laws",
    "근거": "laws",
    "관련법령": "laws",
    "법적근거": "laws",
    "추진일정": "other",
    "기대효과": "effects",
    "사업비": "other",
    "소요예산": "other",
    "향후계획": "other",
    "사업개요표": "other",
}
METADATA = re.compile(r"^(?:문서번호|작성일자|작성부서|문서구분|공개구분|작성자|보고일자)\s*[:：]")
CONTACT = re.compile(r"☎|전화|연락처|\d{2,3}-\d{3,4}-\d{4}")


@dataclass
class Line:
    text: str  # the raw span, continuations joined by a space
    start: int
    end: int
    blk: DocBlock
    label: str | None  # the field of the section label above (see LABELS), or None
    heading: str | None  # that label's text

    @property
    def body(self) -> str:
        """The text without its bullet marker."""
        return _BULLET.sub("", self.text).strip()


def label_key(text: str) -> str:
    return re.sub(r"\s+", "", NUMBERED.sub("", _BULLET.sub("", text))).lower()


def label_of(text: str, blk: DocBlock) -> str | None:
    """The field a label line introduces ("" for an unknown numbered label), or None."""
    key = label_key(text)
    if key in LABELS:
        return LABELS[key]
    if blk.kind == BlockKind.heading or (NUMBERED.match(text) and len(text) <= 40):
        return "" if ":" not in text else None
    return None


def _raw_lines(blk: DocBlock) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for raw in blk.text.split("\n"):
        start, end = blk.start + pos, blk.start + pos + len(raw)
        pos += len(raw) + 1
        if not raw.strip() or PAGE_MARK.match(raw):
            continue
        if spans and not MARKER.match(raw) and not NUMBERED.match(raw) and ":" not in raw[:12]:
            spans[-1] = (spans[-1][0], end)  # a wrapped continuation
        else:
            spans.append((start, end))
    return spans


def logical_lines(view: DocView) -> list[Line]:
    """Every prose line of the document with the section label it sits under."""
    lines: list[Line] = []
    label: str | None = None
    heading: str | None = None
    for blk in view.blocks:
        if blk.kind == BlockKind.table:
            continue
        for start, end in _raw_lines(blk):
            raw = view.text[start:end]
            start += len(raw) - len(raw.lstrip())
            end -= len(raw) - len(raw.rstrip())
            text = view.text[start:end].replace("\n", " ")
            found = label_of(text, blk)
            if found is not None:
                label, heading = found or None, text
                if found == "" or len(text) <= 20:
                    continue
            lines.append(Line(text, start, end, blk, label, heading))
    return lines
