"""Simulation configuration: one frozen dataclass per list, one for the whole run, named scenarios.

Every knob is a dataclass field, so any scenario can be changed with `scenario(name, **overrides)`:
a `SimulationConfig` field by name (`population=5000`), a `ListSpec` field for every list
(`typo_rate=0.1`), a field of one list (`**{"B.coverage": 0.3}`), or `lists=K` to keep the first K
lists or add more made from the scenario's templates.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sabt.errors import InvalidValue
from sabt.simulate.catalog import AFFILIATIONS, FIELDS, HEADER_SETS, PRISONS
from sabt.simulate.dates import FORMATS
from sabt.simulate.names import KNOWN_HABITS


def _frozen(d: Mapping[str, float] | None = None) -> Mapping[str, float]:
    return MappingProxyType(dict(d or {}))


DATE_ERROR_KINDS = ("days", "month", "year", "calendar")
SCRIPTS = ("persian", "latin", "mixed")
NAME_LAYOUTS = ("split", "full", "full_surname_first", "full_with_father")
ZWNJ_POLICIES = ("keep", "space", "join", "mixed")


@dataclass(frozen=True)
class ListSpec:
    """One organisation's list: who it covers, how it copies, how it writes names and dates.

    Coverage: P(person i on list) = sigmoid(alpha + effects(i) + visibility * z_i), alpha solved so
    that the population mean equals `coverage`. Copying: each non-duplicate row of `copy_from` is
    copied verbatim (with its errors and script) with probability `copy_rate`. Error rates are
    per row (dates, duplicates) or per name field (typos, missing).
    """

    name: str
    organisation: str
    coverage: float
    affiliation_effect: Mapping[str, float] = field(default_factory=_frozen)
    prison_effect: Mapping[str, float] = field(default_factory=_frozen)
    female_effect: float = 0.0
    visibility: float = 0.0
    copy_from: str | None = None
    copy_rate: float = 0.0
    script: str = "latin"
    persian_share: float = 0.5
    latin_habits: tuple[str, ...] = ()
    spelling_inconsistency: float = 0.1
    persian_variant_rate: float = 0.05
    arabic_letters_rate: float = 0.1
    zwnj: str = "mixed"
    persian_digits_rate: float = 0.9
    name_layout: str = "split"
    sayyid_drop_rate: float = 0.3
    title_rate: float = 0.0
    typo_rate: float = 0.02
    missing_rate: float = 0.05
    missing_father_rate: float = 0.2
    date_error_rate: float = 0.05
    date_error_mix: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"days": 0.5, "month": 0.2, "year": 0.15, "calendar": 0.15})
    )
    month_only_rate: float = 0.05
    month_variant_rate: float = 0.0
    birth_error_rate: float = 0.05
    duplicate_rate: float = 0.01
    header_set: str = "en"
    columns: tuple[str, ...] = (
        "row_no",
        "given",
        "surname",
        "father",
        "sex",
        "birth_year",
        "exec_date",
        "prison",
        "province",
        "affiliation",
    )
    date_formats_fa: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"sh_slash": 0.7, "sh_month": 0.3})
    )
    date_formats_latin: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"iso": 0.5, "sh_month": 0.25, "dmy": 0.25})
    )
    birth_calendar_latin: str = "gregorian"
    encoding: str = "utf-8"

    def validate(self) -> None:
        """Raise InvalidValue naming the knob when a value is out of range."""
        for knob in (
            "coverage",
            "copy_rate",
            "persian_share",
            "spelling_inconsistency",
            "persian_variant_rate",
            "arabic_letters_rate",
            "persian_digits_rate",
            "sayyid_drop_rate",
            "title_rate",
            "typo_rate",
            "missing_rate",
            "missing_father_rate",
            "date_error_rate",
            "month_only_rate",
            "month_variant_rate",
            "birth_error_rate",
            "duplicate_rate",
        ):
            value = getattr(self, knob)
            if not 0.0 <= value <= 1.0:
                raise InvalidValue(
                    f"list {self.name}: {knob}={value} is not between 0 and 1", field=knob
                )
        if not 0.0 < self.coverage < 1.0:
            raise InvalidValue(f"list {self.name}: coverage must be in (0, 1)", field="coverage")
        choices = {
            "script": SCRIPTS,
            "name_layout": NAME_LAYOUTS,
            "zwnj": ZWNJ_POLICIES,
            "birth_calendar_latin": ("gregorian", "solar_hijri"),
            "encoding": ("utf-8", "utf-8-sig"),
        }
        for knob, allowed in choices.items():
            if getattr(self, knob) not in allowed:
                raise InvalidValue(
                    f"list {self.name}: {knob} must be one of {', '.join(allowed)}", field=knob
                )
        bad_columns = set(self.columns) - set(FIELDS)
        if bad_columns or self.header_set not in HEADER_SETS:
            raise InvalidValue(
                f"list {self.name}: unknown columns {sorted(bad_columns)} or header "
                f"set {self.header_set!r}",
                field="columns",
            )
        codes = {
            "affiliation_effect": {label.code for label, _, _ in AFFILIATIONS},
            "prison_effect": {p.label.code for p in PRISONS},
        }
        for knob, known in codes.items():
            bad = set(getattr(self, knob)) - known
            if bad:
                raise InvalidValue(
                    f"list {self.name}: unknown codes {sorted(bad)} in {knob}; known: "
                    f"{', '.join(sorted(known))}",
                    field=knob,
                )
        bad_habits = set(self.latin_habits) - KNOWN_HABITS
        if bad_habits:
            raise InvalidValue(
                f"list {self.name}: unknown Latin habits {sorted(bad_habits)}; known: "
                f"{', '.join(sorted(KNOWN_HABITS))}",
                field="latin_habits",
            )
        bad_formats = (set(self.date_formats_fa) | set(self.date_formats_latin)) - set(FORMATS)
        if bad_formats:
            raise InvalidValue(
                f"list {self.name}: unknown date formats {sorted(bad_formats)}; known: "
                f"{', '.join(FORMATS)}",
                field="date_formats",
            )
        unknown = set(self.date_error_mix) - set(DATE_ERROR_KINDS)
        if unknown:
            raise InvalidValue(
                f"list {self.name}: unknown date error kinds {sorted(unknown)}",
                field="date_error_mix",
            )


@dataclass(frozen=True)
class SimulationConfig:
    """A whole run: the population and its lists."""

    scenario: str
    population: int
    lists: tuple[ListSpec, ...]
    female_share: float = 0.1
    sayyid_share: float = 0.08
    seed: int | None = None

    def validate(self) -> None:
        """Check every knob; list names must be unique and copies must come from earlier lists."""
        if self.population < 1:
            raise InvalidValue("population must be at least 1", field="population")
        if not self.lists:
            raise InvalidValue("at least one list is needed", field="lists")
        seen: set[str] = set()
        for spec in self.lists:
            spec.validate()
            if spec.name in seen:
                raise InvalidValue(f"duplicate list name {spec.name!r}", field="lists")
            if spec.copy_from is not None and spec.copy_from not in seen:
                raise InvalidValue(
                    f"list {spec.name} copies from {spec.copy_from!r}, which is not an "
                    "earlier list",
                    field="copy_from",
                )
            seen.add(spec.name)


# --- scenarios --------------------------------------------------------------------------------

_LATIN_LIST = dict(script="latin", header_set="en")
_PERSIAN_LIST = dict(
    script="persian",
    header_set="fa",
    columns=(
        "row_no",
        "given",
        "surname",
        "father",
        "birth_year",
        "exec_date",
        "prison",
        "exec_place",
        "affiliation",
        "burial",
    ),
)
_HARD_ERRORS = dict(
    typo_rate=0.06,
    missing_rate=0.12,
    missing_father_rate=0.35,
    date_error_rate=0.12,
    birth_error_rate=0.1,
    duplicate_rate=0.03,
    spelling_inconsistency=0.25,
    arabic_letters_rate=0.3,
    persian_variant_rate=0.12,
    month_only_rate=0.1,
    month_variant_rate=0.05,
)
_LEFT = {"FDA": 1.2, "FDK": 1.2, "TUD": 1.2, "PEY": 1.2, "RAH": 1.2, "OTH": 1.0, "MEK": -0.8}
_MEK = {"MEK": 1.0, "TUD": -0.8, "FDK": -0.8}
_KURD = {"KOM": 1.5, "KDP": 1.5}
_TEHRAN = {"EVIN": 1.0, "GOHR": 1.0}


def _templates(kind: str) -> list[dict[str, Any]]:
    """List templates of a scenario, one dict of ListSpec fields per list."""
    base: list[dict[str, Any]] = [
        dict(
            organisation="Org A (human-rights NGO, English)",
            coverage=0.35,
            **_LATIN_LIST,
            latin_habits=(),
        ),
        dict(organisation="Org B (exile group, Persian)", coverage=0.3, **_PERSIAN_LIST),
        dict(
            organisation="Org C (families' collective, mixed)",
            coverage=0.25,
            script="mixed",
            persian_share=0.5,
            header_set="bi",
            name_layout="full_with_father",
            columns=("row_no", "full_name", "sex", "age", "exec_date", "prison", "burial"),
        ),
        dict(
            organisation="Org D (research group, Latin)",
            coverage=0.3,
            script="latin",
            header_set="en2",
            latin_habits=("q", "u", "e", "join"),
            name_layout="full_surname_first",
            columns=(
                "full_name",
                "father",
                "sex",
                "birth_date",
                "exec_date",
                "exec_place",
                "province",
                "affiliation",
            ),
            date_formats_latin={"dmy": 0.6, "greg_month": 0.4},
        ),
        dict(
            organisation="Org E (news archive, Latin)",
            coverage=0.2,
            script="latin",
            header_set="en",
            latin_habits=("arabic", "ey", "y", "space"),
            columns=("given", "surname", "exec_date", "prison", "affiliation"),
            birth_calendar_latin="solar_hijri",
        ),
    ]
    if kind == "independent":
        return base
    heterogeneous = [
        dict(affiliation_effect=_LEFT, visibility=0.8),
        dict(affiliation_effect=_MEK, prison_effect=_TEHRAN, visibility=0.8),
        dict(prison_effect={"EVIN": 1.5, "GOHR": 0.5}, affiliation_effect=_LEFT, visibility=0.8),
        dict(affiliation_effect=_KURD, prison_effect={"SANA": 1.5, "DIZL": 1.0}, visibility=0.8),
        dict(female_effect=0.8, prison_effect=_TEHRAN, visibility=0.8),
    ]
    dependent = [
        {},
        {},
        dict(copy_from="B", copy_rate=0.5),
        dict(copy_from="A", copy_rate=0.4),
        dict(copy_from="B", copy_rate=0.3),
    ]
    if kind == "heterogeneous":
        return [b | h for b, h in zip(base, heterogeneous, strict=True)]
    if kind == "dependent":
        return [b | d | {"visibility": 0.6} for b, d in zip(base, dependent, strict=True)]
    hard = [
        b | h | d | _HARD_ERRORS for b, h, d in zip(base, heterogeneous, dependent, strict=True)
    ]
    hard[0]["script"] = "mixed"  # an English list that pasted in some Persian rows
    hard[0]["persian_share"] = 0.2
    hard[2]["persian_share"] = 0.6
    hard[1]["title_rate"] = 0.2  # a memorial list: شهید before some names
    hard[3]["encoding"] = "utf-8-sig"  # saved from Excel: starts with a byte-order mark
    return hard


def _1988_like() -> list[dict[str, Any]]:
    """Five lists whose expected sizes echo published 1988 name lists (see docs/simulate.md)."""
    return [
        dict(
            organisation="Org A (international human-rights NGO, 1989 appeal)",
            size=2000,
            script="latin",
            header_set="en",
            affiliation_effect=_LEFT,
            visibility=0.5,
            latin_habits=("s", "space", "upper"),
            date_formats_latin={"greg_month": 0.5, "dmy": 0.5},
        ),
        dict(
            organisation="Org B (exile political organisation, 1999 list)",
            size=3208,
            script="persian",
            header_set="fa",
            affiliation_effect={"MEK": 2.0},
            visibility=0.5,
            title_rate=0.4,
            columns=_PERSIAN_LIST["columns"],
        ),
        # `size` is the expected number of own rows; copying from B brings the list to ~5,000.
        dict(
            organisation="Org C (exile political organisation, 2019 book)",
            size=3500,
            script="mixed",
            persian_share=0.3,
            header_set="en2",
            copy_from="B",
            copy_rate=0.6,
            affiliation_effect={"MEK": 2.0},
            visibility=0.5,
            latin_habits=("e", "hyphen"),
            name_layout="full_surname_first",
            columns=(
                "row_no",
                "full_name",
                "father",
                "sex",
                "birth_year",
                "exec_date",
                "prison",
                "province",
                "affiliation",
            ),
        ),
        dict(
            organisation="Org D (documentation centre, 2018 database)",
            size=4482,
            script="mixed",
            persian_share=0.35,
            header_set="bi",
            visibility=0.5,
            prison_effect={"EVIN": 0.5, "GOHR": 0.5},
            encoding="utf-8-sig",
            affiliation_effect=_LEFT,
            name_layout="full_with_father",
            latin_habits=("q", "u", "join"),
            columns=("row_no", "full_name", "sex", "age", "exec_date", "prison", "burial"),
        ),
        dict(
            organisation="Org E (news outlet, families' reports, 2018)",
            size=4672,
            script="persian",
            header_set="fa2",
            title_rate=0.2,
            month_variant_rate=0.15,
            visibility=0.5,
            female_effect=0.5,
            columns=(
                "given",
                "surname",
                "father",
                "exec_date",
                "prison",
                "province",
                "affiliation",
                "burial",
            ),
        ),
    ]


SCENARIOS: dict[str, str] = {
    "independent": "3 lists, homogeneous independent capture, few errors: every MSE model works",
    "heterogeneous": "5 lists whose coverage depends on affiliation/prison/sex plus a shared "
    "latent visibility (individual heterogeneity)",
    "dependent": "5 lists, three of them partly copied from earlier ones, errors included",
    "hard": "heterogeneity + copying + heavy noise + >= 30% Persian-script rows",
    "1988-like": "5 lists of a few thousand rows each, sizes echoing published 1988 name lists",
}
_DEFAULT_POPULATION = {
    "independent": 5000,
    "heterogeneous": 10000,
    "dependent": 10000,
    "hard": 10000,
    "1988-like": 15000,
}
_DEFAULT_K = {"independent": 3}


def _spec(index: int, fields: dict[str, Any], population: int) -> ListSpec:
    fields = dict(fields)
    size = fields.pop("size", None)
    if size is not None:
        fields["coverage"] = min(0.95, size / population)
    for key in (
        "affiliation_effect",
        "prison_effect",
        "date_formats_fa",
        "date_formats_latin",
        "date_error_mix",
    ):
        if key in fields:
            fields[key] = _frozen(fields[key])
    fields["latin_habits"] = tuple(fields.get("latin_habits", ()))
    fields["columns"] = tuple(fields.get("columns", ListSpec.columns))
    return ListSpec(name=string.ascii_uppercase[index], **fields)


_EXTRA_HABITS = (("s",), ("u", "ey"), ("q",), ("dj", "m"), ("arabic",), ("e", "y"))


def _extend(templates: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """Exactly k templates: the first k, or cycled copies with their own habits and no copying."""
    if k < 1 or k > 26:
        raise InvalidValue("the number of lists must be between 1 and 26", field="lists")
    out = [dict(t) for t in templates[:k]]
    for i in range(len(out), k):
        t = dict(templates[i % len(templates)])
        t.pop("copy_from", None)
        t.pop("copy_rate", None)
        t["organisation"] = f"Org {string.ascii_uppercase[i]} (additional list)"
        t["latin_habits"] = _EXTRA_HABITS[i % len(_EXTRA_HABITS)]
        out.append(t)
    names = {string.ascii_uppercase[i] for i in range(k)}
    for t in out:  # a copy from a list that was cut away becomes an independent list
        if t.get("copy_from") not in names:
            t.pop("copy_from", None)
            t.pop("copy_rate", None)
    return out


def _coerce(current: Any, value: Any, knob: str) -> Any:
    """Convert a CLI string or a plain value to the type of the field it overrides."""
    if not isinstance(value, str) or isinstance(current, str):
        if isinstance(current, tuple) and isinstance(value, list):
            return tuple(value)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            return _frozen(value)
        return value
    try:
        if isinstance(current, bool):
            return value.lower() in ("1", "true", "yes")
        if isinstance(current, int):
            return int(value)
        if isinstance(current, float):
            return float(value)
        if isinstance(current, tuple):
            return tuple(v for v in value.split(",") if v)
        if isinstance(current, Mapping):
            pairs = (item.split(":") for item in value.split(",") if item)
            return _frozen({k: float(v) for k, v in pairs})
    except ValueError as exc:
        raise InvalidValue(f"cannot read {value!r} for {knob}", field=knob) from exc
    if current is None:  # copy_from, seed
        return None if value.lower() in ("", "none") else (int(value) if knob == "seed" else value)
    return value


def scenario(name: str, **overrides: Any) -> SimulationConfig:
    """The named scenario's configuration with overrides applied (see module docstring)."""
    if name not in SCENARIOS:
        raise InvalidValue(
            f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}", field="scenario"
        )
    population = int(overrides.pop("population", _DEFAULT_POPULATION[name]))
    templates = _1988_like() if name == "1988-like" else _templates(name)
    k = int(overrides.pop("lists", _DEFAULT_K.get(name, len(templates))))
    specs = [_spec(i, t, population) for i, t in enumerate(_extend(templates, k))]
    top = {f.name for f in dataclasses.fields(SimulationConfig)} - {"scenario", "lists"}
    per_list = {f.name for f in dataclasses.fields(ListSpec)} - {"name"}
    config_fields: dict[str, Any] = {}
    for knob, value in overrides.items():
        if knob in top:
            default = getattr(SimulationConfig(name, 1, ()), knob)
            config_fields[knob] = _coerce(default, value, knob)
        elif knob in per_list:
            specs = [
                dataclasses.replace(s, **{knob: _coerce(getattr(s, knob), value, knob)})
                for s in specs
            ]
        elif "." in knob and knob.split(".", 1)[1] in per_list:
            target, sub = knob.split(".", 1)
            if target not in {s.name for s in specs}:
                raise InvalidValue(f"no list named {target!r} in this run", field=knob)
            specs = [
                dataclasses.replace(s, **{sub: _coerce(getattr(s, sub), value, knob)})
                if s.name == target
                else s
                for s in specs
            ]
        else:
            raise InvalidValue(f"unknown knob {knob!r}", field=knob)
    config = SimulationConfig(
        scenario=name, population=population, lists=tuple(specs), **config_fields
    )
    config.validate()
    return config


def config_dict(config: SimulationConfig) -> dict[str, Any]:
    """The configuration as plain JSON-ready data (mappings as dicts, tuples as lists)."""

    def plain(obj: Any) -> Any:
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        if isinstance(obj, Mapping):
            return {k: plain(v) for k, v in obj.items()}
        if isinstance(obj, tuple | list):
            return [plain(v) for v in obj]
        return obj

    result: dict[str, Any] = plain(config)
    return result
