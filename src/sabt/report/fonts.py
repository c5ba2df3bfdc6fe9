"""The Persian font the pages ship: Noto Sans Arabic from Debian's `fonts-noto-core`
(SIL Open Font License 1.1), read from the system's font folder — never downloaded.

``SABT_FONT_DIR`` points elsewhere (a folder holding the same files) on systems that keep
fonts in another place. When the files are missing the pages fall back to the reader's own
fonts, which every current system has for Persian.
"""

from __future__ import annotations

import os
from pathlib import Path

DEBIAN_DIR = Path("/usr/share/fonts/truetype/noto")
PERSIAN_FONTS = ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf")


def font_dir() -> Path:
    return Path(os.environ.get("SABT_FONT_DIR") or DEBIAN_DIR)


def persian_font(name: str) -> Path | None:
    """The file of one of `PERSIAN_FONTS`, if this system has it (None for any other name)."""
    if name not in PERSIAN_FONTS:
        return None
    path = font_dir() / name
    return path if path.is_file() else None
