"""The proposal's sentences, composed from computed facts (no LLM): problem, approach, KPIs,
prerequisites and risks. Every department fact in them is backed by a citation the proposal
carries; catalogue text is ours and needs none."""

from __future__ import annotations

from control_tower.ideation.gaps import Gap


def _list(items: list[str], n: int = 3) -> str:
    return ", ".join(items[:n]) + (f" 외 {len(items) - n}건" if len(items) > n else "")


def problem(gap: Gap, department: str) -> str:
    titles = sorted({ln.citation.title for lines in gap.hits.values() for ln in lines})
    found = f" {department} 문서에서도 {_list(list(gap.hits), 4)} 관련 내용이 확인됩니다" + (
        f" (「{titles[0]}」 등 {len(titles)}건)." if titles else "."
    )
    return gap.use_case.problem + found


def approach(gap: Gap, card_names: dict[str, str]) -> str:
    uc = gap.use_case
    parts = [f"{uc.technique} 기법으로 {_list(uc.outputs)}을(를) 만듭니다."]
    have = [d for d in gap.data if d.available]
    if have:
        holders = sorted({card_names[c] for d in have for c in d.cards if c in card_names})
        parts.append(
            f"기존 데이터({_list([d.name for d in have])})를 활용합니다"
            + (f" (보유 사업: {_list([f'「{n}」' for n in holders], 2)})." if holders else ".")
        )
    for platform, cards in gap.platforms.items():
        if cards:
            name = card_names.get(cards[0], cards[0])
            parts.append(f"{platform}은(는) 기존 사업 「{name}」을(를) 이용합니다.")
        else:
            parts.append(f"{platform}을(를) 먼저 갖춰야 합니다.")
    return " ".join(parts)


def kpis(gap: Gap) -> list[str]:
    return [
        f"{k.name}: {k.typical_change} (단위 {k.unit}, 유사 사업 사례 기준)"
        for k in gap.use_case.kpis
    ]


def prerequisites(gap: Gap, card_names: dict[str, str]) -> list[str]:
    uc = gap.use_case
    out = [f"데이터: {d}" for d in uc.prerequisites.data]
    for platform, cards in gap.platforms.items():
        out.append(
            f"플랫폼: {platform} — 기존 「{card_names.get(cards[0], cards[0])}」 활용"
            if cards
            else f"플랫폼: {platform} — 구축 필요"
        )
    if uc.prerequisites.privacy:
        out.append(f"개인정보: {uc.prerequisites.privacy}")
    return out


def risks(gap: Gap) -> list[str]:
    out = list(gap.use_case.risks)
    missing = [d.name for d in gap.data if not d.available]
    if missing:
        out.append(f"필요 데이터 미확보: {_list(missing)} — 수집 체계부터 마련해야 합니다.")
    return out
