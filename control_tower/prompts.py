"""Prompts live as files in `prompts/`, loaded by name — never as strings in code.

`prompts/<name>.md` is the template (Python `str.format` fields, e.g. `{question}`);
an optional `prompts/<name>.schema.json` is the JSON schema the answer must follow.
"""

from __future__ import annotations

import json
import string
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"


class PromptNotFoundError(LookupError):
    pass


class Prompt(BaseModel):
    name: str
    template: str
    schema_: dict[str, Any] | None = None

    @property
    def fields(self) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(self.template) if f}

    def render(self, **values: Any) -> str:
        missing = self.fields - values.keys()
        if missing:
            raise KeyError(f"prompt '{self.name}' needs values for: {sorted(missing)}")
        return self.template.format(**values)


@lru_cache(maxsize=64)
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> Prompt:
    path = directory / f"{name}.md"
    if not path.is_file():
        raise PromptNotFoundError(f"프롬프트 파일이 없습니다: {path}")
    schema_path = directory / f"{name}.schema.json"
    schema = json.loads(schema_path.read_text("utf-8")) if schema_path.is_file() else None
    return Prompt(name=name, template=path.read_text("utf-8").strip(), schema_=schema)
