import json

import pytest

from control_tower.prompts import PROMPTS_DIR, PromptNotFoundError, load_prompt


def test_every_prompt_file_loads_and_schemas_are_json():
    names = sorted(p.stem for p in PROMPTS_DIR.glob("*.md") if p.name != "README.md")
    assert names, "prompts/ holds no prompt"
    for name in names:
        prompt = load_prompt(name)
        assert prompt.template
        assert any("\uac00" <= ch <= "\ud7a3" for ch in prompt.template), f"{name} is not Korean"
    for schema in PROMPTS_DIR.glob("*.schema.json"):
        assert isinstance(json.loads(schema.read_text("utf-8")), dict)


def test_render_and_missing_field(tmp_path):
    (tmp_path / "greet.md").write_text("{name}님, 안녕하세요. {{고정}}", encoding="utf-8")
    prompt = load_prompt("greet", tmp_path)
    assert prompt.fields == {"name"}
    assert prompt.render(name="홍길동") == "홍길동님, 안녕하세요. {고정}"
    with pytest.raises(KeyError):
        prompt.render()


def test_unknown_prompt(tmp_path):
    with pytest.raises(PromptNotFoundError):
        load_prompt("nope", tmp_path)
