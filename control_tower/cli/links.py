"""`ct links`: the cross-department link map (중복 / 연계 / 선후) and platform candidates."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from control_tower.cli.output import console, emit_json, fail
from control_tower.cli.principal import resolve_user
from control_tower.settings import get_settings

TYPES = ("중복", "연계", "선후")


def links(
    department: str = typer.Option(None, "--department", "-d", help="이 부서의 사업이 걸린 연계만"),
    link_type: str = typer.Option(None, "--type", help="중복, 연계, 선후 중 하나"),
    top: int = typer.Option(None, "--top", help="점수 상위 N건만"),
    user: str = typer.Option(
        None, "--user", "-u", help="이 사용자의 권한으로 봅니다 (없으면 익명: 공개 문서만)"
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """부서 간 사업 연계(중복·연계·선후)와 통합 플랫폼 후보를 보여 줍니다.

    선후 연계에서 a는 선행 사업(b가 필요로 하는 것을 제공)입니다.
    """
    from control_tower.registry.link_json import cluster_json, link_json
    from control_tower.registry.link_views import filter_links, link_map
    from control_tower.store import open_store

    if link_type and link_type not in TYPES:
        fail(f"--type 은 {', '.join(TYPES)} 중 하나여야 합니다: '{link_type}'")
    if top is not None and top < 1:
        fail("--top 은 1 이상이어야 합니다.")
    settings = get_settings()
    principal = resolve_user(settings, user)
    lm = link_map(open_store(settings), principal)
    shown, clusters = filter_links(lm, department=department, link_type=link_type, top=top)
    if as_json:
        emit_json(
            {
                "links": [link_json(lk, lm.cards) for lk in shown],
                "clusters": [cluster_json(c, lm.cards) for c in clusters],
            }
        )
        return
    table = Table(title=f"사업 연계 {len(shown)}건")
    for col in ("유형", "점수", "사업", "근거"):
        table.add_column(col)
    for lk in shown:
        a, b = lm.cards[lk.a].name, lm.cards[lk.b].name
        arrow = f"{a} → {b}" if lk.type == "선후" else f"{a} ↔ {b}"
        table.add_row(lk.type, f"{lk.score:.2f}", escape(arrow), escape(lk.rationale))
    console.print(table)
    for c in clusters:
        names = ", ".join(lm.cards[x].name for x in c.cards if x in lm.cards)
        console.print(f"[bold]통합 플랫폼 후보[/] {escape(c.component)}: {escape(names)}")
