"""review_proposal: a 정보화사업 사전협의-style review of a proposal — pasted text or a document
in the store the caller may read — with ``registry.review`` (rules only, no LLM): the verdict
(재검토 / 조건부 추진 / 추진), its reasons and the matching existing projects.

``review_file`` scores the proposal only against the cards the caller may see; the matches'
passages are re-checked with the registry's ``Reader`` before they become evidence. The
proposal itself is cited too (``review:{digest}`` for pasted text — the caller's own words —
or the stored document), so a verdict with no match still rests on a passage.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from control_tower.chat.graph.evidence import REVIEW_PREFIX
from control_tower.chat.tools.base import Tool, ToolContext, ToolError
from control_tower.chat.tools.cards import EvidenceList, link_passage, visible
from control_tower.chat.types import Evidence, Fact, ToolResult
from control_tower.names import display_location

NOT_READABLE = "검토할 문서를 찾을 수 없거나 볼 권한이 없습니다."
PASTED = "pasted.txt"  # no project-like words: the name must come from the text itself
NEED_INPUT = "검토할 사업계획서 내용(50자 이상)이나 문서를 알려 주세요."
ORIGINALS = (".hwp", ".hwpx", ".pdf", ".docx")  # what review_file reads with its overview tables
TYPE_KO = {"중복": "중복", "연계": "연계·공동이용", "선후": "선후(선행 사업)"}


class ReviewInput(BaseModel):
    text: str | None = Field(default=None, min_length=50, max_length=20000)
    doc_id: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _one(self) -> ReviewInput:
        if not (self.text or self.doc_id):
            raise ValueError(NEED_INPUT)
        return self


class MatchOut(BaseModel):
    card_id: str
    name: str
    department: str | None
    type: str
    score: float
    reason: str


class ReviewOutput(BaseModel):
    name: str
    verdict: str
    reasons: list[str] = Field(default_factory=list)
    matches: list[MatchOut] = Field(default_factory=list)


def _work_dir(ctx: ToolContext) -> Path:
    """A private folder under the data dir's tmp area (the caller deletes it)."""
    base = Path(ctx.settings.data_dir) / "tmp"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="chat-review-", dir=base))


def _stored(ctx: ToolContext, doc_id: str):  # noqa: ANN202 - (record, original path | None, text)
    """The stored document the caller may read: its original file when it is still there and
    a format the review reads, and its parsed text (for the cited passage)."""
    from control_tower.access import can_read
    from control_tower.store.parsed import parsed_copies
    from ingest.chunking import full_text

    record = ctx.store.get_document(doc_id)
    if record is None or not can_read(ctx.principal, record.to_meta()):
        raise ToolError("doc_not_found", NOT_READABLE)
    parsed = parsed_copies(ctx.settings.data_dir).load(doc_id, record.version)
    text = full_text(parsed) if parsed is not None else ""
    original = Path(record.source_path) if record.source_path else None
    if original is None or not original.is_file() or original.suffix.lower() not in ORIGINALS:
        original = None
    if original is None and len(text.strip()) < 50:
        raise ToolError("doc_not_found", NOT_READABLE)
    return record, original, text


def _run_review(ctx: ToolContext, path: Path, filename: str):  # noqa: ANN202 - ReviewResult
    from control_tower.registry.review import NO_PROJECT, review_file
    from control_tower.registry.service import RegistryError

    try:
        return review_file(
            ctx.settings, ctx.store, ctx.principal, path, filename=filename, embedder=ctx.embedder
        )
    except RegistryError as exc:
        message = NO_PROJECT if exc.code == "no_project" else exc.message_ko
        raise ToolError(exc.code, message) from exc


def _without_itself(result, doc_id: str, cards: dict):  # noqa: ANN001, ANN202
    """A stored document's own card(s) are not a duplicate of it: drop them, re-decide."""
    from control_tower.registry.review import verdict_of

    kept = [
        m
        for m in result.matches
        if not (m.card in cards and doc_id in {s.doc_id for s in cards[m.card].sources()})
    ]
    if len(kept) == len(result.matches):
        return result
    verdict, reasons = verdict_of(kept)
    return result.model_copy(update={"matches": kept, "verdict": verdict, "reasons": reasons})


