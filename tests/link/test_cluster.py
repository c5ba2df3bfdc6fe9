"""Clustering scored pairs: thresholds, one record per list, reviewers' decisions."""

from __future__ import annotations

import numpy as np

from sabt.link.cluster import cluster_pairs
from sabt.link.evaluate import pair_recall, pairwise_scores

# Records 0..4; a chain 0-1-2 of strong links and a weak link 2-3; 4 is alone.
LEFT = np.array([0, 1, 2, 0])
RIGHT = np.array([1, 2, 3, 2])
PROB = np.array([0.99, 0.97, 0.6, 0.95])


def test_threshold_connected_components() -> None:
    c = cluster_pairs(5, LEFT, RIGHT, PROB, threshold=0.9)
    assert c.cluster.tolist() == [1, 1, 1, 2, 3]
    assert c.probability.tolist() == [0.99, 0.99, 0.97, 1.0, 1.0]
    low = cluster_pairs(5, LEFT, RIGHT, PROB, threshold=0.5)
    assert low.cluster.tolist() == [1, 1, 1, 1, 2]


def test_one_record_per_list_keeps_the_strongest_links() -> None:
    # 0 and 2 are both from list A: the 0-1 link (0.99) wins, then 1-2 would join A twice.
    sources = ["A", "B", "A", "C", "D"]
    c = cluster_pairs(5, LEFT, RIGHT, PROB, threshold=0.5, sources=sources,
                      duplicate_free=["A"])
    assert c.cluster[0] == c.cluster[1]
    assert c.cluster[2] != c.cluster[0]
    assert c.cluster[2] == c.cluster[3]          # 2-3 (0.6) is still allowed
    free = cluster_pairs(5, LEFT, RIGHT, PROB, threshold=0.5, sources=sources)
    assert free.cluster[0] == free.cluster[2]    # without the rule, A appears twice


def test_reviewed_decisions_override_the_model() -> None:
    c = cluster_pairs(5, LEFT, RIGHT, PROB, threshold=0.9, cannot_link=[(1, 0)],
                      must_link=[(3, 4)])
    assert c.cluster[0] != c.cluster[1]
    assert c.cluster[3] == c.cluster[4]
    assert c.probability[3] == c.probability[4] == 1.0
    # 0-2 (0.95) is taken before 1-2 (0.97)? No: strongest first puts 1-2 first, then 0-2
    # would join 0 with its forbidden partner 1, so 0 stays apart.
    assert c.cluster[1] == c.cluster[2] and c.cluster[0] != c.cluster[2]


def test_pairwise_scores_and_blocking_recall() -> None:
    truth = np.array([7, 7, 7, 8, 9])
    persian = np.array([True, False, False, False, True])
    s = pairwise_scores(np.array([1, 1, 2, 2, 3]), truth, persian)
    assert (s.true_pairs, s.predicted_pairs, s.correct_pairs) == (3, 2, 1)
    assert (s.cross_script_true, s.cross_script_correct) == (2, 1)
    assert s.precision == 0.5 and s.recall == 1 / 3
    recall, total = pair_recall(np.array([0, 2, 3]), np.array([1, 1, 4]), truth)
    assert total == 3 and recall == 2 / 3
