"""Persian-script names to ranked Latin spellings, with `arabic-name-romanizer` (country IR).

The romanizer looks each name unit up in its Wikidata-derived dictionary of attested spellings
and falls back to its small ONNX model (bundled, no download) for units the dictionary lacks.
Results are cached per token, so a list of a million names romanises each distinct token once.
`prefetch` romanises the tokens of many names in one batched model pass beforehand (same results).
The model-vs-dictionary-only choice is measured in ``benchmarks/bench_text.py`` (docs/text.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

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
    romanize_token.cache_clear()
    romanize_token_model.cache_clear()


@lru_cache(maxsize=1 << 16)
def romanize_token_model(token: str) -> tuple[str, ...]:
    """Ranked spellings of one token from the model alone (for tokens whose dictionary entries
    are Wikidata noise); cached."""
    if not token or not any("\u0600" <= ch <= "\u06ff" for ch in token):
        return (token,) if token else ()
    try:
        cands = _model_engine().transliterate(token, top_k=TOP_K, country="IR")
    except Exception:  # a third-party failure must not break a whole import
        return ()
    return tuple(c.text for c in cands if c.text)


#: Tokens romanised ahead by `prefetch` (the same spellings `romanize_token` would compute).
_prefetched: dict[str, tuple[str, ...]] = {}


def _is_arabic_script(token: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in token)


def prefetch(names: Iterable[str], counter: Callable[[int, int], None] | None = None) -> int:
    """Romanise the Persian-script tokens of many names at once, for `romanize_token` to read.

    Same spellings as one token at a time, several times faster: the model decodes all tokens
    its dictionary lacks in batches (`sabt.text.romanize_batch`). `counter` gets (units decoded,
    units to decode). Returns the number of tokens romanised.
    """
    from sabt.text.keys import join_particles
    from sabt.text.romanize_batch import transliterate_tokens

    todo = sorted({tok for name in names if isinstance(name, str)
                   for tok in join_particles(normalize_persian(name[:MAX_CHARS]).split())
                   if _is_arabic_script(tok) and tok not in _prefetched})
    found = transliterate_tokens(_engine(), todo, top_k=TOP_K, country="IR", counter=counter)
    _prefetched.update({tok: tuple(c.text for c in cands if c.text)
                        for tok, cands in found.items()})
    return len(todo)


@lru_cache(maxsize=1 << 17)
def romanize_token(token: str) -> tuple[str, ...]:
    """Ranked Latin spellings (up to `TOP_K`) of one Persian-script token; cached."""
    if not token or not _is_arabic_script(token):
        return (token,) if token else ()
    if token in _prefetched:
        return _prefetched[token]
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
