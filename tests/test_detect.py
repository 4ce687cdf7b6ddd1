"""Format detection by content, DRM/password/zip-bomb guards."""

from __future__ import annotations

import struct
import zipfile

import pytest

from ingest.detect import ZipLimits, decode_text, detect_format
from ingest.errors import IngestError


def code_of(path, **kw) -> str:
    with pytest.raises(IngestError) as e:
        detect_format(path, **kw)
    return e.value.code


def test_empty_and_whitespace_files_are_empty(tmp_path):
    (tmp_path / "a.hwp").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(b" \n\t\n")
    assert code_of(tmp_path / "a.hwp") == "empty"
    assert code_of(tmp_path / "b.txt") == "empty"


def test_markany_drm_header(tmp_path):
    p = tmp_path / "secret.hwp"
    p.write_bytes(b"<MARKANY_DOCUMENTSAFER>" + bytes(range(256)) * 4)
    err = pytest.raises(IngestError, detect_format, p).value
    assert err.code == "drm_markany" and err.status == "skipped" and "DRM" in err.message_ko


def test_zip_bomb_limits(tmp_path):
    p = tmp_path / "bomb.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "0" * (30 * 1024 * 1024))  # 30 MiB of zeros → ~30 KiB
    assert code_of(p) == "zip_bomb"  # ratio ≈ 1000 > 200
    assert detect_format(p, zip_limits=ZipLimits(max_ratio=10_000)).format == "docx"
    assert code_of(p, zip_limits=ZipLimits(max_ratio=10_000, max_uncompressed_mb=10)) == "zip_bomb"
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for i in range(30):
            z.writestr(f"xl/f{i}.xml", "x")
    assert code_of(many, zip_limits=ZipLimits(max_members=20)) == "zip_bomb"


def test_zip_kinds(tmp_path):
    hwpx = tmp_path / "x.zip"
    with zipfile.ZipFile(hwpx, "w") as z:
        z.writestr("mimetype", "application/hwp+zip")
        z.writestr("Contents/section0.xml", "<sec/>")
    assert detect_format(hwpx).format == "hwpx"
    odt = tmp_path / "y.zip"
    with zipfile.ZipFile(odt, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    assert code_of(odt) == "unsupported_type"
    cut = tmp_path / "cut.hwpx"
    cut.write_bytes(hwpx.read_bytes()[:60])
    assert code_of(cut) == "truncated"


def test_hwp_flags_from_real_file(shared_data, tmp_path):
    src = shared_data / "hwp_fixtures" / "hwp" / "hwplib_distribution.hwp"
    d = detect_format(src)
    assert d.format == "hwp" and d.hwp_distribution and d.hwp_version.startswith("5.")
    plain = detect_format(shared_data / "hwp_fixtures" / "hwp" / "hwplib_표.hwp")
    assert not plain.hwp_distribution
    # Set the password bit in a copy's FileHeader (stream data sits in place in the file).
    data = bytearray(src.read_bytes())
    sig = data.find(b"HWP Document File")
    flags = struct.unpack_from("<I", data, sig + 36)[0]
    struct.pack_into("<I", data, sig + 36, flags | 0x2)
    locked = tmp_path / "locked.hwp"
    locked.write_bytes(bytes(data))
    err = pytest.raises(IngestError, detect_format, locked).value
    assert err.code == "encrypted" and err.status == "skipped"


def test_text_kinds_and_charsets(tmp_path):
    (tmp_path / "a").write_bytes("이름,부서\n홍길동,총무과\n김철수,세무과\n".encode("cp949"))
    (tmp_path / "b").write_bytes("# 제목\n\n본문입니다.\n".encode())
    (tmp_path / "c").write_bytes("그냥 평범한 글입니다.\n둘째 줄.".encode("euc-kr"))
    (tmp_path / "d").write_bytes(b"<!DOCTYPE html><html><body>x</body></html>")
    assert detect_format(tmp_path / "a").model_dump(include={"format", "encoding"}) == {
        "format": "csv",
        "encoding": "cp949",
    }
    assert detect_format(tmp_path / "b").format == "md"
    assert detect_format(tmp_path / "c").format == "txt"
    assert detect_format(tmp_path / "d").format == "html"
    (tmp_path / "e").write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100)
    assert code_of(tmp_path / "e") == "unsupported_type"


def test_decode_text_prefers_utf8_then_cp949():
    assert decode_text("한글".encode()) == ("한글", "utf-8")
    assert decode_text("한글".encode("cp949")) == ("한글", "cp949")
    assert decode_text("\ufeff한글".encode()) == ("한글", "utf-8-sig")
