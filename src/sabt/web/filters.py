"""The search filters as query parameters, shared by the search page and `/api/v1/search`:
parsed here into `sabt.service.search.Filters`; the service checks and applies them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from sabt.service.search import Filters

Short = Annotated[str, Query(max_length=200)]


def search_filters(role: Short = "", list_: Annotated[str, Query(alias="list", max_length=64)]
                   = "", prison: Short = "", province: Short = "",
                   died_from: Annotated[str, Query(max_length=10)] = "",
                   died_to: Annotated[str, Query(max_length=10)] = "",
                   sensitivity: Annotated[str, Query(max_length=16)] = "") -> Filters:
    """Role, list (a source id), prison, province, date of death from/to, sensitivity."""
    return Filters.parse(role=role, list=list_, prison=prison, province=province,
                         died_from=died_from, died_to=died_to, sensitivity=sensitivity)


SearchFilters = Annotated[Filters, Depends(search_filters)]
