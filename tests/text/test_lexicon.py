"""`attested_name`: which dictionary name a spelling is, to tell look-alike names from typos."""

from __future__ import annotations

from sabt.text.keys import canon_token, name_key
from sabt.text.lexicon import attested_name


def test_spellings_of_one_name_share_its_key() -> None:
    assert attested_name(canon_token("Maryam")) == attested_name(canon_token("Mariam"))
    assert attested_name(canon_token("Maryam")) == attested_name(name_key("مریم"))
    assert attested_name(name_key("مریم")) is not None


def test_look_alike_names_have_different_keys() -> None:
    pairs = [("Mohammad", "Mahmoud"), ("Hamid", "Hamed"), ("Rezaei", "Rajaei")]
    for a, b in pairs:
        ka, kb = attested_name(canon_token(a)), attested_name(canon_token(b))
        assert ka is not None and kb is not None and ka != kb, (a, b)


def test_typos_and_garbage_are_not_attested() -> None:
    for token in ("mojtab", "ننیره", "", "xqzv"):
        assert attested_name(canon_token(token) if token.isascii() else name_key(token)) is None
