"""Persian-script names to ranked Latin spellings, with `arabic-name-romanizer` (country IR).

The romanizer looks each name unit up in its Wikidata-derived dictionary of attested spellings
and falls back to its small ONNX model (bundled, no download) for units the dictionary lacks.
Results are cached per token, so a list of a million names romanises each distinct token once.
`prefetch` romanises the tokens of many names in one batched model pass beforehand (same results);
`map_batched` runs a function over many values with every romanisation it asks for batched.
The model-vs-dictionary-only choice is measured in ``benchmarks/bench_text.py`` (docs/text.md).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, TypeVar

from sabt.text.normalize import normalize_persian

TOP_K = 3
USE_MODEL = True
# Longer input is not a name: only the first MAX_TOKENS tokens of MAX_CHARS characters are read.
MAX_CHARS = 1000
MAX_TOKENS = 12

_lock = threading.Lock()
_transliterator: Any = None


def _engine() -> Any:
    """The shared transliterator, created on first use (loads the dictionary and model once)."""
    global _transliterator
    if _transliterator is None:
        with _lock:
            if _transliterator is None:
                from arabic_name_romanizer import Transliterator

                _transliterator = Transliterator(auto_load_model=USE_MODEL)
    return _transliterator


_model_only: Any = None


def _model_engine() -> Any:
    """A transliterator without the dictionary: the model (then rules) only."""
    global _model_only
    if _model_only is None:
        with _lock:
            if _model_only is None:
                from arabic_name_romanizer import Transliterator

                _model_only = Transliterator(index_path="/nonexistent/names.sqlite3",
                                             auto_load_model=USE_MODEL)
    return _model_only


def set_engine(engine: Any, model_only: Any = None) -> None:
    """Replace the transliterators (tests and benchmarks: a masked dictionary, no model, ...)."""
    global _transliterator, _model_only
    with _lock:
        _transliterator = engine
        _model_only = model_only
        _prefetched.clear()
        _prefetched_model.clear()
    romanize_token.cache_clear()
    romanize_token_model.cache_clear()


@lru_cache(maxsize=1 << 16)
def romanize_token_model(token: str) -> tuple[str, ...]:
    """Ranked spellings of one token from the model alone (for tokens whose dictionary entries
    are Wikidata noise); cached."""
    if not token or not _is_arabic_script(token):
        return (token,) if token else ()
    if token in _prefetched_model:
        return _prefetched_model[token]
    if _deferring.get():
        raise Unromanised(token, model_only=True)
    try:
        cands = _model_engine().transliterate(token, top_k=TOP_K, country="IR")
    except Exception:  # a third-party failure must not break a whole import
        return ()
    return tuple(c.text for c in cands if c.text)


#: Tokens romanised ahead by `prefetch` (the same spellings `romanize_token` would compute),
#: and by the model alone (what `romanize_token_model` would compute).
_prefetched: dict[str, tuple[str, ...]] = {}
_prefetched_model: dict[str, tuple[str, ...]] = {}
#: Inside `map_batched`: a token not romanised yet raises `Unromanised` instead of asking the model.
_deferring: ContextVar[bool] = ContextVar("sabt_romanize_deferring", default=False)
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")


class Unromanised(Exception):
    """A token `map_batched` has to romanise before the value that asked for it is retried."""

    def __init__(self, token: str, model_only: bool) -> None:
        super().__init__(token)
        self.token, self.model_only = token, model_only


def _is_arabic_script(token: str) -> bool:
    return _ARABIC_SCRIPT.search(token) is not None


def prefetch(names: Iterable[str], counter: Callable[[int, int], None] | None = None) -> int:
    """Romanise the Persian-script tokens of many names at once, for `romanize_token` to read.

    Same spellings as one token at a time, several times faster: the model decodes all tokens
    its dictionary lacks in batches (`sabt.text.romanize_batch`). `counter` gets (units decoded,
    units to decode). Returns the number of tokens romanised.
    """
    from sabt.text.keys import join_particles

    # Latin (ASCII) names have no token to romanise; each distinct token is tested once.
    toks = {tok for name in names if isinstance(name, str) and not name.isascii()
            for tok in join_particles(normalize_persian(name[:MAX_CHARS]).split())}
    todo = sorted(tok for tok in toks if tok not in _prefetched and _is_arabic_script(tok))
    _prefetch_tokens(todo, model_only=False, counter=counter)
    return len(todo)


def _prefetch_tokens(todo: list[str], model_only: bool,
                     counter: Callable[[int, int], None] | None = None) -> None:
    """Romanise `todo` in batches into `_prefetched` (or `_prefetched_model`), every token kept."""
    from sabt.text.romanize_batch import transliterate_tokens

    engine, store = (_model_engine(), _prefetched_model) if model_only else \
        (_engine(), _prefetched)
    found = transliterate_tokens(engine, todo, top_k=TOP_K, country="IR", counter=counter)
    store.update({tok: tuple(c.text for c in found.get(tok, ()) if c.text) for tok in todo})


@contextmanager
def _deferred() -> Iterator[None]:
    """Within: `romanize_token` and `romanize_token_model` raise `Unromanised` for a new token."""
    reset = _deferring.set(True)
    try:
        yield
    finally:
        _deferring.reset(reset)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def map_batched(fn: Callable[[K], V], values: Iterable[K]) -> dict[K, V]:
    """``{v: fn(v)}`` for distinct `values`, every token `fn` romanises decoded in model batches.

    A value whose `fn` meets a token not romanised yet is set aside; the tokens of all such values
    are romanised together (`prefetch`'s batches, same spellings), and those values are retried,
    until none is left. `fn` must be deterministic and let `Unromanised` through (a cache that
    stores it, or an ``except Exception`` around it, would keep a wrong result).
    """
    out: dict[K, V] = {}
    pending = list(dict.fromkeys(values))
    while pending:
        retry: list[K] = []
        missing: dict[bool, set[str]] = {False: set(), True: set()}
        with _deferred():
            for value in pending:
                try:
                    out[value] = fn(value)
                except Unromanised as miss:
                    missing[miss.model_only].add(miss.token)
                    retry.append(value)
        for model_only, toks in missing.items():
            if toks:
                _prefetch_tokens(sorted(toks), model_only)
        pending = retry
    return out


@lru_cache(maxsize=1 << 17)
def romanize_token(token: str) -> tuple[str, ...]:
    """Ranked Latin spellings (up to `TOP_K`) of one Persian-script token; cached."""
    if not token or not _is_arabic_script(token):
        return (token,) if token else ()
    if token in _prefetched:
        return _prefetched[token]
    if _deferring.get():
        raise Unromanised(token, model_only=False)
    try:
        cands = _engine().transliterate(token, top_k=TOP_K, country="IR")
    except Exception:  # a third-party failure must not break a whole import
        return ()
    return tuple(c.text for c in cands if c.text)


def romanize(token_or_name: str) -> list[str]:
    """Ranked Latin candidates for a Persian-script token or full name (Latin passes through).

    A multi-token name gets the best spelling of every token first, then variants that swap in
    one token's next-best spellings.
    """
    if not isinstance(token_or_name, str):
        return []
    from sabt.text.keys import join_particles

    toks = join_particles(normalize_persian(token_or_name[:MAX_CHARS]).split())[:MAX_TOKENS]
    if not toks:
        return []
    per = [romanize_token(t) or (t,) for t in toks]
    best = [c[0] for c in per]
    out = [" ".join(best)]
    for i, cands in enumerate(per):
        for alt in cands[1:]:
            out.append(" ".join([*best[:i], alt, *best[i + 1:]]))
    seen: set[str] = set()
    ranked = []
    for c in out:
        if c not in seen:
            seen.add(c)
            ranked.append(c)
    return ranked[:TOP_K] if len(toks) == 1 else ranked
