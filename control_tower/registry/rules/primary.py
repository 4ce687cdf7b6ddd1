"""The primary mention of a plan: the project the document is about.

Named by the overview table, else by ``○ 사업명:`` bullets, else (plan-like prose only) by
its title. Lead department from the document's own 담당부서 cell/line, else the owning
department; status stated, else derived from the period against the document date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from control_tower.registry.period import Period, status_from_period
from control_tower.registry.rules.bullets import bullet_pairs
from control_tower.registry.rules.doc import DocView
from control_tower.registry.rules.fields import typed_fields
from control_tower.registry.rules.lines import Line
from control_tower.registry.rules.overview import overview_pairs
from control_tower.registry.rules.passages import passages
from control_tower.registry.rules.text_fields import lexicon_fields, text_fields
from control_tower.registry.rules.title import name_from_title
from control_tower.registry.types import FieldValue, Mention

_NO_PROSE_MENTION = ("회의록", "회의 결과", "결과보고", "결과 보고", "주요업무계획", "보고회")
_PERIOD_KEYS = ("start_year", "start_month", "end_year", "end_month")


def _title(view: DocView) -> str:
    return (view.base.title or view.parsed.title or "").strip()


def _title_field(view: DocView, name: str, title: str) -> FieldValue:
    for blk in view.blocks[:6]:
        at = blk.text.find(name)
        if at >= 0 and title[:6] in blk.text:
            return FieldValue(
                value=name,
                method="rule",
                source=view.ref(blk, blk.start + at, blk.start + at + len(name)),
            )
    return FieldValue(value=name, method="rule", source=view.base.model_copy())


def _aliases(name: str, title: str) -> list[str]:
    out: list[str] = []
    got = name_from_title(title)
    if got and got[0] != name:
        out.append(got[0])
    plain = re.sub(r"['‘’\"“”]", "", name).strip()
    if plain != name:
        out.append(plain)
    short = re.sub(
        r"\s*[(（][^)）]*[)）]\s*$", "", re.sub(r"^(?:19|20)\d{2}년\s*", "", plain)
    ).strip()
    if short not in (name, plain) and len(short) >= 2:
        out.append(short)
    return [a for a in dict.fromkeys(out) if a]


def primary_mention(view: DocView, lines: list[Line], departments: Sequence[str]) -> Mention | None:
    title = _title(view)
    prose_ok = not view.is_sheet and not any(w in title for w in _NO_PROSE_MENTION)
    items = overview_pairs(view) + (bullet_pairs(view, lines) if prose_ok else [])
    typed = typed_fields(items, departments)
    fields = typed.fields
    if "name" not in fields:
        got = name_from_title(title) if prose_ok else None
        if got is None:
            return None
        name, period = got
        fields["name"] = _title_field(view, name, title)
        if period is not None and "start_year" not in fields:
            for k in _PERIOD_KEYS:
                if getattr(period, k) is not None:
                    fields[k] = FieldValue(
                        value=getattr(period, k), method="rule", source=fields["name"].source
                    )
    name = fields["name"].value
    lead_fv = fields.pop("lead_department", None)
    lead = typed.lead or view.base.department
    depts = [lead] + [d for d in typed.partner_departments if d != lead]
    fields["departments"] = FieldValue(
        value=[d for d in depts if d],
        method=lead_fv.method if lead_fv else "rule",
        source=lead_fv.source if lead_fv else fields["name"].source,
    )
    aliases = _aliases(name, title)
    if aliases:
        fields["aliases"] = FieldValue(value=aliases, method="rule", source=fields["name"].source)
    if "status" not in fields and "start_year" in fields and "end_year" in fields:
        period = Period(**{k: fields[k].value if k in fields else None for k in _PERIOD_KEYS})
        status = status_from_period(period, view.base.doc_date)
        if status:
            fields["status"] = FieldValue(
                value=status, method="rule", source=fields["start_year"].source
            )
    for key, fv in {**text_fields(view, lines), **lexicon_fields(view, lines)}.items():
        fields.setdefault(key, fv)
    return Mention(
        name=name,
        role="primary",
        lead_department=lead,
        fields=fields,
        passages=passages(view, lines),
        source=fields["name"].source,
    )
