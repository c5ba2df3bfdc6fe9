"""Quotations with the speaker they are attributed to (English and Persian).

A *quote* here is verbatim text: inside quotation marks (“…”, "…", «…», and the stray ”…″
pairs of copy-pasted web text), or introduced by a speech verb and a colon and closed by a
quotation mark whose opening mark was lost ("He wrote: The time has come … personnel.”").
Quotes nested inside another quote are part of it. A quote is reported only when a speaker is
found, so scare quotes ("the so-called “Death Commissions”") are left out.

Speaker rules, tried in order:
1. after the quote: ``”, X said`` / ``” X wrote`` / ``”, said X`` / ``”, according to X`` /
   ``» به گفته X``, and Persian ``X … را «…» خواند/نامید`` (verb after the quote);
2. before the quote, the last speech cue of the sentence ("said", "wrote", "called it",
   "describing it as", "expressing", "read:", "according to X", "به گفته X", "گفت", "نوشت" …);
   its subject is the noun phrase just before it ("Amnesty International called",
   "Diana Eltahawy, who called it", "the UN resolution in December 1988 expressing" →
   "UN resolution"); a cue joined by "and" keeps the sentence's previous speaker;
3. pronouns: "he"/"she"/"او"/"وی" → the first person-like name earlier in the sentence, else
   the last speaker; "it" → a document ("The letter …") that began one of the three previous
   sentences, else the last speaker.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sabt.extract.text import sentence_bounds, sentences


@dataclass(frozen=True)
class Quote:
    """A quotation (text without its marks, offsets into the source) and its speaker."""

    text: str
    speaker: str | None
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_OPENERS = "“«„"
_CLOSERS = "»″"
_AMBIGUOUS = "\"”"

_EN_VERBS = (r"said|says|say|wrote|writes|write|told(?:\s+\w+)?|added|adds|stated|states|noted"
             r"|notes|declared|declares|warned|warns|predicted|urged|argued|argues|insisted"
             r"|explained|stressed|asked|replied|continued|concluded|read|reads|tweeted"
             r"|posted|announced|acknowledged|admitted|recalled|testified|claimed")
_EN_CUE = re.compile(
    rf"(?<![\w-])(?:(?P<verb>{_EN_VERBS}|saying|adding|noting|insisting|arguing|warning"
    r"|stressing|writing|telling\s+\w+)|(?:called|calling|calls|call|described|describing|describes"
    r"|branded|branding|termed|labelled|labeled)(?:\s+(?:it|this|them|him|her|the\s+\w+))?"
    r"(?:\s+as)?|expressing|expressed|voicing|voiced)\b"
    r"|\baccording\s+to\s+(?P<acc>[^,.;:“”\"«»]{2,80})",
    re.IGNORECASE,
)
_FA_VERBS = (r"گفت|گفته\s+است|می[\u200c ]?گوید|نوشت|نوشته\s+است|می[\u200c ]?نویسد|اعلام\s+کرد"
             r"|افزود|تاکید\s+کرد|تأکید\s+کرد|اظهار\s+داشت|اظهار\s+کرد|خاطرنشان\s+کرد"
             r"|توضیح\s+داد|هشدار\s+داد|پرسید|ادامه\s+داد")
_FA_CUE = re.compile(rf"(?:{_FA_VERBS})(?![\u0600-\u06FF])"
                     r"|(?:به\s+گفته|به\s+نوشته|از\s+قول)\s+(?P<acc>[^،,.:«»]{2,60})")
_FA_AFTER_VERB = re.compile(r"^\s*(?:خواند|نامید|توصیف\s+کرد|دانست|خوانده\s+است|نامیده\s+است)")

_NAME = r"(?:[A-Z][\w’'.-]*\s+){0,4}[A-Z][\w’'-]+"
_PRONOUN = r"[Hh]e|[Ss]he|[Tt]hey|[Ii]t"
_AFTER_EN = re.compile(
    rf"^[\s,.]*(?:according\s+to\s+(?P<acc>[^,.;:“”\"«»]{{2,80}})"
    rf"|(?P<subj>{_NAME}|{_PRONOUN}|(?:[Tt]he|an?)\s+[\w\s’'-]{{2,40}}?)\s+(?:{_EN_VERBS})\b"
    rf"|(?:{_EN_VERBS})\s+(?P<obj>{_NAME}))"
)
_AFTER_FA = re.compile(
    rf"^[\s،,]*(?:(?:به\s+گفته|به\s+نوشته)\s+(?P<acc>[^،,.:«»]{{2,60}})"
    rf"|(?P<subj>[^،,.:«»]{{2,60}}?)\s+(?:{_FA_VERBS})(?![\u0600-\u06FF]))"
)

_CLAUSE_WORDS = {
    "that", "which", "where", "when", "while", "whom", "because", "after", "before", "given",
    "by", "with", "something", "and", "but", "as", "if", "though", "although", "so", "since",
    "however", "then", "also", "even", "who",
}
_DETERMINERS = re.compile(r"^(?:the|a|an|several|some|many|his|her|its|their|this|that)\s+",
                          re.IGNORECASE)
_NON_PERSON = re.compile(
    r"\b(?:Committee|Commission|Council|International|Nations|UN|Republic|Ministry|Court"
    r"|Prison|Organi[sz]ation|Party|Agency|Office|Centre|Center|Foundation|Institute|Union"
    r"|Assembly|Watch|Tribunal|Iran|Tehran|Middle|East|Islamic|Supreme|Leader|Regime)\b")
_CAPITAL_STOP = {"The", "This", "That", "These", "Those", "It", "He", "She", "They", "In", "On",
                 "At", "For", "However", "But", "And", "Current", "Former", "Read", "A", "An",
                 "When", "While", "Although", "Even", "As", "After", "Before", "His", "Her"}
_DOC_SUBJECT = re.compile(
    r"^\s*(?:The|This|That|Its|Their)\s+((?:[\w-]+\s+){0,2}(?:letter|report|resolution|statement"
    r"|communication|decree|fatwa|memo|article|book|judgment|verdict|petition|release|document"
    r"|message|note))\b")
_FA_PRONOUNS = {"او", "وی", "ایشان"}
_FA_STOP_WORDS = re.compile(r"\s+(?:در|روز|امروز|دیروز|با|که|نیز|هم|همچنین|سپس)(?:\s.*)?$")


def _quote_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(mark_start, text_start, text_end, mark_end) of each outermost quotation."""
    spans: list[tuple[int, int, int, int]] = []
    for p_start, p_end in _paragraphs(text):
        depth, start = 0, -1
        for i in range(p_start, p_end):
            ch = text[i]
            prev = text[i - 1] if i > p_start else " "
            is_open = ch in _OPENERS or (ch in _AMBIGUOUS and (prev.isspace() or prev in "([—–-"))
            if ch == '"' and depth > 0 and not (prev.isspace() or prev in "([—–-"):
                is_open = False
            if is_open and not (ch == '"' and depth > 0):
                if depth == 0:
                    start = i
                depth += 1
            elif ch in _CLOSERS or ch in _AMBIGUOUS:
                if depth > 0:
                    depth -= 1
                    if depth == 0:
                        spans.append((start, start + 1, i, i + 1))
                else:
                    colon = _colon_intro(text, spans, p_start, i)
                    if colon is not None:
                        spans.append((colon, colon, i, i + 1))
    # Drop quotes that sit inside another one (a colon-introduced quote found after them).
    spans.sort(key=lambda s: (s[0], -s[3]))
    outer: list[tuple[int, int, int, int]] = []
    for span in spans:
        if outer and span[0] >= outer[-1][0] and span[3] <= outer[-1][3]:
            continue
        outer.append(span)
    return outer


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for match in re.finditer(r"\n", text):
        out.append((start, match.start()))
        start = match.end()
    out.append((start, len(text)))
    return [(s, e) for s, e in out if e > s]


