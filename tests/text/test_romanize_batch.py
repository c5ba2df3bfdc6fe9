"""Batched romanisation gives exactly the one-token results, with fewer model batches."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from arabic_name_romanizer import Transliterator

from sabt.text.romanize import TOP_K, prefetch, romanize_token, set_engine
from sabt.text.romanize_batch import transliterate_tokens

# Dictionary names, misspellings only the model can read (احمدد, اشرفف, ابوو), a ZWNJ compound,
# units of different lengths (so a naive batch would pad them differently) and Latin.
TOKENS = ["حسین", "رضایی", "احمدد", "اشرفف", "ابوو", "نقی", "کریمی", "ابوالقسام", "اسمعیل‌زاده",
          "غلامحسینن", "سرخوشیان", "Hossein"]
# Decoding several units together moves the model's log-probabilities by float rounding only
# (measured 1.4e-6 on 2,944 tokens); candidates and their order must not change at all.
SCORE_TOLERANCE = 1e-5
romanize_module = importlib.import_module("sabt.text.romanize")  # sabt.text.romanize is a function


@pytest.fixture(scope="module")
def engine() -> Transliterator:
    return Transliterator()


def _one_at_a_time(engine: Transliterator) -> dict[str, list[Any]]:
    return {t: list(engine.transliterate(t, top_k=TOP_K, country="IR")) for t in TOKENS}


def test_batched_equals_one_token_calls(engine: Transliterator) -> None:
    expected = _one_at_a_time(engine)
    got = transliterate_tokens(engine, TOKENS, top_k=TOP_K, country="IR")
    assert {t: [(c.text, c.source) for c in got[t]] for t in TOKENS} == \
        {t: [(c.text, c.source) for c in expected[t]] for t in TOKENS}
    for t in TOKENS:
        for a, b in zip(got[t], expected[t], strict=True):
            assert a.score == pytest.approx(b.score, abs=SCORE_TOLERANCE)


def test_model_decodes_in_fewer_batches(engine: Transliterator,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    model: Any = engine.persian_model
    batches: list[int] = []
    decode = model._decode

    def counting(items: list[Any], country: str | None) -> Any:
        batches.append(len(items))
        return decode(items, country)

    monkeypatch.setattr(model, "_decode", counting)
    _one_at_a_time(engine)
    one_by_one = len(batches)
    batches.clear()
    transliterate_tokens(engine, TOKENS, top_k=TOP_K, country="IR")
    assert one_by_one >= 3   # the list does need the model for several tokens
    assert len(batches) < one_by_one


def test_prefetched_spellings_are_what_romanize_token_computes(
        engine: Transliterator, monkeypatch: pytest.MonkeyPatch) -> None:
    set_engine(engine)
    try:
        expected = {t: romanize_token(t) for t in TOKENS}
        set_engine(engine)   # clears the caches
        assert prefetch([" ".join(TOKENS[:6]), " ".join(TOKENS[6:])]) == len(TOKENS) - 1

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("not prefetched")

        monkeypatch.setattr(romanize_module, "_engine", refuse)
        assert {t: romanize_token(t) for t in TOKENS} == expected
    finally:
        monkeypatch.undo()
        set_engine(None)   # back to the default engine, created on next use


# Names whose features romanise tokens no raw-name prefetch sees: a glued compound's head
# (یعقوبعلی → یعقوب), the hamza spelling of a medial ای (قایمی → قائمی), a glued honorific's rest
# (سیدحسین → حسین), units parse_name joins (حسین زاده → حسین‌زاده) and misspellings read by the
# model alone (مسحن, فزهاد).
NAMES = ["یعقوبعلی رضایی", "قایمی", "سیدحسین کریمی", "علی حسین زاده", "مسحن فزهاد",
         "غلامحسینن ابوالقسام", "Hossein Rezaei"]


def _clear_name_caches() -> None:
    """Forget every cached result that was computed from a romanisation."""
    from sabt.text import keys, names, similarity

    for fn in (similarity.make_field, similarity._token_cands, keys.latin_canon,
               names._latin_of, names._is_honorific):
        fn.cache_clear()


@pytest.mark.parametrize("ahead", [True, False])
def test_map_batched_makes_no_one_token_model_call(
        engine: Transliterator, monkeypatch: pytest.MonkeyPatch, ahead: bool) -> None:
    from sabt.text.features import name_features
    from sabt.text.names import parse_name

    def both(name: str) -> tuple[object, object]:
        return parse_name(name), name_features(name)

    set_engine(engine)
    _clear_name_caches()
    try:
        expected = {n: both(n) for n in NAMES}   # one token at a time
        set_engine(Transliterator())
        _clear_name_caches()
        batches: list[int] = []

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("a one-token model call")

        for model in (romanize_module._engine().persian_model,
                      romanize_module._model_engine().persian_model):
            decode = model._decode

            def counting(items: list[Any], country: str | None, decode: Any = decode) -> Any:
                batches.append(len(items))
                return decode(items, country)

            monkeypatch.setattr(model, "_decode", counting)
            monkeypatch.setattr(model, "transliterate_units", refuse)
        if ahead:
            prefetch(NAMES)
        assert romanize_module.map_batched(both, [*NAMES, NAMES[0]]) == expected
        assert batches   # the model did run, in batches
        assert romanize_module._prefetched_model   # the model-only spellings were batched too
    finally:
        monkeypatch.undo()
        set_engine(None)
        _clear_name_caches()
