"""Safe names for uploaded files and department folders.

Why: a probe of the upload path found names that escaped or overwrote (``..`` and empty names
both became ``upload``; ``가짜/배터리산업과`` landed in 배터리산업과's folder), names that hid
themselves (zero-width and right-to-left override characters), and a 79-syllable Korean name
(241 bytes) that ext4 refused (255 *bytes* per name) with a 500. So:

- ``safe_file_name``: what people see (the document's file name, ≤ 200 characters, NFC, no
  invisible or control characters), or a Korean ``NameError_`` for names that are no names;
- ``disk_name``: the same name made byte-safe for the file system (long names are cut on a
  character boundary and get a short hash, so two long names never collide);
- ``department_folder``: the upload folder of a *managed* department, derived so that no
  department name can point into another department's folder;
- ``resolve_department``: the managed department a caller named, or a Korean error.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePath

MAX_CHARS = 200
MAX_DISK_BYTES = 240  # ext4 allows 255; room for a temporary suffix
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad\u2060]")
_CLEAN_FOLDER = re.compile(r"^[\w가-힣][\w가-힣 ()·.\-]{0,99}$")


class BadNameError(ValueError):
    """A name that cannot be used; ``code`` is stable, ``message_ko`` is for people."""

    def __init__(self, code: str, message_ko: str):
        self.code, self.message_ko = code, message_ko
        super().__init__(message_ko)


def clean_text(text: str) -> str:
    """NFC without control characters (category C: controls, and the format characters —
    zero-width spaces and joiners, bidi embeddings/overrides/isolates, BOM, soft hyphen)."""
    text = unicodedata.normalize("NFC", text or "")
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def safe_file_name(name: str | None) -> str:
    """The base name people see; ``BadNameError`` for empty, ``.``, ``..`` and the like."""
    raw = (name or "").replace("\\", "/")
    base = clean_text(raw.rsplit("/", 1)[-1]).strip()
    base = re.sub(r'[:*?"<>|]', "_", base)
    if not base:
        raise BadNameError(
            "bad_file_name", "파일 이름이 비어 있습니다. 이름이 있는 파일을 올리세요."
        )
    if base.strip(". ") == "":
        raise BadNameError(
            "bad_file_name",
            f"'{base}' 은(는) 파일 이름으로 쓸 수 없습니다. 다른 이름으로 올리세요.",
        )
    if len(base) > MAX_CHARS:  # cut the stem, keep the extension
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            base = stem[: MAX_CHARS - len(ext) - 1].rstrip() + "." + ext
        else:
            base = base[:MAX_CHARS].rstrip()
    return base


def _cut_utf8(text: str, max_bytes: int) -> str:
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


def disk_name(name: str, *, salt: str | None = None) -> str:
    """``safe_file_name``'s result as a file-system name (≤ 240 bytes, leading dots removed).

    With ``salt`` the name is always hashed (``이름~0123456789.hwp``): a second document under
    a name already taken, told apart on disk only — people see its title (the name as sent),
    exactly like any long name."""
    visible = name.lstrip(".") or "_"
    if salt is None and len(visible.encode("utf-8")) <= MAX_DISK_BYTES and visible == name:
        return visible
    stem, dot, ext = visible.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = visible, ""
    key = name if salt is None else f"{salt}\0{name}"
    tag = "~" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    room = MAX_DISK_BYTES - len(tag.encode()) - len(ext.encode()) - (1 if ext else 0)
    return _cut_utf8(stem, room).rstrip() + tag + ("." + ext if ext else "")


def is_hashed_disk_name(disk: str) -> bool:
    return re.search(r"~[0-9a-f]{10}(\.[^.]{1,10})?$", disk) is not None


def display_location(department: str, source_path: str, title: str) -> str:
    """``부서/파일명`` for people: where a document is, never the server path."""
    name = PurePath(source_path).name
    if is_hashed_disk_name(name):
        name = title + PurePath(source_path).suffix
    return f"{department}/{name}"


def department_folder(department: str) -> str:
    """Folder name under ``uploads/``. A plain name (letters, digits, spaces, ``()·.-``) is used
    as is; anything else becomes a slug plus a hash, which always contains ``~`` and therefore
    can never equal a plain department's folder."""
    dept = unicodedata.normalize("NFC", department)
    if _CLEAN_FOLDER.match(dept) and ".." not in dept:
        return dept
    slug = re.sub(r"[^\w가-힣]+", "_", clean_text(dept)).strip("_")[:60] or "dept"
    return f"{slug}~{hashlib.sha256(dept.encode('utf-8')).hexdigest()[:10]}"


def resolve_department(store, name: str | None) -> str:  # noqa: ANN001 - control_tower.store.Store
    """The managed, active department called ``name`` (NFC, trimmed), else ``BadNameError``."""
    from control_tower.accounts.departments import get_department

    clean = clean_text(name or "").strip()
    if not clean:
        raise BadNameError("department_required", "소유 부서를 지정하세요.")
    dept = (
        get_department(store, clean)
        if clean == unicodedata.normalize("NFC", name.strip())
        else None
    )
    if dept is None:
        raise BadNameError(
            "unknown_department",
            f"등록되지 않은 부서입니다: '{clean}'. 관리자에게 부서 등록을 요청하세요.",
        )
    if not dept.active:
        raise BadNameError("inactive_department", f"사용이 중지된 부서입니다: '{clean}'.")
    return dept.name


__all__ = [
    "BadNameError",
    "clean_text",
    "department_folder",
    "disk_name",
    "is_hashed_disk_name",
    "resolve_department",
    "safe_file_name",
]
