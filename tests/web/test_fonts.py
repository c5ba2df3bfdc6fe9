"""The Persian font is served by the application from Debian's package, cacheable; nothing
else is reachable through the font route."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sabt.report.fonts import PERSIAN_FONTS, persian_font


def test_the_persian_font_is_served_from_the_system(client: TestClient) -> None:
    if persian_font(PERSIAN_FONTS[0]) is None:   # `./run test` installs fonts-noto-core
        pytest.skip("fonts-noto-core is not installed")
    answer = client.get(f"/fonts/{PERSIAN_FONTS[0]}")
    assert answer.status_code == 200 and answer.content[:4] == b"\x00\x01\x00\x00"  # TrueType
    assert "max-age" in answer.headers["cache-control"]
    assert "/fonts/NotoSansArabic-Regular.ttf" in client.get("/static/sabt.css").text


@pytest.mark.parametrize("name", ["..%2F..%2Fetc%2Fpasswd", "DejaVuSans.ttf", "x.ttf"])
def test_other_names_are_not_found(client: TestClient, name: str) -> None:
    answer = client.get(f"/fonts/{name}")
    assert answer.status_code == 404 and answer.headers["cache-control"] == "no-store"
