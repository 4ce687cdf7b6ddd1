"""`ct serve`: the web app, plus the embedded LLM server unless CT_LLM_URL points elsewhere."""

from __future__ import annotations

import threading

import typer

from control_tower.cli.output import console
from control_tower.health import StartupState
from control_tower.settings import Settings, get_settings


def _background_start(
    settings: Settings, startup: StartupState, services, llm_server, demo: bool
) -> None:
    """Demo ingestion, search warm-up and LLM start run while the app answers /healthz."""
    try:
        if demo:
            from control_tower.bootstrap import prepare_demo

            startup.phase = "ingesting-demo"
            startup.message = "데모 문서를 생성하고 색인하는 중입니다."
            report = prepare_demo(settings)
            c = report.counts
            console.print(
                f"[green]데모 문서 색인 완료[/]: 신규 {c.get('indexed', 0)}, "
                f"갱신 {c.get('updated', 0)}, 변경 없음 {c.get('unchanged', 0)}, "
                f"건너뜀 {c.get('skipped', 0)}, 실패 {c.get('failed', 0)}"
            )
            # The demo's registry and link map, on rules alone (the LLM is still starting);
            # incremental, so later starts re-read only changed documents.
            from control_tower.registry.build import build_registry

            startup.phase = "building-registry"
            startup.message = "사업 레지스트리와 연계 지도를 만드는 중입니다."
            built = build_registry(settings, services.store, use_llm=False)
            console.print(
                f"[green]사업 레지스트리 준비 완료[/]: 카드 {built.cards}개, 연계 {built.links}건"
            )
        # The first search of a process loads the embedding model, Kiwi, Chroma's HNSW
        # graph and the BM25 matrix (~20 s at 100k chunks); do it before reporting ready.
        startup.phase = "warming-search"
        startup.message = "검색 색인을 메모리에 올리는 중입니다."
        services.retriever.warm_up()
        if llm_server is not None:
            startup.phase = "starting-llm"
            startup.message = "내장 LLM 서버를 시작하는 중입니다."
            llm_server.wait_ready()
            console.print(f"[green]LLM 서버 준비 완료[/]: {settings.llm_base_url}")
        startup.phase = "ready"
        startup.message = ""
        if demo:  # the first start's roadmap draft, as a job the workspace shows
            from control_tower.demo.roadmap import ensure_demo_roadmap

            use_llm = llm_server is not None or settings.llm_is_external
            if job_id := ensure_demo_roadmap(services, use_llm=use_llm):
                console.print(f"[green]데모 로드맵 초안 작성 시작[/] (작업 {job_id})")
    except Exception as exc:  # shown on /readyz and the console; the app keeps serving
        startup.phase = "failed"
        startup.message = f"시작 준비 중 오류: {exc}"
        console.print(f"[bold red]오류:[/] {startup.message}")


def uvicorn_options(settings: Settings) -> dict:
    """Server options every way of running the app uses (``ct serve``, test servers): a long
    request line must reach the app, which refuses it in Korean (``http_max_head_kb``)."""
    return {
        "h11_max_incomplete_event_size": settings.http_max_head_kb * 1024,
        "http": "h11",  # the option above is h11's; httptools would ignore it
    }


def serve(
    demo: bool = typer.Option(
        False,
        "--demo",
        help="데모 문서(포항시 가상 부서 문서)를 생성·색인하고 데모 사용자를 등록합니다.",
    ),
    llm: bool = typer.Option(
        True,
        "--llm/--no-llm",
        help="내장 LLM 서버를 함께 실행합니다 (CT_LLM_URL이 있으면 외부 서버 사용).",
    ),
    host: str | None = typer.Option(None, help="웹 앱 주소 (기본: CT_HOST)"),
    port: int | None = typer.Option(None, help="웹 앱 포트 (기본: CT_PORT)"),
) -> None:
    """웹 앱(FastAPI)과 내장 LLM 서버를 함께 실행합니다. Ctrl-C로 모두 종료합니다."""
    import uvicorn

    from serving.app import create_app

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if host:  # the cookie Secure default depends on the address actually served
        settings.host = host
    startup = StartupState(phase="starting", llm_required=llm or settings.llm_is_external)

    llm_server = None
    if llm and not settings.llm_is_external:
        from serving.vllm_launcher import VLLMServer

        llm_server = VLLMServer(settings, profile=settings.llm_profile, port=settings.llm_port)
        llm_server.start()
        console.print(
            f"내장 LLM 서버 시작 (프로필 {settings.llm_profile}, 포트 {settings.llm_port}, "
            f"로그 {llm_server.log_path})"
        )

    app = create_app(settings, startup=startup)
    worker = threading.Thread(
        target=_background_start,
        args=(settings, startup, app.state.services, llm_server, demo),
        daemon=True,
    )
    worker.start()
    host = host or settings.host
    port = port or settings.port
    console.print(f"[bold]AI 혁신 컨트롤타워[/]: http://{host}:{port}  (준비 상태: /readyz)")
    try:
        # In trusted-header mode the app must see the proxy's own address (the header is
        # honoured only from it), not the client address uvicorn would take from its
        # X-Forwarded-For.
        proxy_headers = settings.trusted_header is None
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="info",
            proxy_headers=proxy_headers,
            **uvicorn_options(settings),
        )
    finally:
        if llm_server is not None:
            console.print("LLM 서버를 종료합니다…")
            llm_server.stop()
