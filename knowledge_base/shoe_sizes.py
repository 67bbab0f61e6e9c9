"""A shopper's shoe size in the catalogue's EU sizes: "size 9" (US men's), "UK 8", "women's 10", "25cm".

The catalogue sells shoes and boots in whole EU sizes; shoppers say the size they know. The conversions are
the shop's own, read from its shoe size guide (``guides/en/shoe-size-guide.md``, lines such as
``- EU 42 = UK 8 = US men's 9 = US women's 10.5 (foot 26.5 cm)``), so the guide stays the one place
that states them; a shop whose content has no such guide gets no conversion.

As the guide says: a size that is not listed (a half size) goes by the next size up, and a foot length
takes the size whose foot length is equal to it or just above it.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

GUIDE = Path("guides") / "en" / "shoe-size-guide.md"
_ROW = re.compile(r"^- EU (\d+) = UK ([\d.]+) = US men's ([\d.]+) = US women's ([\d.]+) \(foot ([\d.]+) cm\)",
                  re.M)
SYSTEMS = ("uk", "us_men", "us_women", "cm")
# a number below 16 is a UK or US size, 20-32 a foot length in centimetres; the EU sizes start at 35
US_UK_RANGE = (1.0, 16.0)
FOOT_CM_RANGE = (20.0, 32.0)
_CM_AFTER = re.compile(r"^\s?(?:cm|センチ|公分|厘米|號|号)", re.I)  # 25號 (Taiwan), 25cm: a foot length
_UK_BEFORE = re.compile(r"\buk\s*$", re.I)
_UK_AFTER = re.compile(r"^\s?uk\b", re.I)
_WOMEN = re.compile(r"\b(?:women'?s?|woman'?s|ladies|lady'?s)\b|女|レディース|ウィメンズ", re.I)


@dataclass(frozen=True)
class ShoeSize:
    eu: int
    uk: float
    us_men: float
    us_women: float
    cm: float

    def value(self, system: str) -> float:
        return float(getattr(self, system))


@functools.lru_cache(maxsize=8)
def shoe_size_table(content_dir: Path) -> Tuple[ShoeSize, ...]:
    """The guide's conversion lines, smallest EU size first; empty when the guide is missing."""
    try:
        text = (Path(content_dir) / GUIDE).read_text(encoding="utf-8")
    except OSError:
        return ()
    rows = [ShoeSize(int(eu), float(uk), float(men), float(women), float(cm))
            for eu, uk, men, women, cm in _ROW.findall(text)]
    return tuple(sorted(rows, key=lambda row: row.eu))


def size_system(text: str, start: int, end: int, number: float) -> Optional[str]:
    """What the number at text[start:end] measures: "cm" (a foot length), "uk", "us_women", "us_men", or None
    when it is already an EU size or no shoe size at all."""
    before, after = text[max(0, start - 12):start], text[end:end + 12]
    if FOOT_CM_RANGE[0] <= number <= FOOT_CM_RANGE[1] or (_CM_AFTER.match(after) and number >= FOOT_CM_RANGE[0]):
        return "cm"
    if not US_UK_RANGE[0] <= number < US_UK_RANGE[1]:
        return None
    if _UK_BEFORE.search(before) or _UK_AFTER.match(after):
        return "uk"
    return "us_women" if _WOMEN.search(text) else "us_men"


def to_eu(table: Tuple[ShoeSize, ...], number: float, system: str) -> Optional[int]:
    """The EU size for ``number`` in ``system``: the listed one, else the next size up (a half size, a foot
    length between two); None when it is beyond the largest size the shop sells."""
    for row in table:  # smallest first
        if row.value(system) >= number:
            return row.eu
    return None


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def eu_size_for(text: str, size: str, table: Tuple[ShoeSize, ...]) -> Optional[Tuple[int, str, str]]:
    """(EU size, system, the number as said) for a shopper's shoe size ``size`` said in ``text``; None when
    it needs no conversion (an EU size, a letter size) or none is known."""
    if not table:
        return None
    found = _NUMBER.search(size)
    if found is None:
        return None
    number = float(found.group(0))
    where = text.find(found.group(0))
    start, end = (where, where + len(found.group(0))) if where >= 0 else (0, 0)
    system = size_system(text, start, end, number)
    if system is None:
        return None
    eu = to_eu(table, number, system)
    return (eu, system, found.group(0)) if eu is not None else None
