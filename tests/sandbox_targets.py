"""Test-only sandbox targets (module-level so the worker process can import them)."""

from __future__ import annotations

import ctypes
import os
import time

from control_tower.domain import Block, ParsedDocument
from ingest.errors import IngestError


def behave(path: str, zip_limits) -> ParsedDocument:
    """Act on the file's content: 'hang', 'hog', 'segfault', 'bug', 'drm' or echo it."""
    with open(path, encoding="utf-8") as f:
        command = f.read().strip()
    if command == "hang":
        time.sleep(3600)
    if command == "hog":
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    if command == "segfault":
        ctypes.string_at(0)
    if command == "abort":
        os.abort()
    if command == "bug":
        raise KeyError("a parser bug")
    if command == "drm":
        raise IngestError("drm_markany")
    return ParsedDocument(blocks=[Block(text=f"{command} pid={os.getpid()}")], parser="echo")
