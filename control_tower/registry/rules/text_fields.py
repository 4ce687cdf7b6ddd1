"""Text and list fields a plan labels in its body: goal, summary, beneficiaries, partners,
KPIs, laws; plus technologies and data kinds from the lexicon.

Rules only read what the document labels (a ``사업내용`` section, a ``성과지표`` line with a
number, a ``「…」`` law name, a background line ending ``…하고자 함``); anything subtler is
left for the LLM. Every value is cited to the span it was read from.
"""

from __future__ import annotations

import re

from control_tower.registry.lexicon import find_terms
from control_tower.registry.rules.doc import DocView
from control_tower.registry.rules.lines import CONTACT, METADATA, Line
from control_tower.registry.types import FieldValue

SUMMARY_LINES = 3
MAX_TEXT = 300
_LAW = re.compile(r"「([^」]{2,60})」")
_LAW_NAME = re.compile(
    r"[가-힣A-Za-z·\s]{2,40}?(?:법률|법|조례|시행령|시행규칙|규정)(?:\s*제\d+조(?:의\d+)?)?"
)
_GOAL_END = re.compile(r"(?:하고자\s*함|고자\s*함|위함|목적으로\s*함)\s*$")


def _fv(view: DocView, line: Line, start: int, end: int, value) -> FieldValue:
    return FieldValue(value=value, method="rule", source=view.ref(line.blk, start, end))


def _body_span(line: Line) -> tuple[int, int, str]:
    text = line.body
    at = line.text.find(text)
    return line.start + at, line.start + at + len(text), text


def _under(lines: list[Line], label: str) -> list[Line]:
    return [ln for ln in lines if ln.label == label and not CONTACT.search(ln.text)]


def text_fields(view: DocView, lines: list[Line]) -> dict[str, FieldValue]:
    out: dict[str, FieldValue] = {}
    goal = _under(lines, "goal") or [
        ln for ln in _under(lines, "background") if _GOAL_END.search(ln.text)
    ]
    if goal:
        s, e, text = _body_span(goal[0])
        out["goal"] = _fv(view, goal[0], s, e, text[:MAX_TEXT])
    summary = [ln for ln in _under(lines, "summary") if len(ln.body) >= 4][:SUMMARY_LINES]
    if summary:
        s, _, _ = _body_span(summary[0])
        _, e, _ = _body_span(summary[-1])
        text = " / ".join(ln.body for ln in summary)[:MAX_TEXT]
        out["summary"] = _fv(view, summary[0], s, e, text)
    kpis = [ln for ln in _under(lines, "kpis") if re.search(r"\d", ln.text)][:6]
    if kpis:
        s, e, _ = _body_span(kpis[0])
        out["kpis"] = _fv(view, kpis[0], s, e, [ln.body[:MAX_TEXT] for ln in kpis])
    for field in ("partners", "beneficiaries"):
        got = [ln for ln in _under(lines, field) if ":" not in ln.body[:12]][:4]
        if got:
            s, e, _ = _body_span(got[0])
            out[field] = _fv(view, got[0], s, e, [ln.body[:MAX_TEXT] for ln in got])
    laws = _laws(view, lines)
    if laws:
        out["laws"] = laws
    return out


def _laws(view: DocView, lines: list[Line]) -> FieldValue | None:
    names: list[str] = []
    first: tuple[Line, int, int] | None = None
    for ln in lines:
        found = [(m.group(1).strip(), m.start(1), m.end(1)) for m in _LAW.finditer(ln.text)]
        if ln.label == "laws" or re.match(r"^\W*(?:추진\s*)?근거\s*[:：]", ln.text):
            found += [
                (m.group(0).strip(), m.start(), m.end())
                for m in _LAW_NAME.finditer(ln.text)
                if "「" not in m.group(0)
            ]
        for name, s, e in found:
            if name not in names:
                names.append(name)
                if first is None:
                    first = (ln, ln.start + s, ln.start + e)
    if not names or first is None:
        return None
    ln, s, e = first
    return _fv(view, ln, s, e, names[:8])


def lexicon_fields(view: DocView, lines: list[Line]) -> dict[str, FieldValue]:
    """Technologies and data kinds named in the body, each cited at its first occurrence."""
    out: dict[str, FieldValue] = {}
    body = [ln for ln in lines if not METADATA.match(ln.text) and not CONTACT.search(ln.text)]
    for field, kind in (("technologies", "technologies"), ("data", "data")):
        hits: dict[str, tuple[Line, int, int]] = {}
        for ln in body:
            for term, s, e in find_terms(ln.text, kind):
                hits.setdefault(term, (ln, ln.start + s, ln.start + e))
        if hits:
            ln, s, e = min(hits.values(), key=lambda h: h[1])
            out[field] = _fv(view, ln, s, e, list(hits))
    return out
