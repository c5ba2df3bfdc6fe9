"""Toll claims: a number (or "thousands") of people with its hedge, and what it counts.

A number is a toll claim when it quantifies people or deaths: it is followed, within three
words, by a word for people or deaths ("people", "political prisoners", "deaths", "of them",
"نفر", "زندانی" …). The hedge before it gives the qualifier, in the vocabulary of
``claims.csv``: ``over`` ("over", "more than", "بیش از"), ``at_least`` ("at least", "no fewer
than", "حداقل"), ``about`` ("about", "an estimated", "some", "حدود"), ``up_to`` ("up to",
"as many as"), ``range`` (two bounds: "between A and B", "A-B", "از A تا بیش از B" — whatever
hedge precedes them), ``or`` ("A or B"), ``exact`` (no hedge) and ``unknown`` (no number:
"thousands", "هزاران"). ``low``/``high`` follow claims.csv too: both for exact/about/range/or,
only ``low`` for over/at_least, only ``high`` for up_to, neither for qualitative claims.
``counted`` is what the sentence says happened to them (executed, killed, buried,
disappeared, names listed), or None. A bare or qualitative figure ("300 people", "thousands of
people") whose sentence mentions no death, victim or toll at all ("300 people protested") is not
a claim; a hedged figure or a range of people is kept even then.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sabt.extract.numbers import NUMBER_EN, NUMBER_FA, parse_number
from sabt.extract.text import sentence_bounds


@dataclass(frozen=True)
class Claim:
    """One toll claim found in a text, with character offsets of the phrase."""

    text: str
    start: int
    end: int
    low: int | None
    high: int | None
    qualifier: str
    counted: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_EN_QUALS = {
    "over": r"over|more\s+than|upwards\s+of|in\s+excess\s+of|exceeded|exceeding|above",
    "at_least": r"at\s+least|no\s+fewer\s+than|not\s+less\s+than|no\s+less\s+than"
                r"|a\s+minimum\s+of",
    "about": r"about|around|approximately|an\s+estimated|estimated|some|nearly|almost|roughly"
             r"|closer\s+to|close\s+to|circa|perhaps",
    "up_to": r"up\s+to|as\s+many\s+as|fewer\s+than|less\s+than|no\s+more\s+than|at\s+most",
}
_FA_QUALS = {
    "over": r"بیش\s+از|بیشتر\s+از|بالغ\s+بر|افزون\s+بر|متجاوز\s+از",
    "at_least": r"حداقل|دست[\s\u200c]?کم|لااقل",
    "about": r"حدود|حدودا|حدوداً|در\s+حدود|قریب\s+به|نزدیک\s+به|تقریبا|تقریباً|نزدیک",
    "up_to": r"حداکثر|تا",
}


def _qual_group(quals: dict[str, str]) -> str:
    return "|".join(f"(?P<q_{k}>{v})" for k, v in quals.items())


_EN_NOUNS = (
    r"people|persons?|prisoners?|individuals|victims|dissidents|activists|men|women|members"
    r"|supporters|inmates|detainees|opponents|leftists|youths?|juveniles|children|lives|deaths"
    r"|executions|killings|murders|names|bodies|dead|Mojahedin|MEK|PMOI|sympathi[sz]ers"
    r"|of\s+them|(?:were\s+)?(?:executed|killed|massacred|slain|murdered)"
)
_FA_NOUNS = r"نفر|تن|زندانی|زندانیان|قربانی|قربانیان|اعدامی|کشته|جسد|اسم|نام|مجاهد|هوادار"

_EN_NUM = rf"(?:{NUMBER_EN})"
_FA_NUM = rf"(?:{NUMBER_FA})"

_EN_CLAIM = re.compile(
    rf"(?<![\w,.])(?:(?:{_qual_group(_EN_QUALS)})\s+)?"
    rf"(?:(?P<between>between|from)\s+)?(?P<a>{_EN_NUM})"
    rf"(?:\s*(?P<sep>-|–|—|\bto\b|\band\b|\bor\b)\s*(?:(?:more\s+than|over)\s+)?"
    rf"(?P<b>{_EN_NUM}))?"
    rf"|(?:(?P<qq>several|many|tens\s+of|hundreds\s+of)\s+)?(?P<qual>thousands|hundreds)\b"
    rf"|(?P<several>several\s+(?:thousand|hundred))\b",
    re.IGNORECASE,
)
# Up to three modifiers between the number and the noun ("political", "alleged"); a word that
# looks like a plural noun ("cities") ends the search, so "32 cities prisoners" is no claim.
_EN_AFTER = re.compile(
    rf"^(?:[\s,]+(?:(?![A-Za-z’'-]*[^su\W]s\b)[A-Za-z’'-]+\s+){{0,3}}?)?\s*(?:of\s+)?"
    rf"(?:{_EN_NOUNS})\b",
    re.IGNORECASE)
# A hedged figure that ends a clause in a sentence about a toll: "estimates stand at around 30,000."
_EN_TOLL_CONTEXT = re.compile(r"\b(?:death\s+toll|toll|estimates?|fatalities|figure|number)\b",
                              re.IGNORECASE)
_EN_THEM = re.compile(r"^\s+(?:of\s+them|were\s+(?:executed|killed))\b|^\s*\)", re.IGNORECASE)

_FA_W = r"[\u0600-\u06FF\u200c]"
_FA_CLAIM = re.compile(
    rf"(?<!{_FA_W})(?:(?:{_qual_group(_FA_QUALS)})\s+(?:(?:نزدیک\s+به|حدود)\s+)?)?"
    rf"(?:(?P<between>بین|از|میان)\s+)?(?P<a>{_FA_NUM})"
    rf"(?:\s+(?:نفر|تن|زندانی)?\s*(?P<sep>تا|و|-|–)\s+(?:(?:بیش\s+از|بیشتر\s+از)\s+)?"
    rf"(?P<b>{_FA_NUM})(?:\s+(?:نفر\s+)?یا\s+(?P<c>{_FA_NUM}))?)?"
    rf"|(?P<qual>هزاران|صدها|ده‌ها\s+هزار|دهها\s+هزار)(?!{_FA_W})"
    rf"|(?P<several>چندین\s+هزار|چند\s+هزار)(?!{_FA_W})",
)
_FA_AFTER = re.compile(rf"^\s+(?:{_FA_W}+\s+){{0,2}}?(?:{_FA_NOUNS})(?!{_FA_W})")

_COUNTED_EN = [
    ("names listed", r"\bnames?\b|\bnamed\b|\bidentified\b|\blisted\b"),
    ("buried", r"\bburied\b|\bgraves?\b"),
    ("disappeared", r"\bdisappeared\b|\bdisappearance"),
    ("executed", r"\bexecut\w*"),
    ("killed", r"\bkill\w*|\bdeaths?\b|\bdead\b|\bmassacre\w*|\bslain\b|\bmurder\w*|\blives\b"
               r"|\bdied\b|\bmassacred\b"),
]
_COUNTED_FA = [
    ("names listed", r"نام|اسامی|اسم|شناسایی"),
    ("buried", r"دفن|گور"),
    ("disappeared", r"ناپدید"),
    ("executed", r"اعدام"),
    ("killed", r"کشته|قتل|جان\s+باخت|جان‌باخت|کشتار"),
]


def _counted(text: str, start: int, end: int, table: list[tuple[str, str]]) -> str | None:
    """What the claim counts: the nearest cue word after the number, else just before it."""
    s0, s1 = sentence_bounds(text, start)
    after, before = text[end:s1], text[s0:start]
    if re.search(r"names?\s+of\s*(?:over|more\s+than)?\s*$|نام\s*$|اسامی\s*$", before):
        return "names listed"
    best: tuple[int, str] | None = None
    for label, pattern in table:
        found = re.search(pattern, after, re.IGNORECASE)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), label)
    if best:
        return best[1]
    tail = before[-40:]
    for label, pattern in table:
        if re.search(pattern, tail, re.IGNORECASE):
            return label
    return None


def _qualifier(match: re.Match[str]) -> str | None:
    for name in ("over", "at_least", "about", "up_to"):
        if match.groupdict().get(f"q_{name}"):
            return name
    return None


def _numbers_claim(match: re.Match[str], persian: bool) -> tuple[int | None, int | None, str]:
    a = parse_number(match["a"])
    if match["b"]:
        b = parse_number(match["b"])
        if match.groupdict().get("c"):
            b = max(b, parse_number(match["c"]))
        sep = match["sep"].lower()
        if sep == "or":
            return min(a, b), max(a, b), "or"
        if sep in ("and", "و") and not match["between"]:
            return None, None, ""  # "5,000 and 7,000" without "between" is two figures
        if b < a:
            return None, None, ""  # "30,000 - 12" is not a range
        return a, b, "range"
    qual = _qualifier(match) or "exact"
    if persian and match["between"]:
        return None, None, ""  # "از ۶۵۸" alone is not a claim
    if qual in ("over", "at_least"):
        return a, None, qual
    if qual == "up_to":
        return None, a, qual
    return a, a, qual


def _toll_context(text: str, match: re.Match[str]) -> bool:
    """A hedged figure closing a clause in a sentence that talks about a toll or estimate."""
    hedged = bool(_qualifier(match) or match["b"])
    if not hedged or not re.match(r"^\s*(?:[.,;)]|$)", text[match.end():match.end() + 3]):
        return False
    s_start, _ = sentence_bounds(text, match.start())
    return bool(_EN_TOLL_CONTEXT.search(text[s_start:match.start()]))


_VICTIM_CONTEXT_EN = re.compile(
    r"\b(?:victims?|toll|estimates?|fatalities|figures?|number|massacre|executions?|deaths?"
    r"|killings?|graves?|disappeared|perished|hanged|of\s+them)\b", re.IGNORECASE)
_VICTIM_CONTEXT_FA = re.compile(r"قربانی|رقم|شمار|تعداد|آمار|کشتار|اعدام|جان")


def _about_victims(text: str, pos: int, persian: bool) -> bool:
    """Whether the sentence speaks of victims, deaths or a toll at all."""
    s_start, s_end = sentence_bounds(text, pos)
    pattern = _VICTIM_CONTEXT_FA if persian else _VICTIM_CONTEXT_EN
    return bool(pattern.search(text[s_start:s_end]))


def _looks_like_year(match: re.Match[str], text: str) -> bool:
    raw = match["a"] or ""
    if match["b"] or not re.fullmatch(r"[0-9\u06F0-\u06F9]{4}", raw):
        return False
    year = parse_number(raw)
    return 1300 <= year <= 1420 or 1900 <= year <= 2100


def extract_claims(text: str) -> list[Claim]:
    """Every toll claim in ``text`` (English and Persian), in order of position."""
    claims: list[Claim] = []
    for pattern, after, persian in ((_EN_CLAIM, _EN_AFTER, False), (_FA_CLAIM, _FA_AFTER, True)):
        for match in pattern.finditer(text):
            rest = text[match.end(): match.end() + 80]
            if not (after.match(rest) or (not persian and _EN_THEM.match(rest))
                    or (not persian and _toll_context(text, match))):
                continue
            if match["qual"] or match["several"]:
                low: int | None = None
                high: int | None = None
                qualifier = "unknown"
            else:
                if (_looks_like_year(match, text) and not _qualifier(match)
                        and not re.match(r"^\s+(?:people|نفر)", rest)):
                    continue
                low, high, qualifier = _numbers_claim(match, persian)
                if not qualifier:
                    continue
            start, end = match.start(), match.end()
            counted = _counted(text, start, end, _COUNTED_FA if persian else _COUNTED_EN)
            if counted is None and qualifier in ("exact", "unknown") \
                    and not _about_victims(text, start, persian):
                continue  # "300 people protested": people, but no death, victim or toll
            claims.append(Claim(text[start:end], start, end, low, high, qualifier, counted))
    claims.sort(key=lambda c: c.start)
    return claims
