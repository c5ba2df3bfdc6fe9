"""The seed articles as sources, and a few statements each citing the exact sentence.

Each statement names a phrase; its reference is the whole sentence holding that phrase, found
in the article at build time (character offsets into the stored text), so a reader can check
every figure against its words.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib.resources import files

from sabt.errors import SabtError
from sabt.model.dates import FuzzyDate
from sabt.model.statements import (
    Confidence,
    EntityRef,
    Locator,
    Quantity,
    QuantityQualifier,
    Reference,
    Text,
    Value,
)
from sabt.store.change import Change

SEEDS = files("sabt.data.demo").joinpath("seeds")


@dataclass(frozen=True)
class SeedArticle:
    """One stored seed article."""

    key: str
    file: str
    title: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


ARTICLES = {
    "terzi": ("000_59d8189b7e18d397.txt",
              "News article on Giulio Terzi's op-ed about the 1988 massacre (seed article 000)"),
    "rafizadeh": ("001_55fc94f75ba5c4d0.txt",
                  "News article on Dr. Majid Rafizadeh's remarks on the 1988 massacre "
                  "(seed article 001)"),
}


def load_articles() -> dict[str, SeedArticle]:
    """The seed articles from package data."""
    return {key: SeedArticle(key, name, title,
                             SEEDS.joinpath(name).read_bytes().decode("utf-8"))
            for key, (name, title) in ARTICLES.items()}


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][”\"″])\s+|\n+")


def sentence_span(text: str, phrase: str) -> tuple[int, int]:
    """Character span of the sentence (or paragraph line) that holds `phrase`."""
    at = text.find(phrase)
    if at < 0:
        raise SabtError(f"phrase not found in seed article: {phrase!r}")
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() <= at:
            start = match.end()
        elif match.start() >= at + len(phrase):
            return start, match.start()
    return start, len(text)


@dataclass(frozen=True)
class SeedStatement:
    """A statement drawn from a seed article: the phrase locates the cited sentence."""

    article: str
    phrase: str
    entity: str
    property: str
    value: Value
    confidence: Confidence
    qualifiers: tuple[tuple[str, Value], ...] = ()


EVENT = "subj-total-executed-1988-prison-killings-iran"  # from the case data
ENTITIES = [("O-un-experts", "organization", "UN Special Rapporteurs (joint letter)")]

STATEMENTS = [
    SeedStatement("terzi", "Over 30,000 people were killed", EVENT, "figure",
                  Quantity(30000, None, QuantityQualifier.AT_LEAST), Confidence.LOW,
                  (("claimant", Text("the article's unnamed author", "en")),)),
    SeedStatement("rafizadeh", "The 1988 massacre of 30,000 political prisoners", EVENT,
                  "figure", Quantity(30000), Confidence.LOW,
                  (("claimant", Text("the article's unnamed author", "en")),)),
    SeedStatement("terzi", "a renewed wave of executions in the period July-September 1988",
                  EVENT, "date", FuzzyDate("1988-07/1988-09", "July-September 1988"),
                  Confidence.MEDIUM,
                  (("claimant", Text("UN General Assembly resolution, December 1988", "en")),)),
    SeedStatement("terzi", "a fatwa by regime founder Ruhollah Khomeini", "PER01",
                  "alleged role", Text("issued the fatwa that ordered the executions", "en"),
                  Confidence.MEDIUM, (("event", EntityRef(EVENT)),)),
    SeedStatement("terzi", "publicly condemned the massacre", "PER02", "position",
                  Text("second-in-command to Khomeini in 1988", "en"), Confidence.MEDIUM),
    SeedStatement("rafizadeh", "the biggest crime in the Islamic Republic", "PER02",
                  "described the killings as",
                  Text("the biggest crime in the Islamic Republic", "en"), Confidence.MEDIUM,
                  (("event", EntityRef(EVENT)),)),
    SeedStatement("rafizadeh", "placed under house arrest until his death in 2009",
                  "PER02", "date of death", FuzzyDate("2009", "2009"), Confidence.MEDIUM),
    SeedStatement("terzi", "put under house arrest for the final 21 years of his life",
                  "PER02", "house arrest", Text("for the final 21 years of his life", "en"),
                  Confidence.MEDIUM),
    SeedStatement("rafizadeh", "describing it as a potential “crime against humanity”",
                  "O-un-experts", "described the killings as",
                  Text("a potential crime against humanity", "en"), Confidence.MEDIUM,
                  (("event", EntityRef(EVENT)),)),
]


def add_seed_articles(ch: Change) -> dict[str, str]:
    """Add the seed articles as sources and their statements; returns article key → source id."""
    articles = load_articles()
    sources = {
        key: ch.add_source(a.title, id=f"S-seed-{a.file[:3]}", sha256=a.sha256,
                           media_type="text/plain", language="en",
                           notes=f"Seed article {a.file}; demo data shipped with Sabt.")
        for key, a in articles.items()
    }
    for entity_id, kind, label in ENTITIES:
        ch.add_entity(kind, label, id=entity_id)
    for st in STATEMENTS:
        text = articles[st.article].text
        start, end = sentence_span(text, st.phrase)
        ch.add_statement(st.entity, st.property, st.value, confidence=st.confidence,
                         qualifiers=dict(st.qualifiers),
                         references=[Reference(sources[st.article], Locator(start=start, end=end),
                                               text[start:end])])
    return sources
