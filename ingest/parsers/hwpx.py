"""HWPX (OWPML zip): the same library chain as HWP 5.x — unhwp, hwp2markdown, dochan all
read both formats, and the chain's placeholder/error handling applies unchanged."""

from __future__ import annotations

from ingest.parsers.base import register
from ingest.parsers.hwp import HancomParser


@register
class HwpxParser(HancomParser):
    name = "hwpx"
    formats = ("hwpx",)
