"""Names and dates in Persian and Latin script: normalise, parse, compare, convert (pure).

The public API (see docs/text.md):

* normalisation — `normalize_persian`, `detect_script`, `to_ascii_digits`
* keys — `name_key`, `latin_canon`, `skeleton`
* romanisation — `romanize`
* parsing — `parse_name` → `ParsedName`
* similarity — `name_similarity` → `NameSimilarity`, `name_similarity_batch`
* features — `name_features`, `feature_columns`
* dates — `parse_date`, `format_date`, `jalali_to_gregorian`, `gregorian_to_jalali`
"""

from typing import TYPE_CHECKING

from sabt.lazy import lazy_exports

# `romanize` is both a submodule and its function: bind the function now (the module is light),
# or importing the submodule elsewhere would leave the module under this name.
from sabt.text.romanize import romanize

if TYPE_CHECKING:
    from sabt.text.dates import format_date, gregorian_to_jalali, jalali_to_gregorian, parse_date
    from sabt.text.features import feature_columns, name_features
    from sabt.text.keys import latin_canon, name_key, skeleton
    from sabt.text.names import ParsedName, parse_name
    from sabt.text.normalize import detect_script, normalize_persian, to_ascii_digits
    from sabt.text.similarity import NameSimilarity, name_similarity, name_similarity_batch

__getattr__ = lazy_exports(__name__, {
    "format_date": "dates", "gregorian_to_jalali": "dates", "jalali_to_gregorian": "dates",
    "parse_date": "dates", "feature_columns": "features", "name_features": "features",
    "latin_canon": "keys", "name_key": "keys", "skeleton": "keys", "ParsedName": "names",
    "parse_name": "names", "detect_script": "normalize", "normalize_persian": "normalize",
    "to_ascii_digits": "normalize", "NameSimilarity": "similarity",
    "name_similarity": "similarity", "name_similarity_batch": "similarity",
})

__all__ = [
    "NameSimilarity",
    "ParsedName",
    "detect_script",
    "feature_columns",
    "format_date",
    "gregorian_to_jalali",
    "jalali_to_gregorian",
    "latin_canon",
    "name_features",
    "name_key",
    "name_similarity",
    "name_similarity_batch",
    "normalize_persian",
    "parse_date",
    "parse_name",
    "romanize",
    "skeleton",
    "to_ascii_digits",
]