def _match_evidence(match, card, reader, ev: EvidenceList) -> list[int]:  # noqa: ANN001
    """The link's passages on the existing card's side (readable ones), else its name source."""
    idx: list[int] = []
    if card is None:
        return idx
    for e in match.evidence:
        if e.get("card") == card.id and reader.can(e.get("doc_id", "")):
            idx += ev.add(link_passage(card, e))
    return idx or ev.field(card, "name")


class ReviewProposal(Tool):
    name = "review_proposal"
    description = (
        "사업계획서(붙여 넣은 글 또는 열람 가능한 문서)를 정보화사업 사전협의처럼 검토해 "
        "기존 사업과의 중복·연계·선후 관계와 판정(재검토·조건부 추진·추진)을 알려 줍니다."
    )
    Input = ReviewInput
    Output = ReviewOutput

    def run(self, ctx: ToolContext, args: ReviewInput) -> ToolResult:
        from control_tower.registry.visibility import Reader

        ev = EvidenceList()
        folder = _work_dir(ctx)
        try:
            if args.doc_id:
                record, original, text = _stored(ctx, args.doc_id)
                if original is not None:
                    name = record.title + original.suffix.lower()
                    path = folder / f"proposal{original.suffix.lower()}"
                    shutil.copyfile(original, path)
                else:
                    name, path = record.title + ".txt", folder / "proposal.txt"
                    path.write_text(text, encoding="utf-8")
                result = _run_review(ctx, path, name)
                own = Evidence(
                    doc_id=record.doc_id,
                    version=max(record.version, 1),
                    title=record.title,
                    department=record.department,
                    path=display_location(record.department, record.source_path, record.title),
                    doc_type=record.doc_type or "",
                    char_start=0,
                    char_end=min(len(text), 4000),
                    text=text[:4000] or record.title,
                )
            else:
                text = args.text or ""
                path = folder / "proposal.txt"
                path.write_text(text, encoding="utf-8")
                result = _run_review(ctx, path, PASTED)
                digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
                dept = ctx.principal.department or "미지정"
                own = Evidence(
                    doc_id=f"{REVIEW_PREFIX}{digest}",
                    title="검토 요청 사업계획서",
                    department=dept,
                    path=f"{dept}/붙여 넣은 사업계획서",
                    doc_type="review",
                    text=text[:4000],
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        cards = {c.id: c for c in visible(ctx)}
        if args.doc_id:
            result = _without_itself(result, args.doc_id, cards)
        reader = Reader(ctx.store, ctx.principal)
        proposal = str(result.card.get("name") or "검토 대상")
        own_idx = ev.add(own)
        facts: list[Fact] = []
        matches: list[MatchOut] = []
        match_idx: list[int] = []
        for m in result.matches:
            card = cards.get(m.card)
            if card is None:
                continue  # review_file only scores visible cards; belt and braces
            idx = _match_evidence(m, card, reader, ev)
            match_idx += idx
            matches.append(
                MatchOut(
                    card_id=m.card,
                    name=m.name,
                    department=card.lead_department,
                    type=m.type,
                    score=round(m.score, 2),
                    reason=m.reason,
                )
            )
            facts.append(
                Fact(
                    label=f"{proposal} ↔ {m.name} {m.type}",
                    value=f"{TYPE_KO.get(m.type, m.type)} {m.score:.2f}",
                    evidence=sorted(set(idx)) or own_idx,
                    sentence=f"{m.reason.rstrip('.')} (관계: {TYPE_KO.get(m.type, m.type)}, "
                    f"점수 {m.score:.2f}).",
                )
            )
        first = result.reasons[0] if result.reasons else ""
        facts.insert(
            0,
            Fact(
                label=f"사전협의 검토 결과: {proposal}",
                value=result.verdict,
                evidence=own_idx + sorted(set(match_idx) - set(own_idx))[:4],
                sentence=f"사전협의 기준으로 검토하면 '{proposal}' 사업은 '{result.verdict}' "
                f"판정입니다: {first.rstrip('.')}.",
            ),
        )
        out = ReviewOutput(
            name=proposal, verdict=result.verdict, reasons=result.reasons, matches=matches
        )
        summary = f"검토 결과 {result.verdict}, 유사·연계 사업 {len(matches)}건"
        return ToolResult(
            tool=self.name, summary=summary, evidence=ev.items, facts=facts, data=out.model_dump()
        )
