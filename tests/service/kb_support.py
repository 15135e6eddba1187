"""Helpers for the guide tests: a deterministic stand-in embedder (no model) and the fixture guide path."""

import hashlib
from pathlib import Path

import numpy as np

from knowledge_base.embedding import Embedder

FIXTURE_GUIDE = Path(__file__).resolve().parent / "kb_fixture" / "guide"


class HashEmbedder(Embedder):
    """Character-bigram hashing: similar texts get similar vectors; instant, for index plumbing tests only."""

    backend = "test-hash"

    def __init__(self, dim: int = 64, model: str = "bigram-hash"):
        self.dim, self.model = dim, model

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:] + " ", strict=True):
                bucket = int.from_bytes(hashlib.blake2b((a + b).encode(), digest_size=4).digest(), "little")
                out[row, bucket % self.dim] += 1.0
        return out + 1e-3
