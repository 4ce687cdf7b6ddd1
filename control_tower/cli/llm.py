"""`ct llm ...`: run the embedded vLLM server, list its profiles, check an endpoint."""

from __future__ import annotations

import re
import signal
import time

import typer
from rich.table import Table

from control_tower.cli.output import console, emit_json, fail
from control_tower.llm import PROFILES, LLMError, detect_device
from control_tower.prompts import load_prompt
from control_tower.settings import get_settings

app = typer.Typer(help="내장 LLM 서버(vLLM) 실행과 점검", no_args_is_help=True)

HANGUL = re.compile(r"[가-힣]")


def _raise_keyboard_interrupt(signum, frame) -> None:  # noqa: ARG001 — signal handler API
    raise KeyboardInterrupt


@app.command("serve")
def serve(
    profile: str | None = typer.Option(
        None, "--profile", "-p", help="프로필 이름 (기본: CT_LLM_PROFILE). `ct llm profiles` 참고"
    ),
    port: int | None = typer.Option(None, "--port", help="포트 (기본: CT_LLM_PORT)"),
) -> None:
    """vLLM 서버를 포그라운드로 실행합니다. Ctrl-C(또는 SIGTERM)로 서버 전체를 종료합니다."""
    from serving.vllm_launcher import VLLMServer

    settings = get_settings()
    try:
        server = VLLMServer(settings, profile or settings.llm_profile, port)
        server.start()
    except LLMError as exc:
        fail(exc.message, hint=exc.hint)
    # SIGTERM (systemd, docker stop, kill) takes the same clean path as Ctrl-C.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        console.print(f"로그: {server.log_path}")
        with console.status(f"'{server.profile.name}' 모델을 불러오는 중…") as status:
            server.wait_ready(
                on_poll=lambda s: status.update(
                    f"'{server.profile.name}' 모델을 불러오는 중… {s:.0f}초"
                )
            )
        console.print(
            f"[green]LLM 서버 준비 완료[/]: {server.base_url}  "
            f"(모델 이름 '{server.profile.name}', 종료: Ctrl-C)"
        )
        print(server.base_url, flush=True)
        while server.running:
            time.sleep(1.0)
        code = server.process.returncode if server.process else 1
        server.stop()
        fail(
            f"LLM 서버가 예기치 않게 종료되었습니다 (종료 코드 {code}).",
            hint=f"로그를 확인하세요: {server.log_path}",
        )
    except LLMError as exc:
        server.stop()
        fail(exc.message, hint=exc.hint)
    except KeyboardInterrupt:
        console.print("LLM 서버를 종료합니다…")
        server.stop()
        console.print("종료했습니다.")


@app.command("profiles")
def profiles(json_out: bool = typer.Option(False, "--json", help="JSON으로 출력")) -> None:
    """사용 가능한 LLM 프로필과 이 컴퓨터에서 실행 가능한지 보여 줍니다."""
    settings = get_settings()
    device = detect_device()
    rows = []
    for p in PROFILES.values():
        runnable = p.device.value == "cpu" or device.value == "cuda"
        prepared = (
            (settings.models_dir / "llm" / p.model / "config.json").is_file()
            if p.is_local
            else None
        )
        rows.append(
            {
                **p.model_dump(mode="json"),
                "default": p.name == settings.llm_profile,
                "runnable_here": runnable,
                "prepared": prepared,
            }
        )
    if json_out:
        emit_json({"device": device.value, "profiles": rows})
        return
    table = Table(title=f"LLM 프로필 (이 컴퓨터: {device.value})")
    for col in ("이름", "장치", "최대 길이", "준비됨", "설명"):
        table.add_column(col, overflow="fold")
    for r in rows:
        prepared = {True: "예", False: "아니오 (ct models prepare)", None: "허브에서 받음"}[
            r["prepared"]
        ]
        name = f"{r['name']} (기본)" if r["default"] else r["name"]
        table.add_row(
            name,
            r["device"],
            str(r["max_model_len"]),
            prepared,
            r["description"],
        )
    console.print(table)


@app.command("check")
def check(json_out: bool = typer.Option(False, "--json", help="JSON으로 출력")) -> None:
    """LLM 엔드포인트 점검: 연결, 모델 제공 여부, 한국어 한 줄 답변."""
    from control_tower.llm import chat_model, check_endpoint, llm_errors

    settings = get_settings()
    status = check_endpoint(settings)
    result: dict = {**status.model_dump(mode="json"), "ok": status.ok, "reply": None}
    ok = status.ok
    if status.ok:
        try:
            llm = chat_model(settings, max_tokens=64, temperature=0.0, streaming=False)
            started = time.perf_counter()
            with llm_errors(settings):
                reply = llm.invoke(load_prompt("llm_check").render()).content
            result["reply"] = str(reply).strip()
            result["reply_s"] = round(time.perf_counter() - started, 2)
            result["reply_has_hangul"] = bool(HANGUL.search(result["reply"]))
            ok = result["reply_has_hangul"]
            if not ok:
                result["code"] = "llm_no_korean"
                result["detail"] = "모델이 한국어로 답하지 않았습니다."
                result["hint"] = "한국어를 지원하는 모델(프로필)을 쓰세요."
        except LLMError as exc:
            ok = False
            result.update(code=exc.code, detail=exc.message, hint=exc.hint)
    result["ok"] = ok
    if json_out:
        emit_json(result)
        raise typer.Exit(0 if ok else 1)
    console.print(f"엔드포인트: {status.base_url}  (모델 '{status.model}')")
    console.print(f"제공 모델: {', '.join(status.models) or '—'}")
    if result.get("reply"):
        console.print(f"답변 ({result['reply_s']}초): {result['reply']}")
    if not ok:
        fail(result["detail"], hint=result.get("hint"))
    console.print("[green]정상[/]")
