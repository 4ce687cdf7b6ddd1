"""Read a multipart upload from ``request.stream()``, after the caller was authenticated.

Why not FastAPI's ``UploadFile``: FastAPI reads (and spools to disk) the whole multipart body
before any dependency runs, so a 2 GB chunked body from nobody filled 2 GB of disk before the
401. Here the route authenticates first, then this reader streams the body through
python-multipart's ``MultipartParser`` and enforces, while reading:

- the per-file limit (``max_file_mb``), the batch limit (``upload_max_batch_mb``) and the file
  count (``upload_max_files``) → 413 at the first byte over, the partial files removed;
- a file name on every ``file``/``files`` part (a ``file`` field without one is a Korean 400,
  not a 500) that ``safe_file_name`` accepts (``..``, ``.``, empty → Korean 400);
- small text fields only (64 KB each).

Each file goes to ``<data_dir>/jobs/staging/<uuid>.partial`` and is renamed to
``<uuid>.upload`` when its part ends (unique names: parallel uploads of one name never share
a temporary file). The caller removes the staged files if it refuses the batch later.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from fastapi import HTTPException, Request
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from control_tower.names import BadNameError, safe_file_name
from serving.errors import api_error

FILE_FIELDS = ("file", "files")
MAX_FIELD_BYTES = 64 * 1024


@dataclass
class StagedFile:
    sent_name: str  # as the client sent it (cleaned of control characters only for display)
    name: str  # safe_file_name(sent_name): what people see, ≤ 200 characters
    path: Path  # staged file
    size: int = 0


@dataclass
class UploadForm:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[StagedFile] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None

    def discard(self) -> None:
        for f in self.files:
            f.path.unlink(missing_ok=True)


def _too_large(message: str) -> HTTPException:
    return api_error(413, "too_large", message)


class _Reader:
    def __init__(self, staging: Path, max_file: int, max_total: int, max_files: int, max_mb: int):
        self.staging, self.max_file, self.max_total = staging, max_file, max_total
        self.max_files, self.max_mb = max_files, max_mb
        self.form = UploadForm()
        self.total = 0
        self.done = False
        self._headers: dict[bytes, bytes] = {}
        self._hname = b""
        self._hvalue = b""
        self._kind: str | None = None  # "file" | "field" | "ignore"
        self._name = ""
        self._buf = bytearray()
        self._out = None
        self._partial: Path | None = None
        self._cur: StagedFile | None = None

    # python-multipart callbacks ------------------------------------------------------------
    def on_part_begin(self) -> None:
        self._headers, self._kind, self._buf = {}, None, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._hname += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._hvalue += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._hname.strip().lower()] = self._hvalue.strip()
        self._hname, self._hvalue = b"", b""

    def on_headers_finished(self) -> None:
        disposition = self._headers.get(b"content-disposition", b"")
        _, opts = parse_options_header(disposition)
        self._name = opts.get(b"name", b"").decode("utf-8", "replace")
        raw = opts.get(b"filename")
        if raw is None and b"filename*=" in disposition:  # RFC 5987: filename*=UTF-8''%EA%B0%80
            value = disposition.split(b"filename*=", 1)[1].split(b";", 1)[0].strip(b'" ')
            raw = unquote(value.decode("latin-1").split("''", 1)[-1]).encode("utf-8")
        if self._name not in FILE_FIELDS:
            self._kind = "field" if raw is None else "ignore"
            return
        if raw is None:
            raise api_error(
                400,
                "missing_file_name",
                f"'{self._name}' 항목에 파일이 없습니다. 파일을 선택해 올리세요 "
                "(파일 이름이 있는 파일이어야 합니다).",
            )
        sent = raw.decode("utf-8", "replace")
        try:
            name = safe_file_name(sent)
        except BadNameError as err:
            raise api_error(400, err.code, err.message_ko) from None
        if len(self.form.files) >= self.max_files:
            raise _too_large(f"한 번에 올릴 수 있는 파일은 {self.max_files}개까지입니다.")
        token = uuid.uuid4().hex
        self._partial = self.staging / f"{token}.partial"
        self._out = open(self._partial, "xb")  # noqa: SIM115 - closed in on_part_end / abort
        self._cur = StagedFile(sent_name=sent, name=name, path=self.staging / f"{token}.upload")
        self._kind = "file"

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        n = end - start
        if self._kind == "file":
            self._cur.size += n
            self.total += n
            if self._cur.size > self.max_file:
                raise _too_large(
                    f"'{self._cur.name}' 파일이 허용된 최대 크기({self.max_mb} MB)를 넘습니다."
                )
            if self.total > self.max_total:
                raise _too_large("한 번에 올린 파일의 합계가 허용된 크기를 넘습니다.")
            self._out.write(data[start:end])
        elif self._kind == "ignore":  # a file in an unknown field: not stored, still bounded
            self.total += n
            if self.total > self.max_total:
                raise _too_large("한 번에 올린 파일의 합계가 허용된 크기를 넘습니다.")
        elif self._kind == "field":
            self._buf += data[start:end]
            if len(self._buf) > MAX_FIELD_BYTES:
                raise api_error(400, "field_too_long", f"'{self._name}' 항목 값이 너무 깁니다.")

    def on_part_end(self) -> None:
        if self._kind == "file":
            self._out.close()
            self._out = None
            os.replace(self._partial, self._cur.path)  # complete: visible under its final name
            self._partial = None
            self.form.files.append(self._cur)
        elif self._kind == "field":
            value = bytes(self._buf).decode("utf-8", "replace")
            self.form.fields.setdefault(self._name, []).append(value)
        self._kind = None

    def on_end(self) -> None:
        self.done = True

    def abort(self) -> None:
        if self._out is not None:
            self._out.close()
        if self._partial is not None:
            self._partial.unlink(missing_ok=True)
        self.form.discard()


async def read_upload_form(request: Request, settings, staging: Path) -> UploadForm:  # noqa: ANN001
    ctype, opts = parse_options_header(request.headers.get("content-type", ""))
    boundary = opts.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise api_error(
            400, "multipart_required", "파일은 multipart/form-data 형식(files 항목)으로 올리세요."
        )
    max_total = settings.upload_max_batch_mb * 1024 * 1024
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_total + 1024 * 1024:
        raise _too_large("한 번에 올린 파일의 합계가 허용된 크기를 넘습니다.")
    staging.mkdir(parents=True, exist_ok=True)
    reader = _Reader(
        staging,
        settings.max_file_mb * 1024 * 1024,
        max_total,
        settings.upload_max_files,
        settings.max_file_mb,
    )
    callbacks = {
        name: getattr(reader, name)
        for name in dir(reader)
        if name.startswith("on_") and callable(getattr(reader, name))
    }
    parser = MultipartParser(boundary, callbacks)
    try:
        async for chunk in request.stream():
            if chunk:
                await run_in_threadpool(parser.write, chunk)
        parser.finalize()
        if not reader.done:
            raise api_error(400, "incomplete_upload", "업로드가 중간에 끊겼습니다. 다시 올리세요.")
    except ClientDisconnect:
        reader.abort()
        raise api_error(400, "incomplete_upload", "업로드가 중간에 끊겼습니다.") from None
    except HTTPException:
        reader.abort()
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed body is the client's problem
        reader.abort()
        raise api_error(
            400, "bad_multipart", f"업로드 형식이 올바르지 않습니다({type(exc).__name__})."
        ) from None
    return reader.form
