"""The map: Iran's outline from package data, points placed by latitude and longitude."""

from __future__ import annotations

from sabt.report.geo import PAD, WIDTH, draw

TEHRAN = ("T", "SYNTHETIC Tehran", 35.69, 51.39)
MASHHAD = ("M", "SYNTHETIC Mashhad", 36.30, 59.60)
AHVAZ = ("A", "SYNTHETIC Ahvaz", 31.32, 48.67)


def test_points_fall_where_the_cities_are() -> None:
    drawn = draw([TEHRAN, MASHHAD, AHVAZ])
    t, m, a = drawn.points
    assert m.x > t.x > a.x                  # Mashhad east of Tehran, Ahvaz west
    assert a.y > t.y > m.y                  # Ahvaz south (down), Mashhad a little north
    for p in drawn.points:
        assert PAD <= p.x <= WIDTH - PAD and PAD <= p.y <= drawn.height - PAD
    assert len(drawn.outline) >= 1 and drawn.outline[0].startswith("M")
    assert "Natural Earth" in drawn.attribution


def test_a_point_outside_the_outline_widens_the_map() -> None:
    inside = draw([TEHRAN])
    outside = draw([TEHRAN, ("D", "SYNTHETIC Damascus", 33.51, 36.29)])
    assert outside.points[1].x >= PAD and outside.points[0].x > inside.points[0].x
