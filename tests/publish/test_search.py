"""The memorial's name search on SYNTHETIC persons linked across Persian and Latin lists."""

from __future__ import annotations

import pytest

from sabt.publish.evaluate import Query, fair_recall, linked_queries, recall
from sabt.publish.search import (
    Entry,
    SearchIndex,
    build_index,
    distance,
    name_tokens,
    spellings,
)

# The benchmark's goal is 98 % in the top 5 (docs/benchmarks.md). With about 300 queries here,
# the binomial standard error at 98 % is sqrt(0.98 * 0.02 / 300) ≈ 0.8 points, so a floor of
# 95 % @5 (about four standard errors below the goal) fails only on a real loss of recall,
# never on the draw. Recall@1 is bounded more loosely (90 %): persons who share a name are tied
# (with 300 persons few do; the benchmark's 9,313 persons measure that).
FLOOR_AT_5 = 0.95
FLOOR_AT_1 = 0.90
POPULATION = 300
SEED = 20260


@pytest.fixture(scope="module")
def linked() -> tuple[list[Entry], list[Query]]:
    from sabt.simulate import scenario, simulate

    sim = simulate(scenario("1988-like", population=POPULATION), seed=SEED)
    return linked_queries(sim)


def test_recall_across_scripts_and_spellings(linked: tuple[list[Entry], list[Query]]) -> None:
    entries, queries = linked
    index = SearchIndex(build_index(entries))
    assert len(queries) > 200
    assert len({q.list for q in queries}) > 1        # queries as several lists write names
    found = recall(index, queries)
    assert found[5] >= FLOOR_AT_5, found
    assert found[1] >= FLOOR_AT_1, found


def test_names_are_cut_to_the_persons_own() -> None:
    assert name_tokens("شهید سید حسین رضایی فرزند محمد") == ["حسین", "رضایی"]
    assert name_tokens("Seyyed Hossein Rezaei son of Mohammad") == ["Hossein", "Rezaei"]
    assert name_tokens("Hossein Rezaei s/o Ali") == ["Hossein", "Rezaei"]
    assert spellings(["محمد", "علی", "ظریف"]) == [["محمد", "علی", "ظریف"],
                                                 ["محمدعلی", "ظریف"], ["محمد", "علیظریف"]]


def test_ranking_across_scripts() -> None:
    entries = [Entry("P1", "Hossein Rezaei", "حسین رضایی", ("Hossein Rezaei", "حسین رضایی")),
               Entry("P2", "Hassan Rezaei", "", ("Hassan Rezaei",)),
               Entry("P3", "Maryam Ahmadi", "مریم احمدی", ("مریم احمدی",)),
               Entry("P4", "Mohammad Ali Zarif", "", ("Mohammad Ali Zarif",))]
    index = SearchIndex(build_index(entries))
    assert [h.id for h in index.rank("Hosein Rezayi")] == ["P1", "P2"]
    assert [h.id for h in index.rank("حسين رضائي")] == ["P1", "P2"]   # Arabic letters
    assert [h.id for h in index.rank("Maryam Ahmadi")][:1] == ["P3"]  # Latin → Persian only
    assert [h.id for h in index.rank("محمدعلی ظریف")] == ["P4"]       # written together
    assert index.rank("Zzz") == [] and index.rank("   ") == []


def test_edits_between_skeletons() -> None:
    assert distance("rbjrd", "brjrd") == 1          # neighbours swapped
    assert distance("klhdz", "kldz") == 1           # one dropped
    assert distance("mhmdl", "mhmd") == 1
    assert distance("dlnch", "dlbch") == 1
    assert distance("frshtl", "frtl") == 2
    assert distance("abcdef", "ab") == 3            # more than the limit: limit + 1
    assert distance("", "") == 0


def test_rare_words_split_names_typos_and_ties() -> None:
    common = [Entry(f"P{n:02d}", f"Ali Zand{n}", "", (f"Ali Zand{'abcdefghijklmnop'[n]}",))
              for n in range(12)]
    entries = [*common,
               Entry("K1", "Ali Kolahdouz", "علی کلاهدوز", ("Ali Kolahdouz",)),
               Entry("A1", "Fereydun Alimohammadi", "", ("Fereydun Alimohammadi",)),
               Entry("B1", "Hossein Borujerdi", "", ("Hossein Borujerdi",)),
               Entry("T1", "Reza Tehrani", "", ("Reza Tehrani",)),
               Entry("T2", "Reza Tehrani", "", ("Reza Tehrani son of Ali",)),
               Entry("T3", "Reza Tehrani", "رضا تهرانی", ("رضا تهرانی",))]
    index = SearchIndex(build_index(entries))
    # a rare family name (Persian query, Latin name) before the dozen other Alis
    assert index.rank("علی کلاهدوز")[0].id == "K1"
    # a family name split differently, and a typo that swaps two letters
    assert index.rank("فریدون علی محمدی")[0].id == "A1"
    assert index.rank("حسین ربوجردی")[0].id == "B1"
    # equally good persons: the same script first, then by id
    hits = index.rank("رضا تهرانی")
    assert [h.id for h in hits[:3]] == ["T3", "T1", "T2"]
    assert hits[1].score == hits[2].score and hits[1].tie == hits[2].tie


def test_fair_recall_counts_ties_by_their_share() -> None:
    entries = [Entry(f"P{n}", "Reza Tehrani", "", ("Reza Tehrani",)) for n in range(4)]
    index = SearchIndex(build_index(entries))
    queries = [Query("Reza Tehrani", "P3", "B"), Query("Reza Tehrani", "P0", "B")]
    found = fair_recall(index, queries, ks=(1, 2))
    # four persons tied: P0 is first by id, P3 last; fairly, each has 1/4 at 1 and 2/4 at 2
    assert found.raw == {1: 0.5, 2: 0.5}
    assert found.fair == {1: 0.25, 2: 0.5}
    assert (found.tied, found.lower, found.missing) == (1, 0, 0)
