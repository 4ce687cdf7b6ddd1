"""Korean tokenizer for BM25 indexing, querying and snippet highlighting (Kiwi morphemes).

Why not whitespace: Korean attaches particles and endings to words ("플랫폼을", "플랫폼의"), so
whitespace tokens almost never match across sentences. Kiwi splits each word into morphemes;
we keep content morphemes and drop particles, endings and punctuation.

What one text becomes:
- content morphemes: nouns (NN*, except dependent nouns), verb/adjective stems (VV*/VA*),
  roots (XR), Latin (SL, lower-cased), numbers (SN), Hanja (SH), and Kiwi's pattern tokens
  (``W_SERIAL`` for "2025-121", ``W_URL``, ``W_EMAIL`` …), which must survive whole;
- compound joins: each pair of adjacent content nouns is also emitted joined ("통합데이터",
  "데이터플랫폼"), so "통합데이터플랫폼" and "통합 데이터 플랫폼" share the same terms,
  whether or not the words were spaced;
- character bigrams of long Hangul nouns Kiwi could not split (unknown compound names such as
  a new project name), so a query for one part of such a name still matches.

Latin words: Kiwi reads a Latin run followed by "." as a possible abbreviation ("Mr.",
"e.g.") and its language model then cuts unknown words apart — "Kubernetes." came out as
``Kuber`` / ``netes.``, "ChatGPT." as ``Ch`` / ``atGPT.`` — so the word never matched a query
for it. Contiguous Latin (``SL``) pieces are therefore joined back into the word they were
cut from, and trailing full stops are dropped from Latin terms ("AI." → ``ai``), with the span
shrunk to match. Changing these rules changes stored terms: bump ``TOKENIZER_VERSION`` so
existing BM25 stores re-analyse their chunks on open (see ``BM25ChunkIndex``).

Everything is NFC-normalized first (NFD Hangul would tokenize differently).
One Kiwi instance per process, built lazily by ``KiwiTokenizer.shared()`` (Kiwi loads a
~100 MB model; building it per call would dominate query latency).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

# Kiwi tags we keep. Verb/adjective tags may carry irregular-conjugation suffixes ("VV-R").
_KEEP_EXACT = {"NNG", "NNP", "NR", "XR", "SL", "SN", "SH"}
_KEEP_PREFIX = ("VV", "VA", "W_", "USER")
# Nouns that join into compounds. Only Hangul nouns: "ai기반"-style joins were noise.
_COMPOUND_TAGS = {"NNG", "NNP"}
# Stems so frequent that they only add noise to BM25 and highlighting.
_STOP_STEMS = {"하", "되", "있", "없", "않", "같", "이", "그렇", "이렇"}
# Unsplit Hangul nouns at least this long are probably compounds Kiwi did not know.
_BIGRAM_MIN_LEN = 4
COMPOUND_TAG = "+COMPOUND"
# Version of the term rules. Stores that hold terms of an older version re-analyse them.
# 1: the original rules; 2: Latin pieces joined, trailing full stops dropped.
TOKENIZER_VERSION = 2
BIGRAM_TAG = "+BIGRAM"


@dataclass(frozen=True, slots=True)
class TermSpan:
    """One index term and where its morpheme sits in the (NFC) text it came from."""

    term: str
    start: int
    end: int
    tag: str  # Kiwi tag of the morpheme, or COMPOUND_TAG / BIGRAM_TAG for derived terms


def normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _is_hangul(text: str) -> bool:
    return all("\uac00" <= ch <= "\ud7a3" for ch in text)


def _keep(tag: str) -> bool:
    return tag in _KEEP_EXACT or tag.startswith(_KEEP_PREFIX)


def _term(form: str, tag: str) -> str | None:
    if not _keep(tag):
        return None
    form = form.strip()
    if not form:
        return None
    if tag.startswith(("VV", "VA")) and form in _STOP_STEMS:
        return None
    return form.lower()


class KiwiTokenizer:
    """Kiwi plus the term rules above. Use ``KiwiTokenizer.shared()``; it is thread-safe."""

    _shared: ClassVar[KiwiTokenizer | None] = None
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, num_workers: int = -1):
        from kiwipiepy import Kiwi

        # -1: one analysis thread per core for batch calls (0 would disable batching).
        self._kiwi = Kiwi(num_workers=num_workers)
        # Kiwi's analyser is not documented as re-entrant for single calls from many threads.
        self._lock = threading.Lock()

    @classmethod
    def shared(cls) -> KiwiTokenizer:
        if cls._shared is None:
            with cls._shared_lock:
                if cls._shared is None:
                    cls._shared = cls()
        return cls._shared

    # --- analysis ------------------------------------------------------------------------
    def _analyze(self, texts: Sequence[str]) -> list[list]:
        with self._lock:
            if len(texts) == 1:
                return [self._kiwi.tokenize(texts[0])]
            return list(self._kiwi.tokenize(list(texts)))

    def spans_batch(self, texts: Sequence[str]) -> list[list[TermSpan]]:
        """Index terms with their character spans, for many texts at once (texts NFC'd)."""
        normalized = [normalize(t or "") for t in texts]
        to_run = [i for i, t in enumerate(normalized) if t.strip()]
        analyzed: list[list] = [[] for _ in normalized]
        if to_run:
            for i, toks in zip(to_run, self._analyze([normalized[i] for i in to_run]), strict=True):
                analyzed[i] = toks
        return [_spans_from_tokens(toks) for toks in analyzed]

    def spans(self, text: str) -> list[TermSpan]:
        return self.spans_batch([text])[0]

    def tokenize_batch(self, texts: Sequence[str]) -> list[list[str]]:
        return [[s.term for s in spans] for spans in self.spans_batch(texts)]

    def tokenize(self, text: str) -> list[str]:
        return self.tokenize_batch([text])[0]


@dataclass(frozen=True, slots=True)
class _Morph:
    form: str
    tag: str
    start: int
    end: int


def _morphs(tokens: Iterable) -> list[_Morph]:
    """Kiwi tokens as morphemes, with Latin words Kiwi cut apart joined again.

    Two ``SL`` tokens that touch (no character between them) were one Latin word in the
    text ("Kuber" + "netes." from "Kubernetes."); trailing full stops of a Latin word are
    sentence or abbreviation punctuation, not part of the term.
    """
    out: list[_Morph] = []
    for tok in tokens:
        start, end = tok.start, tok.start + tok.len
        prev = out[-1] if out else None
        if tok.tag == "SL" and prev is not None and prev.tag == "SL" and prev.end == start:
            out[-1] = _Morph(prev.form + tok.form, "SL", prev.start, end)
        else:
            out.append(_Morph(tok.form, tok.tag, start, end))
    for i, m in enumerate(out):
        if m.tag == "SL" and m.form.endswith(".") and m.form.strip("."):
            form = m.form.rstrip(".")
            out[i] = _Morph(form, "SL", m.start, m.end - (len(m.form) - len(form)))
    return out


def _spans_from_tokens(tokens: Iterable) -> list[TermSpan]:
    out: list[TermSpan] = []
    prev_noun: TermSpan | None = None  # last content noun, if nothing was dropped since
    for tok in _morphs(tokens):
        term = _term(tok.form, tok.tag)
        if term is None:
            # A particle, ending or punctuation ends a compound: "데이터를 플랫폼" is not one.
            # Derivational suffixes inside a word (XSN "들", XSV "하") break it as well.
            prev_noun = None
            continue
        span = TermSpan(term, tok.start, tok.end, tok.tag)
        out.append(span)
        if tok.tag in _COMPOUND_TAGS:
            if prev_noun is not None:
                out.append(TermSpan(prev_noun.term + term, prev_noun.start, span.end, COMPOUND_TAG))
            prev_noun = span
            if len(term) >= _BIGRAM_MIN_LEN and _is_hangul(term):
                out.extend(
                    TermSpan(term[i : i + 2], tok.start + i, tok.start + i + 2, BIGRAM_TAG)
                    for i in range(len(term) - 1)
                )
        else:
            prev_noun = None
    return out


def tokenize(text: str) -> list[str]:
    """Index/query terms of one text (the function the BM25 backend calls)."""
    return KiwiTokenizer.shared().tokenize(text)


def spans_batch(texts: Sequence[str]) -> list[list[TermSpan]]:
    """Terms with their spans for many texts in one Kiwi batch call (what indexing stores)."""
    return KiwiTokenizer.shared().spans_batch(texts)


def tokenize_batch(texts: Sequence[str]) -> list[list[str]]:
    """Terms of many texts in one Kiwi batch call (much faster than one call per text)."""
    return KiwiTokenizer.shared().tokenize_batch(texts)


def term_spans(text: str) -> list[TermSpan]:
    """Terms with their spans in ``normalize(text)`` — used for highlighting snippets."""
    return KiwiTokenizer.shared().spans(text)
