"""Statistical and behavioural tests of sabt.simulate.

Statistical checks use fixed seeds and populations of 20,000; each tolerance is about 4-5
binomial standard errors of the measured proportion (given in a comment), so a correct
implementation fails with negligible probability while a wrong rate (off by a few points) fails.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sabt.errors import InvalidValue
from sabt.simulate import Simulation, capture_table, scenario, simulate
from sabt.simulate.catalog import HEADER_SETS
from tests.simulate.helpers import parse_date


@pytest.fixture(scope="module")
def independent() -> Simulation:
    return simulate(
        scenario("independent", population=20_000, month_only_rate=0.0, date_error_rate=0.1),
        seed=11,
    )


@pytest.fixture(scope="module")
def dependent() -> Simulation:
    return simulate(scenario("dependent", population=20_000), seed=12)


@pytest.fixture(scope="module")
def hard() -> Simulation:
    return simulate(scenario("hard", population=20_000), seed=13)


def test_same_seed_same_result_and_other_seed_differs() -> None:
    config = scenario("hard", population=1500)
    a, b, c = simulate(config, seed=4), simulate(config, seed=4), simulate(config, seed=5)
    for name in a.lists:
        pd.testing.assert_frame_equal(a.lists[name], b.lists[name])
        pd.testing.assert_frame_equal(a.rows[name], b.rows[name])
    pd.testing.assert_frame_equal(a.population, b.population)
    assert not a.lists["A"].equals(c.lists["A"])
    more = simulate(scenario("hard", population=1500, lists=6), seed=4)  # one more list
    for name in a.lists:
        pd.testing.assert_frame_equal(a.lists[name], more.lists[name])


def test_coverage_matches_configuration(independent: Simulation) -> None:
    # SE of a proportion near 0.3 with n = 20,000 is 0.0033: tolerance 0.015.
    for spec in independent.config.lists:
        on_list = independent.capture_matrix[spec.name].mean()
        assert abs(on_list - spec.coverage) < 0.015, spec.name


def test_independent_lists_are_independent(independent: Simulation) -> None:
    # P(A and B) = P(A) P(B) under independence; SE of the joint proportion is about 0.0025.
    m = independent.capture_matrix
    assert abs((m["A"] & m["B"]).mean() - m["A"].mean() * m["B"].mean()) < 0.012


def test_heterogeneous_coverage_follows_covariates() -> None:
    sim = simulate(scenario("heterogeneous", population=20_000), seed=14)
    m, pop = sim.capture_matrix, sim.population
    mek = (pop["affiliation"] == "MEK").to_numpy()
    # List B favours the Mojahedin (+1 log-odds); A favours the left (MEK -0.8).
    assert m["B"][mek].mean() > m["B"][~mek].mean() + 0.1
    assert m["A"][mek].mean() < m["A"][~mek].mean() - 0.1
    # The measured coverage in each group is the mean of the configured probabilities.
    # Groups have >= 6,000 people: SE <= 0.006, tolerance 0.025.
    for name in ("A", "B"):
        for group in (mek, ~mek):
            assert abs(m[name][group].mean() - pop[f"p_{name}"][group].mean()) < 0.025


def test_copying_rate_and_induced_dependence(dependent: Simulation) -> None:
    spec = next(s for s in dependent.config.lists if s.name == "C")
    assert spec.copy_from == "B" and spec.copy_rate == 0.5
    rows_b, rows_c = dependent.rows["B"], dependent.rows["C"]
    firsts_b = rows_b[rows_b["origin"] != "duplicate"]["person_id"]
    copied = set(rows_c[rows_c["origin"] == "copy"]["person_id"])
    # about 6,000 rows in B: SE of the copy share 0.0065, tolerance 0.03
    assert abs(firsts_b.isin(copied).mean() - 0.5) < 0.03
    m, pop = dependent.capture_matrix, dependent.population
    in_b = m["B"].to_numpy() == 1
    expected_c_given_b = np.mean(1 - (1 - pop["p_C"][in_b]) * (1 - spec.copy_rate))
    assert abs(m["C"][in_b].mean() - expected_c_given_b) < 0.03
    assert abs(m["C"][~in_b].mean() - pop["p_C"][~in_b].mean()) < 0.02
    assert m["C"][in_b].mean() > m["C"][~in_b].mean() + 0.3


def test_copied_rows_keep_the_source_errors(dependent: Simulation) -> None:
    rows_b, rows_c = dependent.rows["B"], dependent.rows["C"]
    list_b = dependent.lists["B"].assign(
        pid=rows_b["person_id"].to_numpy(), origin=rows_b["origin"].to_numpy()
    )
    list_b = list_b[list_b["origin"] != "duplicate"].set_index("pid")
    list_c = dependent.lists["C"].assign(
        pid=rows_c["person_id"].to_numpy(), origin=rows_c["origin"].to_numpy()
    )
    copies = list_c[list_c["origin"] == "copy"]
    fa, bi = HEADER_SETS["fa"], HEADER_SETS["bi"]
    # C writes one name column "given surname [فرزند/son of father]": it starts with B's cells.
    starts = [
        c.startswith(f"{list_b.loc[p, fa['given']]} {list_b.loc[p, fa['surname']]}")
        for p, c in zip(copies["pid"], copies[bi["full_name"]], strict=True)
    ]
    assert len(starts) > 1000 and all(starts)
    typo_b = rows_b.set_index("person_id")["typo_surname"]
    typo_c = rows_c[rows_c["origin"] == "copy"].set_index("person_id")["typo_surname"]
    assert (
        typo_c.sum() > 0
        and (typo_c == typo_b.loc[typo_c.index][~typo_b.loc[typo_c.index].index.duplicated()]).all()
    )


def test_typo_rate_measured_against_a_typo_free_twin() -> None:
    # Random streams are separated by purpose, so the twin differs only by typos.
    base = dict(population=20_000, duplicate_rate=0.0)
    clean = simulate(scenario("independent", typo_rate=0.0, **base), seed=21)
    noisy = simulate(scenario("independent", typo_rate=0.08, **base), seed=21)
    for name, col in (("A", "given"), ("A", "surname"), ("B", "surname")):
        header = HEADER_SETS[next(s.header_set for s in clean.config.lists if s.name == name)][col]
        differ = (clean.lists[name][header] != noisy.lists[name][header]).mean()
        # ~7,000 rows: SE 0.0032, tolerance 0.015
        assert abs(differ - 0.08) < 0.015, (name, col, differ)


def test_date_error_rate_measured_from_the_written_dates(independent: Simulation) -> None:
    pop = independent.population.set_index("person_id")
    truth = pd.to_datetime(pop["exec_date"]).dt.date
    for spec in independent.config.lists:
        header = HEADER_SETS[spec.header_set]["exec_date"]
        cells = independent.lists[spec.name][header]
        pids = independent.rows[spec.name]["person_id"]
        parsed = [parse_date(c)[0] for c in cells]
        known = np.array([p is not None for p in parsed])
        wrong = np.array(
            [p is not None and p != truth[pid] for p, pid in zip(parsed, pids, strict=True)]
        )
        # SE 0.004 for n ~ 6,000: tolerance 0.02. Missing share: configured 0.05, same SE.
        assert abs(wrong[known].mean() - spec.date_error_rate) < 0.02, spec.name
        assert abs((~known).mean() - spec.missing_rate) < 0.015, spec.name
        flagged = independent.rows[spec.name]["date_error"].to_numpy()
        assert ((flagged != "none") & (flagged != "missing"))[known].tolist() == wrong[
            known
        ].tolist()


def test_duplicate_and_missing_rates(hard: Simulation) -> None:
    for spec in hard.config.lists:
        rows = hard.rows[spec.name]
        persons = rows["person_id"].nunique()
        # duplicates per listed person: SE ~0.002 for ~6,000 people, tolerance 0.012
        assert abs((len(rows) - persons) / persons - spec.duplicate_rate) < 0.012, spec.name
        if "prison" in spec.columns:
            own = (rows["origin"] != "copy").to_numpy()
            cells = hard.lists[spec.name][HEADER_SETS[spec.header_set]["prison"]].to_numpy()
            assert abs((cells[own] == "").mean() - spec.missing_rate) < 0.02, spec.name


def test_persian_script_share_and_noise(hard: Simulation) -> None:
    assert hard.persian_share >= 0.30
    assert simulate(scenario("1988-like"), seed=1).persian_share >= 0.30
    rows = hard.rows["B"]
    names = hard.lists["B"][["نام", "نام خانوادگی"]].agg(" ".join, axis=1)
    own = (rows["origin"] == "own").to_numpy()
    has_yk = names.str.contains("[یکيك]").to_numpy() & own
    arabic = names.str.contains("[يك]").to_numpy()
    # configured 0.3 Arabic-keyboard rows; ~4,000 eligible rows: SE 0.007, tolerance 0.035
    assert abs(arabic[has_yk].mean() - 0.3) < 0.035
    dates = hard.lists["B"]["تاریخ اعدام"]
    assert dates.str.contains("[۰-۹]").mean() > 0.7
    assert names.str.contains("\u200c").any() and names.str.contains(r"^(?:محمد|علی|غلام) ").any()


def test_latin_habits_are_systematic() -> None:
    sim = simulate(
        scenario("heterogeneous", population=5000, spelling_inconsistency=0.0, typo_rate=0.0),
        seed=3,
    )
    a = sim.lists["A"][["First name", "Surname"]].agg(" ".join, axis=1)
    d = sim.lists["D"]["Name"][(sim.rows["D"]["script"] == "latin").to_numpy()]
    assert a.str.contains(r"\bGh").any() and a.str.contains("ou").any()
    assert not d.str.contains(r"\bGh|ou").any()  # habits q and u: Qolamreza, Masud
    assert d.str.contains(r"\bQ").any()


def test_compound_habits_and_memorial_title() -> None:
    sim = simulate(
        scenario(
            "independent",
            population=20_000,
            spelling_inconsistency=0.0,
            typo_rate=0.0,
            sayyid_share=0.0,
            **{"A.latin_habits": "space", "B.title_rate": 0.4},
        ),
        seed=5,
    )
    given = sim.lists["A"]["First name"]
    pop = sim.population.set_index("person_id").loc[sim.rows["A"]["person_id"]]
    compound = pop["given_latin"].str.contains("-").to_numpy()
    latin = (sim.rows["A"]["script"] == "latin").to_numpy()
    assert compound[latin].sum() > 100  # Mohammad-Reza, Ali-Asghar ... written in two words
    assert given[compound & latin].str.contains(" ").all()
    assert not given.str.contains("-").any()
    # (10% of rows are typed on an Arabic keyboard: شهيد)
    martyr = sim.lists["B"]["نام"].str.replace("ي", "ی").str.startswith("شهید ")
    # configured 0.4 of Persian rows; ~6,000 rows: SE 0.0063, tolerance 0.03
    assert abs(martyr.mean() - 0.4) < 0.03


def test_1988_like_sizes_echo_published_lists() -> None:
    sim = simulate(scenario("1988-like"), seed=1)
    latin_a = sim.lists["A"]["Surname"][(sim.rows["A"]["script"] == "latin").to_numpy()]
    assert latin_a.str.isupper().all()  # habit "upper": AHMADI
    dates_e = sim.lists["E"]["تاریخ شهادت"]
    assert dates_e.str.contains("امرداد").any() and not dates_e.str.contains("امرداد").all()
    sizes = {name: len(frame) for name, frame in sim.lists.items()}
    for name, target in {"A": 2000, "B": 3208, "D": 4482, "E": 4672}.items():
        assert abs(sizes[name] - target) < 0.15 * target, (name, sizes)
    assert 4000 <= sizes["C"] <= 6000


def test_capture_table_counts_every_observed_person(hard: Simulation) -> None:
    table = hard.captures
    k = len(hard.config.lists)
    assert len(table) == 2**k - 1 and list(table.columns)[-1] == "count"
    assert table["count"].sum() == hard.strata.iloc[0]["n_observed"]
    in_a = table[table["A"] == 1]["count"].sum()
    assert in_a == hard.rows["A"]["person_id"].nunique()
    tiny = capture_table(pd.DataFrame({"x": [1, 0, 1, 0], "y": [1, 1, 0, 0]}))
    assert tiny.to_dict("list") == {"x": [0, 1, 1], "y": [1, 0, 1], "count": [1, 1, 1]}


def test_strata_add_up(hard: Simulation) -> None:
    by = hard.captures_by_stratum
    total = hard.captures.set_index(["A", "B", "C", "D", "E"])["count"]
    for kind in ("affiliation", "prison", "province", "sex"):
        part = by[by["stratum_type"] == kind].groupby(["A", "B", "C", "D", "E"])["count"].sum()
        assert part.equals(total.loc[part.index])
    strata = hard.strata
    for kind in ("affiliation", "prison", "province", "sex"):
        part = strata[strata["stratum_type"] == kind]
        assert part["n_true"].sum() == 20_000
        assert part["n_observed"].sum() == strata.iloc[0]["n_observed"]


def test_overrides_and_list_count() -> None:
    config = scenario("hard", population=100, lists=7, typo_rate=0.2, **{"B.coverage": 0.6})
    assert len(config.lists) == 7 and {s.typo_rate for s in config.lists} == {0.2}
    assert next(s for s in config.lists if s.name == "B").coverage == 0.6
    two = scenario("dependent", lists=2)
    assert all(s.copy_from is None for s in two.lists)
    assert scenario("hard", **{"A.latin_habits": "q,u"}).lists[0].latin_habits == ("q", "u")
    with pytest.raises(InvalidValue, match="unknown knob"):
        scenario("hard", colour="red")
    with pytest.raises(InvalidValue, match="typo_rate"):
        scenario("hard", typo_rate=1.5)
    with pytest.raises(InvalidValue, match="unknown codes"):
        scenario("hard", affiliation_effect="MEk:1")
    with pytest.raises(InvalidValue, match="Latin habits"):
        scenario("hard", latin_habits="qq")
    with pytest.raises(InvalidValue, match="date formats"):
        scenario("hard", date_formats_fa="iso:1,usa:1")
    with pytest.raises(InvalidValue, match="unknown scenario"):
        scenario("easy")
    with pytest.raises(InvalidValue, match="not an earlier list"):
        scenario("hard", **{"A.copy_from": "E"})


def test_names_look_persian_and_realistic(hard: Simulation) -> None:
    pop = hard.population
    assert pop["given_fa"].str.fullmatch(r"[\u0600-\u06ff\u200c]+").all()
    top = pop["given_latin"].value_counts().index[:5].tolist()
    assert "Mohammad" in top or "Ali" in top
    female = pop[pop["sex"] == "F"]
    assert abs(len(female) / len(pop) - 0.1) < 0.01
    assert female["given_fa"].isin(["فاطمه", "زهرا", "مریم"]).any()
    assert not re.search(r"\d", " ".join(pop["surname_latin"].head(500)))
