"""``□ 사업개요 ○ 사업명: …`` bullets and ``- 담당부서: …`` lines: labelled values in prose.

Used where a document has no overview table, and to fill what the table left out (a
``- 담당부서:`` line under it). Values are cited to the text after the colon.
"""

from __future__ import annotations

import re

from control_tower.registry.rules.doc import DocView
from control_tower.registry.rules.fields import Labelled, key_of
from control_tower.registry.rules.lines import Line

_LABELLED = re.compile(r"^\s*(?:[○◦•▪□■◇◆\-·*∙ㆍ]\s*)?([^:：]{1,12}?)\s*[:：]\s*(\S.*)$")


def bullet_pairs(view: DocView, lines: list[Line]) -> list[Labelled]:
    """Every ``label: value`` line whose label names a card field."""
    out: list[Labelled] = []
    for line in lines:
        m = _LABELLED.match(line.text)
        if not m or key_of(m.group(1)) is None:
            continue
        value = m.group(2).rstrip()
        start = line.start + m.start(2)
        out.append(
            Labelled(
                label=m.group(1),
                value=value,
                source=view.ref(line.blk, start, start + len(value)),
                method="rule",
            )
        )
    return out
