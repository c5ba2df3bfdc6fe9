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


def test_merges_need_the_summed_evidence_between_clusters() -> None:
    # 0-1 is strong (log2(0.99/0.01) = +6.6 bits); 0-2 was scored clearly different (0.001,
    # counted at the contradiction floor 0.01: -6.6 bits). A strong 1-2 (0.98: +5.6) outweighs
    # it (sum -1.0 >= -4), a weak one (0.6: +0.6, sum -6.0) does not.
    left, right = np.array([0, 1, 0]), np.array([1, 2, 2])
    strong = cluster_pairs(3, left, right, np.array([0.99, 0.98, 0.001]), threshold=0.5)
    assert strong.cluster.tolist() == [1, 1, 1]
    weak = cluster_pairs(3, left, right, np.array([0.99, 0.6, 0.001]), threshold=0.5)
    assert weak.cluster.tolist() == [1, 1, 2]
    # a pair kept only as ids (scored below the kept floor) counts as a contradiction too
    ids_only = cluster_pairs(3, left[:2], right[:2], np.array([0.99, 0.6]), threshold=0.5,
                             contradicted=(np.array([0]), np.array([2])))
    assert ids_only.cluster.tolist() == [1, 1, 2]
    # without the contradiction the same links are connected components
    assert cluster_pairs(3, left[:2], right[:2], np.array([0.99, 0.6]),
                         threshold=0.5).cluster.tolist() == [1, 1, 1]


def test_weak_disagreements_may_add_up_further_than_a_contradiction() -> None:
    # 0-1 strong (+6.6 bits); 1-2 a link (0.6: +0.6); 0-2 disagrees but is no clear
    # contradiction: 0.02 is log2(0.02/0.98) = -5.6 bits, above the floor (0.01: -6.6).
    # Summed -5.0: below the limit -4 for a clear contradiction, above the weak limit -10.
    left, right = np.array([0, 1, 0]), np.array([1, 2, 2])
    weak = cluster_pairs(3, left, right, np.array([0.99, 0.6, 0.02]), threshold=0.5)
    assert weak.cluster.tolist() == [1, 1, 1]
    # the same sum from a clear contradiction (0.001 → -6.6) plus a stronger link (0.75: +1.6)
    clear = cluster_pairs(3, left, right, np.array([0.99, 0.75, 0.001]), threshold=0.5)
    assert clear.cluster.tolist() == [1, 1, 2]
    # and weak disagreements beyond the weak limit: two records at -5.6 each (sum -10.6)
    four_l, four_r = np.array([0, 1, 0, 3]), np.array([1, 2, 2, 2])
    beyond = cluster_pairs(4, np.r_[four_l, 3], np.r_[four_r, 0],
                           np.array([0.99, 0.6, 0.02, 0.99, 0.02]), threshold=0.5)
    assert beyond.cluster[0] != beyond.cluster[2]