_COLON_CUE = re.compile(rf"\b(?:{_EN_VERBS})\s*:\s*|(?:{_FA_VERBS})\s*:\s*", re.IGNORECASE)


def _colon_intro(text: str, spans: list[tuple[int, int, int, int]], p_start: int,
                 close: int) -> int | None:
    """Start of a quote opened by "verb:" whose opening mark is missing, if any.

    The last such cue in the paragraph that is not itself inside a quotation; quotations found
    after it were nested in this one and are dropped later.
    """
    cues = list(_COLON_CUE.finditer(text, p_start, close))
    for cue in reversed(cues):
        if not any(s[0] < cue.start() < s[3] for s in spans):
            return cue.end()
    return None


def _trailing_np(before: str) -> str:
    """The noun phrase that ends ``before`` (the subject of the cue that follows it)."""
    before = before.rstrip()
    who = re.search(r"([^,;:“”\"«»()]+),\s+who$", before)
    if who:
        return who.group(1).strip()
    verb = re.search(r"^(.*?)\s+(?:wrote|sent|issued|published|released|signed|adopted|delivered)"
                     r"\s+(?:a|an)\s+[\w\s-]+$", before)
    if verb:
        before = verb.group(1)
    segment = re.split(r"[,;:“”\"«»()—–]", before)[-1]
    words = segment.split()
    kept: list[str] = []
    for word in reversed(words):
        if word.lower() in _CLAUSE_WORDS:
            break
        kept.append(word)
    phrase = " ".join(reversed(kept))
    phrase = re.sub(r"\s+(?:in|on|at|during|from)\s+.*$", "", phrase)
    return phrase.strip()


