"""BM25 weights counted over the chunks a caller may read, not over the whole index.

Why: BM25 weighs a query term by how many chunks contain it (idf) and a chunk's length
against the average chunk length. Counted over every chunk, hidden ones included, the ORDER
of a caller's own results answers "does word X occur in documents I cannot read?" in one
search (tests/test_probe_scores.py). So a caller who cannot read every chunk is scored as if
the index held only the chunks they may read: the same scores a fresh bm25s index built over
just those chunks would give (tests/test_bm25_scope.py checks exactly that).

How, without a second index: bm25s (method "lucene", its default) stores for each
(term, chunk) only ``idf(df, N) × tf / (tf + k1·(1 − b + b·len/avg_len))`` as float32 (see
``bm25s.scoring._score_idf_lucene`` / ``_score_tfc_robertson``). For the query terms'
postings alone, the term frequency ``tf`` — a small integer — is recovered from that value
and the chunk length, and the score is recomputed with N, df and avg_len of the readable
chunks. The work is the query terms' postings plus a few vector operations over the row mask;
no Python step per chunk. Keeping a second posting list with raw counts instead would add
~4 s to each snapshot rebuild at 100k chunks (measured), for no gain in exactness.

Recovery is exact: 1 − tfc = K/(tf + K) ≥ b·k1/(avg_len + b·k1) because tf ≤ len, so the
float32 rounding of the stored value (~1e-7 relative) moves tf by about
tf · 1e-7 · avg_len — far below 0.5 for any chunk our chunker makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np


def _idf(df: np.ndarray, n: int) -> np.ndarray:
    """bm25s's "lucene" idf, vectorized."""
    return np.log1p((n - df + 0.5) / (df + 0.5))


@dataclass(frozen=True)
class ReadableBM25:
    """Scores of one bm25s model recomputed over a subset of its rows (the readable ones)."""

    model: bm25s.BM25
    doc_len: np.ndarray  # float64, terms per row (what bm25s calls the document length)
    avg_len: float  # the mean over all rows, as bm25s used it when building

    @classmethod
    def of(cls, model: bm25s.BM25, corpus_ids: Sequence[Sequence[int]]) -> ReadableBM25:
        if model.method != "lucene" or model.idf_method != "lucene":
            raise ValueError("ReadableBM25 inverts bm25s's 'lucene' scores only")
        doc_len = np.fromiter(map(len, corpus_ids), dtype=np.float64, count=len(corpus_ids))
        return cls(model=model, doc_len=doc_len, avg_len=float(doc_len.mean()))

    def scores(self, term_ids: Sequence[int], readable: np.ndarray) -> np.ndarray:
        """One float64 score per row, as if the index held only the rows where ``readable``
        is true; 0 elsewhere. A repeated term counts as often as it is given (as in bm25s)."""
        mat = self.model.scores
        n = int(mat["num_docs"])
        out = np.zeros(n, dtype=np.float64)
        n_read = int(np.count_nonzero(readable))
        if n_read == 0 or len(term_ids) == 0:
            return out
        terms = np.asarray(term_ids, dtype=np.int64)
        starts, ends = mat["indptr"][terms], mat["indptr"][terms + 1]
        # every posting of every query term: one arange per query term, none per chunk
        pos = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
        which = np.repeat(np.arange(terms.size), ends - starts)  # query-term index per posting
        rows = mat["indices"][pos]
        keep = readable[rows]
        pos, which, rows = pos[keep], which[keep], rows[keep]
        if rows.size == 0:
            return out
        length = self.doc_len[rows]
        tf = self._term_frequency(mat["data"][pos], which, ends - starts, length, n)
        k1, b = self.model.k1, self.model.b
        avg_read = float(self.doc_len.sum(where=readable)) / n_read
        df_read = np.bincount(which, minlength=terms.size)
        weight = _idf(df_read, n_read)[which] * tf / (tf + k1 * (1 - b + b * length / avg_read))
        out += np.bincount(rows, weights=weight, minlength=n)
        return out

    def _term_frequency(
        self,
        stored: np.ndarray,
        which: np.ndarray,
        df_all: np.ndarray,
        length: np.ndarray,
        n: int,
    ) -> np.ndarray:
        """tf of each posting from bm25s's stored value (see the module docstring)."""
        k1, b = self.model.k1, self.model.b
        # bm25s rounds its idf to float32 before multiplying: divide by the same number
        idf_all = _idf(df_all, n).astype(np.float32).astype(np.float64)[which]
        tfc = stored.astype(np.float64) / idf_all
        norm = k1 * (1 - b + b * length / self.avg_len)
        return np.rint(norm * tfc / (1.0 - tfc))
