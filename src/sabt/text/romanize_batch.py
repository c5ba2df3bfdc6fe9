"""Romanise many tokens at once, each with exactly the result of a one-token call.

Asked one token at a time, the transliterator decodes the units its dictionary lacks with its
ONNX model in a batch of that token's units alone (about 12 ms a token on 2 cores). Decoding
thousands of units together is several times faster, but the model's output depends on how far
its input is padded: a unit decoded next to a longer one can come out differently (6 % of the
tokens of a `hard` simulation did). So `transliterate_tokens` works in three passes:

1. every token goes through the transliterator with a model stand-in that notes the units the
   one-token call would decode, and the width that call would pad them to, then stops;
2. all noted units are decoded together, in batches of one padded width each;
3. the stopped tokens go through again, with a stand-in that answers from those decodings.

Only ``OnnxModel`` (with its default de-duplication) is batched; any other model is called as is.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from typing import Any

Item = tuple[str, str | None]                    # (unit, role)
Key = tuple[str, str | None, int, str | None]    # (unit, role, padded width, country)
#: Called with (units decoded so far, units to decode) while the model decodes.
Counter = Callable[[int, int], None]


class _Stop(Exception):
    """Raised by the recording stand-in: this token needs the model."""


def _batchable(model: Any) -> bool:
    from arabic_name_romanizer.inference import OnnxModel

    return isinstance(model, OnnxModel) and bool(model.dedupe)


def _keys(model: Any, units: Sequence[str], country: str | None,
          roles: Sequence[str | None] | None) -> dict[Item, Key] | None:
    """The (unit, role) items a one-token `transliterate_units` call decodes, with their width.

    None when that call would take more than one model batch (then it is not replayed).
    """
    from arabic_name_romanizer.inference import encode_source_ids

    role_list = list(roles) if roles is not None and model.vocab.uses_roles else [None] * len(units)
    uniq = set(zip(units, role_list, strict=True))
    if not uniq or len(uniq) > model.batch_size:
        return None
    width = max(len(encode_source_ids(model.vocab, u, country, r)) for u, r in uniq)
    return {it: (it[0], it[1], width, country) for it in uniq}


class _Recorder:
    """Model stand-in for pass 1: notes what the call would decode, then stops the token."""

    def __init__(self, model: Any, wanted: set[Key]) -> None:
        self.model, self.wanted, self.uses_roles = model, wanted, model.uses_roles

    def transliterate_units(self, units: list[str], country: str | None, top_k: int,
                            roles: list[str | None] | None = None) -> list[Any]:
        keys = _keys(self.model, units, country, roles)
        if keys is None:
            return list(self.model.transliterate_units(units, country, top_k, roles=roles))
        self.wanted.update(keys.values())
        raise _Stop


class _Replayer:
    """Model stand-in for pass 3: answers from the batched decodings (else asks the model)."""

    def __init__(self, model: Any, decoded: dict[Key, list[Any]]) -> None:
        self.model, self.decoded, self.uses_roles = model, decoded, model.uses_roles

    def transliterate_units(self, units: list[str], country: str | None, top_k: int,
                            roles: list[str | None] | None = None) -> list[Any]:
        keys = _keys(self.model, units, country, roles)
        if keys is None or any(k not in self.decoded for k in keys.values()):
            return list(self.model.transliterate_units(units, country, top_k, roles=roles))
        role_list = roles if roles is not None and self.model.vocab.uses_roles \
            else [None] * len(units)
        return [self.decoded[keys[it]][:top_k] for it in zip(units, role_list, strict=True)]


def _decode_all(model: Any, wanted: set[Key], counter: Counter) -> dict[Key, list[Any]]:
    """Decode every noted unit, each batch padded to one width (the width its token gave it).

    Every batch holds one unit that is that wide by itself, so the batch is padded to exactly it.
    """
    from arabic_name_romanizer.inference import encode_source_ids

    groups: dict[tuple[int, str | None], list[Item]] = {}
    for unit, role, width, country in sorted(wanted, key=lambda k: (k[2], k[3] or "", k[0],
                                                                     k[1] or "")):
        groups.setdefault((width, country), []).append((unit, role))
    out: dict[Key, list[Any]] = {}
    step = model.batch_size - 1
    for (width, country), items in groups.items():
        anchor = next(it for it in items
                      if len(encode_source_ids(model.vocab, it[0], country, it[1])) == width)
        rest = [it for it in items if it != anchor]
        for start in range(0, max(len(rest), 1), step):
            chunk = [anchor, *rest[start:start + step]]
            for (unit, role), hyps in zip(chunk, model._decode(chunk, country), strict=True):
                out[(unit, role, width, country)] = hyps
            counter(len(out), len(wanted))
    return out


def _with_model(engine: Any, attr: str, stand_in: Any) -> Any:
    clone = copy.copy(engine)   # the shared engine is left alone: other callers may be using it
    setattr(clone, attr, stand_in)
    return clone


def _each(engine: Any, tokens: Iterable[str], top_k: int, country: str,
          results: dict[str, list[Any]]) -> list[str]:
    """Transliterate tokens one by one into `results`; return the tokens that stopped."""
    stopped = []
    for token in tokens:
        try:
            results[token] = list(engine.transliterate(token, top_k=top_k, country=country))
        except _Stop:
            stopped.append(token)
        except Exception:  # as in romanize_token: a third-party failure gives no candidates
            results[token] = []
    return stopped


def transliterate_tokens(engine: Any, tokens: Sequence[str], *, top_k: int, country: str,
                         counter: Counter | None = None) -> dict[str, list[Any]]:
    """``engine.transliterate(token, top_k, country)`` for every token, the model batched."""
    attr = "persian_model" if getattr(engine, "persian_model", None) is not None else "model"
    model = getattr(engine, attr, None)
    results: dict[str, list[Any]] = {}
    if not _batchable(model):
        _each(engine, tokens, top_k, country, results)
        return results
    wanted: set[Key] = set()
    stopped = _each(_with_model(engine, attr, _Recorder(model, wanted)), tokens, top_k, country,
                    results)
    decoded = _decode_all(model, wanted, counter or (lambda _done, _total: None))
    _each(_with_model(engine, attr, _Replayer(model, decoded)), stopped, top_k, country, results)
    return results