def _clean_speaker(np: str) -> str | None:
    np = np.strip(" ,.;:’'")
    np = re.sub(r"[’']s$", "", np)
    np = _DETERMINERS.sub("", np).strip()
    return np or None


def _is_pronoun(np: str) -> bool:
    return np.lower() in {"he", "she", "they", "it", "this"} or np in _FA_PRONOUNS


def _first_person_name(fragment: str) -> str | None:
    for match in re.finditer(_NAME, fragment):
        name = match.group(0)
        words = name.split()
        while words and words[0] in _CAPITAL_STOP:
            words.pop(0)
        name = " ".join(words)
        if name and not _NON_PERSON.search(name) and name not in _CAPITAL_STOP:
            return name
    return None


class _Resolver:
    """Remembers speakers across a text to resolve pronouns."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.last_person: str | None = None
        self.last_speaker: str | None = None

    def resolve(self, np: str, pos: int) -> str | None:
        if not _is_pronoun(np):
            return np
        s_start, _ = sentence_bounds(self.text, pos)
        if np.lower() in {"it", "this"}:
            index = [i for i, (s, _e) in enumerate(sentences(self.text)) if s == s_start]
            spans = sentences(self.text)
            for k in range(index[0] - 1 if index else -1, max(-1, (index[0] if index else 0) - 4),
                           -1):
                found = _DOC_SUBJECT.match(self.text[spans[k][0]:spans[k][1]])
                if found:
                    return found.group(1)
            return self.last_speaker
        name = _first_person_name(self.text[s_start:pos])
        if name is None and s_start > 0:
            p_start, _ = sentence_bounds(self.text, s_start - 1)
            names = [_first_person_name(m.group(0))
                     for m in re.finditer(_NAME, self.text[p_start:s_start])]
            named = [n for n in names if n]
            name = named[0] if named else None  # "X spoke in Y. “…,” he said." → X
        return name or self.last_person

    def remember(self, speaker: str) -> None:
        self.last_speaker = speaker
        if not _NON_PERSON.search(speaker) and not _DOC_SUBJECT.match(f"The {speaker}"):
            self.last_person = speaker


def _speaker_after(after: str) -> str | None:
    for pattern in (_AFTER_EN, _AFTER_FA):
        found = pattern.match(after)
        if found:
            speaker = next((found[g] for g in ("acc", "subj", "obj")
                            if found.groupdict().get(g)), None)
            if speaker and pattern is _AFTER_FA:
                speaker = re.split(r"\sرا\s", f" {speaker} ")[-1].strip()  # "این جمله را X گفت"
            return speaker
    return None


def _speaker_before(before: str, previous: str | None) -> str | None:
    last = None
    for pattern in (_EN_CUE, _FA_CUE):
        for match in pattern.finditer(before):
            if last is None or match.start() >= last.start():
                last = match
    if last is None:
        return None
    gap = before[last.end():]
    if len(gap) > 90 or re.search(r"[.!?؟]\s", gap):
        return None
    if last.groupdict().get("acc"):
        return last["acc"]
    head = before[: last.start()]
    if re.search(r"\band\s*$", head) and previous:
        return previous
    if last.group(0).lower().endswith("ing") and head.rstrip().endswith(","):
        # "Raisi denied any role, saying …": the participle's subject is the sentence's.
        return _first_person_name(head) or previous
    if _FA_CUE is last.re:
        return _fa_subject(head) or previous
    return _trailing_np(head) or previous


def _fa_subject(head: str) -> str | None:
    """The subject of a Persian clause that ends ``head`` ("X، apposition، " → X)."""
    parts = re.split(r"[،,:«»]", re.split(r"[.!؟?]\s", head)[-1])
    # "جاوید رحمان، گزارشگر ویژه، گفت": the name comes before the apposition.
    clause = parts[-3] if len(parts) >= 3 and not parts[-1].strip() else parts[-1]
    clause = _FA_STOP_WORDS.sub("", clause.strip())
    return clause or None


def extract_quotes(text: str) -> list[Quote]:
    """Every attributed quotation in ``text``, in order of position."""
    resolver = _Resolver(text)
    quotes: list[Quote] = []
    previous_sentence_speaker: tuple[int, str] | None = None
    for mark_start, t_start, t_end, mark_end in _quote_spans(text):
        s_start, _ = sentence_bounds(text, mark_start)
        _, s_end = sentence_bounds(text, max(mark_end - 1, 0))
        before = text[s_start:mark_start]
        after = text[mark_end:s_end]
        same_sentence = (previous_sentence_speaker[1]
                         if previous_sentence_speaker and previous_sentence_speaker[0] == s_start
                         else None)
        raw = _speaker_after(after)
        fa_after = _FA_AFTER_VERB.match(after)
        if raw is None and fa_after:
            raw = _fa_subject(re.sub(r"(?:\S+\s+){1,2}را\s*$", "", before))
        if raw is None:
            raw = _speaker_before(before, same_sentence)
        if raw is None and same_sentence and not before[len(before) - 40:].strip(" ,"):
            raw = same_sentence
        if raw is None:
            continue
        cleaned = _clean_speaker(raw)
        speaker = resolver.resolve(cleaned, mark_start) if cleaned else None
        if not speaker:
            continue
        resolver.remember(speaker)
        previous_sentence_speaker = (s_start, speaker)
        body = text[t_start:t_end]
        lead = len(body) - len(body.lstrip())
        body = body.strip()
        quotes.append(Quote(body, speaker, t_start + lead, t_start + lead + len(body)))
    return quotes


_CLAIM_VERBS = re.compile(
    r"(?<![\w-])(?:said|says|say|wrote|writes|reported|reports|estimated|estimates|estimate"
    r"|claimed|claims|stated|states|found|recorded|gives|give|spoke\s+of|puts?|believes?"
    r"|told)\b")


def claimant_for(text: str, start: int, end: int) -> str | None:
    """Who a figure at ``text[start:end]`` is attributed to in its sentence, if anyone.

    "…, according to X" / "According to X, …" / "X said (that) …" / "به گفته X" / "X گفت";
    pronouns are resolved as for quotes. None when the sentence names no one.
    """
    s_start, s_end = sentence_bounds(text, start)
    before, after = text[s_start:start], text[end:s_end]
    found = _AFTER_ACCORDING.search(after) or _AFTER_ACCORDING.search(before)
    if found:
        raw: str | None = found.group(1)
    else:
        fa = re.search(r"(?:به\s+گفته|به\s+نوشته|بنا\s+بر\s+گزارش)\s+([^،,.:«»]{2,60})", before)
        verbs = list(_CLAIM_VERBS.finditer(before))
        verb = verbs[-1] if verbs else None
        if fa:
            raw = fa.group(1)
        elif verb is not None:
            raw = _trailing_np(before[: verb.start()])
        else:
            fa_verb = re.search(rf"^(.*?)\s+(?:{_FA_VERBS})(?![\u0600-\u06FF])", before)
            raw = _fa_subject(fa_verb.group(1)) if fa_verb else None
    cleaned = _clean_speaker(raw) if raw else None
    if cleaned and re.match(r"(?i)(?:in|on|at|during|from|after|before|for|by)\s", cleaned):
        named = re.search(rf"{_NAME}$", cleaned)  # "In his memoirs Montazeri" → Montazeri
        cleaned = named.group(0) if named else None
    if not cleaned:
        return None
    return _Resolver(text).resolve(cleaned, start)


_AFTER_ACCORDING = re.compile(r"\baccording\s+to\s+([^,.;:“”\"«»]{2,80})", re.IGNORECASE)
