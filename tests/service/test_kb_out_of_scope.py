"""Out-of-scope topics: valid, never overlapping the guide, never copied from the evaluation questions."""

import json

import numpy as np

from knowledge_base.evaluate import HELDOUT
from knowledge_base.index import load_entries, load_or_build, load_out_of_scope
from knowledge_base.search import Scores, Searcher, Thresholds
from tests.service.kb_support import FIXTURE_GUIDE, HashEmbedder


def test_topics_are_valid_unique_and_disjoint_from_guide_and_evaluation():
    topics = load_out_of_scope()
    assert len(topics) >= 30 and len({t.id for t in topics}) == len(topics)
    anchors = [q for t in topics for q in t.questions]
    assert len(set(anchors)) == len(anchors)
    guide_questions = {q for e in load_entries() for q in e.questions} | {e.title for e in load_entries()}
    assert not set(anchors) & guide_questions
    with open(HELDOUT, encoding="utf-8") as handle:
        evaluation = {json.loads(line)["q"] for line in handle if line.strip()}
    assert not set(anchors) & evaluation, "an evaluation question was copied into the anchors"


def test_decision_uses_the_topic_margin_and_names_the_topic(tmp_path):
    topics = load_out_of_scope()[:2]
    embedder = HashEmbedder()
    index, _ = load_or_build(embedder, load_entries(FIXTURE_GUIDE), tmp_path / "index", topics=topics)
    assert [t.id for t in index.out_of_scope.entries] == [t.id for t in topics]
    searcher = Searcher(index, embedder, Thresholds(0.7, 0.5, 0.01, True, "test", out_of_scope_margin=0.02))
    entries = len(index.entries)

    def decide(top: float, anchor: float):
        fused = [top] + [top - 0.2] * (entries - 1)
        vector = np.array(fused)
        return searcher.decide(Scores(vector, vector, vector, False, np.array([anchor, 0.0])))

    assert decide(0.90, 0.93).out_of_scope.id == topics[0].id  # nearer to the topic by more than the margin
    assert decide(0.90, 0.93).decision == "reject"
    assert decide(0.90, 0.91).decision == "answer"  # within the margin: the guide answers
    low = decide(0.40, 0.45)  # below the guide's bar: rejected; the topic is named only if it clears the bar too
    assert low.decision == "reject" and low.out_of_scope is None
    assert decide(0.40, 0.60).out_of_scope.id == topics[0].id
