"""Places on a map without a tile server: Iran's outline (package data, Natural Earth) and
points, projected to SVG coordinates. Pure apart from reading the outline once per call.

The projection is equirectangular with the longitude scaled by the cosine of the map's middle
latitude, which keeps shapes right at the scale of one country. North is up.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources

WIDTH = 600.0
PAD = 10.0


@dataclass(frozen=True)
class MapPoint:
    id: str
    label: str
    x: float
    y: float


@dataclass(frozen=True)
class MapData:
    outline: list[str]          # SVG path data, one per ring
    points: list[MapPoint]
    width: float
    height: float
    attribution: str


def _outline() -> tuple[list[list[tuple[float, float]]], str]:
    data = json.loads(resources.files("sabt.data").joinpath("geo/iran.json")
                      .read_text(encoding="utf-8"))
    return [[(float(lon), float(lat)) for lon, lat in ring] for ring in data["rings"]], \
        str(data["source"])


def draw(points: list[tuple[str, str, float, float]]) -> MapData:
    """The outline and the points (id, label, latitude, longitude) in SVG coordinates; points
    outside the outline's box widen the box rather than fall off the map."""
    rings, source = _outline()
    lons = [lon for ring in rings for lon, _ in ring] + [p[3] for p in points]
    lats = [lat for ring in rings for _, lat in ring] + [p[2] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squeeze = math.cos(math.radians((north + south) / 2))
    scale = (WIDTH - 2 * PAD) / ((east - west) * squeeze)
    height = (north - south) * scale + 2 * PAD

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return PAD + (lon - west) * squeeze * scale, PAD + (north - lat) * scale

    paths = []
    for ring in rings:
        coords = [xy(lon, lat) for lon, lat in ring]
        paths.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + " Z")
    shown = [MapPoint(pid, label, *xy(lon, lat)) for pid, label, lat, lon in points]
    return MapData(paths, shown, WIDTH, height, source)
