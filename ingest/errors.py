"""Why a file could not be ingested: one exception type, a catalogue of machine codes.

Every parser, the detector, the sandbox and the chunker raise only ``IngestError``. The
pipeline turns it into an ``IngestFileResult`` (``status``, ``reason=code``,
``message=message_ko``), so a person sees a Korean sentence and a program sees a stable code.

``skipped`` means "we looked at the file and there is deliberately nothing to index" (DRM,
password, scanned image, empty, unknown type, over a limit). ``failed`` means "there should be
text but we could not get it" (corrupt, truncated, parser crash, timeout, …) — worth a retry
after a parser upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["skipped", "failed"]


@dataclass(frozen=True)
class ErrorKind:
    code: str
    status: Status
    message_ko: str


CATALOGUE: dict[str, ErrorKind] = {
    k.code: k
    for k in (
        ErrorKind(
            "drm_markany",
            "skipped",
            "MarkAny DRM(문서보안)으로 암호화된 파일입니다. 보안 해제 후 다시 등록해 주세요.",
        ),
        ErrorKind(
            "encrypted",
            "skipped",
            "암호가 설정된 문서입니다. 암호를 해제한 뒤 다시 등록해 주세요.",
        ),
        ErrorKind(
            "corrupt",
            "failed",
            "파일이 손상되어 내용을 읽을 수 없습니다.",
        ),
        ErrorKind(
            "truncated",
            "failed",
            "파일이 중간에 잘려 있어(불완전한 복사·다운로드) 내용을 읽을 수 없습니다.",
        ),
        ErrorKind(
            "empty",
            "skipped",
            "문서에 색인할 텍스트가 없습니다(빈 파일 또는 빈 문서).",
        ),
        ErrorKind(
            "no_text_layer",
            "skipped",
            "텍스트 레이어가 없는 스캔 PDF입니다. OCR 처리 후 다시 등록해 주세요.",
        ),
        ErrorKind(
            "zip_bomb",
            "skipped",
            "압축 해제 크기가 비정상적으로 큰 파일이라 안전을 위해 처리하지 않았습니다.",
        ),
        ErrorKind(
            "too_large",
            "skipped",
            "파일이 허용된 최대 크기를 넘습니다.",
        ),
        ErrorKind(
            "too_many_chunks",
            "skipped",
            "문서가 너무 크거나 같은 내용이 지나치게 반복되어 색인하지 않았습니다. "
            "파일을 여러 개로 나누어 다시 등록해 주세요.",
        ),
        ErrorKind(
            "unsupported_type",
            "skipped",
            "지원하지 않는 파일 형식입니다 "
            "(지원: HWP, HWPX, PDF, DOCX, XLSX, PPTX, HTML, CSV, TXT, MD).",
        ),
        ErrorKind(
            "timeout",
            "failed",
            "문서 분석이 제한 시간을 넘겨 중단되었습니다.",
        ),
        ErrorKind(
            "memory_limit",
            "failed",
            "문서 분석 중 메모리 한도를 넘어 중단되었습니다.",
        ),
        ErrorKind(
            "parser_crash",
            "failed",
            "문서 분석기가 비정상 종료되었습니다.",
        ),
        ErrorKind(
            "distribution_placeholder_only",
            "failed",
            "배포용 문서에서 본문을 꺼내지 못했습니다(안내 문구만 읽힘).",
        ),
    )
}


class IngestError(Exception):
    """A file we cannot (or will not) index, with a stable ``code`` and a Korean message.

    ``message_ko`` and ``status`` default to the catalogue entry for ``code``; ``detail`` is
    an optional English/technical note for logs (library error text, offsets), never shown
    as the user-facing message.
    """

    def __init__(
        self,
        code: str,
        message_ko: str | None = None,
        status: Status | None = None,
        *,
        detail: str | None = None,
    ) -> None:
        kind = CATALOGUE.get(code)
        if kind is None and (message_ko is None or status is None):
            raise ValueError(f"unknown ingest error code {code!r} needs message_ko and status")
        self.code = code
        self.message_ko = message_ko if message_ko is not None else kind.message_ko
        self.status: Status = status if status is not None else kind.status
        self.detail = detail
        super().__init__(f"{code}: {self.message_ko}" + (f" ({detail})" if detail else ""))

    # Exceptions cross the sandbox's process boundary by pickling; keyword-only fields
    # would otherwise be lost.
    def __reduce__(self):
        return (_rebuild, (self.code, self.message_ko, self.status, self.detail))

    def to_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "status": self.status,
            "message": self.message_ko,
            "detail": self.detail,
        }


def _rebuild(code: str, message_ko: str, status: Status, detail: str | None) -> IngestError:
    return IngestError(code, message_ko, status, detail=detail)
