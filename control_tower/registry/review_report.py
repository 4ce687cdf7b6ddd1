"""The review as a Korean Markdown report (``ct review --out``, the review page's download):
the shape of a 사전협의 검토 의견 — 사업 개요, 검토 결과, 사유, 유사·연계 사업과 근거."""

from __future__ import annotations

from control_tower.registry.review import ReviewResult

TYPE_KO = {"중복": "중복(유사)", "연계": "연계·공동이용", "선후": "선후(선행 사업 필요)"}


def _cell(value) -> str:  # noqa: ANN001
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _overview(card: dict) -> list[str]:
    period = "~".join(str(y) for y in (card.get("start_year"), card.get("end_year")) if y)
    budget = card.get("budget_eok")
    funding = ", ".join(f"{k} {v:g}억원" for k, v in (card.get("funding") or {}).items())
    rows = [
        ("사업명", card.get("name")),
        ("주관 부서", ", ".join(card.get("departments") or [])),
        ("사업 기간", period),
        ("총사업비", f"{budget:g}억원" if budget is not None else ""),
        ("재원", funding),
        ("목적", card.get("goal")),
        ("AI·데이터 기술", ", ".join(card.get("technologies") or [])),
    ]
    out = ["| 항목 | 내용 |", "|---|---|"]
    out += [f"| {k} | {_cell(v)} |" for k, v in rows if v]
    return out


def review_markdown(result: ReviewResult) -> str:
    card = result.card
    lines = [
        f"# 정보화사업 사전협의 자동 검토: {card.get('name', '')}",
        "",
        f"- 검토 대상 파일: {result.file}",
        f"- **검토 결과: {result.verdict}**",
        "",
        "## 1. 사업 개요 (계획서에서 추출)",
        "",
        *_overview(card),
        "",
        "## 2. 검토 의견",
        "",
        *[f"- {r}" for r in result.reasons],
        "",
        "## 3. 유사·연계 사업",
        "",
    ]
    if not result.matches:
        lines.append("유사하거나 연계가 필요한 기존 사업이 없습니다.")
    else:
        lines += ["| 기존 사업 | 부서 | 관계 | 점수 | 의견 |", "|---|---|---|---|---|"]
        for m in result.matches:
            lines.append(
                f"| {_cell(m.name)} | {_cell(', '.join(m.departments[:2]))} | "
                f"{TYPE_KO.get(m.type, m.type)} | {m.score:.2f} | {_cell(m.reason)} |"
            )
        lines += ["", "### 근거 문장", ""]
        for m in result.matches[:5]:
            lines.append(f"**{m.name}** ({TYPE_KO.get(m.type, m.type)})")
            lines.append("")
            for e in m.evidence:
                side = "신규 계획서" if e.get("card") == "proposal" else m.name
                where = " · ".join(
                    str(x)
                    for x in (e.get("section"), f"{e['page']}쪽" if e.get("page") else None)
                    if x
                )
                lines.append(f"> {_cell(e.get('text', ''))[:300]}")
                lines.append(f"> — {side}" + (f" ({where})" if where else ""))
                lines.append("")
    lines += [
        "",
        "---",
        "이 보고서는 등록된 사업 카드와 문서를 규칙·통계로 비교해 만든 초안입니다. "
        "판정과 점수는 자동 계산이며, 최종 판단은 사전협의 담당자가 합니다.",
    ]
    return "\n".join(lines) + "\n"
