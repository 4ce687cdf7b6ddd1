"""control_tower.names: file names people see, their byte-safe disk form, department folders."""

from __future__ import annotations

import pytest

from control_tower.names import (
    BadNameError,
    department_folder,
    disk_name,
    is_hashed_disk_name,
    resolve_department,
    safe_file_name,
)


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("../../../탈출.txt", "탈출.txt"),
        ("C:\\Users\\kim\\보고서.hwpx", "보고서.hwpx"),
        ("보\u200b고\u200d서\u202e\u2066.hwp\ufeff", "보고서.hwp"),
        ("a\x00b\x1fc.txt", "abc.txt"),
        ("\u1100\u1161\u11a8.txt", "각.txt"),  # NFD → NFC
        ('what?*"<>|.txt', "what______.txt"),
    ],
)
def test_safe_file_name(raw, want):
    assert safe_file_name(raw) == want


@pytest.mark.parametrize("raw", ["", "   ", ".", "..", "x/..", "\u200b", "/", ". ."])
def test_names_that_are_no_names_are_refused_in_korean(raw):
    with pytest.raises(BadNameError) as e:
        safe_file_name(raw)
    assert e.value.code == "bad_file_name" and "파일 이름" in e.value.message_ko


def test_long_names_cut_at_200_characters_and_stored_byte_safe():
    name = safe_file_name("가" * 300 + ".hwpx")
    assert len(name) == 200 and name.endswith(".hwpx")
    disk = disk_name(name)
    assert len(disk.encode()) <= 240 and disk.endswith(".hwpx") and is_hashed_disk_name(disk)
    assert disk_name(safe_file_name("가" * 190 + "나.hwpx")) != disk  # no collisions
    assert disk_name("보고서.txt") == "보고서.txt" and not is_hashed_disk_name("보고서.txt")
    assert not disk_name(".env").startswith(".")  # never a hidden file


def test_department_folders_cannot_alias():
    assert department_folder("배터리산업과") == "배터리산업과"
    tricky = department_folder("가짜/배터리산업과")
    assert "/" not in tricky and "~" in tricky and tricky != "배터리산업과"
    assert "~" in department_folder("..") and "/" not in department_folder("../x")


def test_resolve_department_needs_a_managed_one(store):
    from control_tower.accounts import ensure_department, set_department_active

    ensure_department(store, "배터리산업과")
    assert resolve_department(store, " 배터리산업과 ") == "배터리산업과"
    for bad in ("가짜/배터리산업과", "배터리\u200b산업과", "없는과"):
        with pytest.raises(BadNameError) as e:
            resolve_department(store, bad)
        assert e.value.code == "unknown_department"
    set_department_active(store, "배터리산업과", False)
    with pytest.raises(BadNameError):
        resolve_department(store, "배터리산업과")
