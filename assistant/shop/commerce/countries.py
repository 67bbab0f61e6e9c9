"""Country names and postal-code formats used to read and check shipping addresses."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# ISO 3166-1 alpha-2 -> English short name. Includes countries we do not ship to,
# so that "Brazil" gets "we don't ship there" rather than "unknown country".
COUNTRY_NAMES: dict[str, str] = {
    "US": "United States", "CA": "Canada", "GB": "United Kingdom", "IE": "Ireland",
    "DE": "Germany", "FR": "France", "NL": "Netherlands", "BE": "Belgium", "AT": "Austria",
    "CH": "Switzerland", "IT": "Italy", "ES": "Spain", "PT": "Portugal", "SE": "Sweden",
    "DK": "Denmark", "NO": "Norway", "FI": "Finland", "PL": "Poland", "CZ": "Czechia",
    "GR": "Greece", "LU": "Luxembourg", "AU": "Australia", "NZ": "New Zealand", "JP": "Japan",
    "CN": "China", "TW": "Taiwan", "HK": "Hong Kong", "SG": "Singapore", "KR": "South Korea",
    "IN": "India", "BR": "Brazil", "MX": "Mexico", "AR": "Argentina", "RU": "Russia",
    "UA": "Ukraine", "TR": "Turkey", "ZA": "South Africa", "NG": "Nigeria", "EG": "Egypt",
    "AE": "United Arab Emirates", "SA": "Saudi Arabia", "IL": "Israel", "TH": "Thailand",
    "VN": "Vietnam", "MY": "Malaysia", "ID": "Indonesia", "PH": "Philippines",
}

# Other spellings (matched case-insensitively after NFKC normalisation).
_ALIASES: dict[str, str] = {
    "usa": "US", "u.s.a.": "US", "u.s.": "US", "united states of america": "US", "america": "US",
    "the united states": "US", "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "the netherlands": "NL", "holland": "NL", "nederland": "NL", "deutschland": "DE",
    "österreich": "AT", "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "italia": "IT",
    "españa": "ES", "espana": "ES", "sverige": "SE", "danmark": "DK", "belgië": "BE",
    "belgique": "BE", "éire": "IE", "republic of ireland": "IE", "czech republic": "CZ",
    "korea": "KR", "republic of korea": "KR", "south korea": "KR", "대한민국": "KR", "한국": "KR",
    "韓国": "KR", "日本": "JP", "nippon": "JP", "中国": "CN", "中國": "CN", "prc": "CN",
    "people's republic of china": "CN", "mainland china": "CN", "台灣": "TW", "台湾": "TW",
    "taiwan roc": "TW", "republic of china": "TW", "香港": "HK", "hong kong sar": "HK",
    "hongkong": "HK", "新加坡": "SG", "uae": "AE", "russian federation": "RU", "türkiye": "TR",
    "viet nam": "VN", "brasil": "BR", "méxico": "MX",
}

# Postal-code rules: the pattern a whole (upper-cased) code must match.
_GENERIC_POSTAL = r"[A-Z0-9](?:[A-Z0-9 \-]{1,8}[A-Z0-9])?"
POSTAL_PATTERNS: dict[str, str] = {
    "US": r"\d{5}(?:-\d{4})?",
    "CA": r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d",
    "GB": r"(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRV-Y\d]?) ?\d[ABD-HJLNP-UW-Z]{2})",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "IT": r"\d{5}",
    "ES": r"\d{5}",
    "NL": r"[1-9]\d{3} ?[A-Z]{2}",
    "BE": r"[1-9]\d{3}",
    "AT": r"[1-9]\d{3}",
    "CH": r"[1-9]\d{3}",
    "DK": r"[1-9]\d{3}",
    "SE": r"\d{3} ?\d{2}",
    "AU": r"\d{4}",
    "NZ": r"\d{4}",
    "JP": r"\d{3}-?\d{4}",
    "CN": r"\d{6}",
    "TW": r"\d{3}(?:\d{2,3})?",
    "SG": r"\d{6}",
    "KR": r"\d{5}",
    "IE": r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}",
}
# Countries where a postal code may be left out.
POSTAL_OPTIONAL: frozenset[str] = frozenset({"HK", "IE"})

POSTAL_EXAMPLES: dict[str, str] = {
    "US": "12345 or 12345-6789", "CA": "K1A 0B1", "GB": "SW1A 1AA", "DE": "10115", "FR": "75001",
    "IT": "00184", "ES": "28013", "NL": "1012 AB", "BE": "1000", "AT": "1010", "CH": "8001",
    "DK": "1050", "SE": "114 55", "AU": "2000", "NZ": "6011", "JP": "150-0002", "CN": "100000",
    "TW": "100 or 10048", "SG": "018956", "KR": "04524", "IE": "D02 X285",
}


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    return " ".join(folded.replace(",", " ").split()).strip(" .")


_LOOKUP: dict[str, str] = {}
for _code, _name in COUNTRY_NAMES.items():
    _LOOKUP[_key(_name)] = _code
for _alias, _code in _ALIASES.items():
    _LOOKUP[_key(_alias)] = _code
    _LOOKUP[_key(_alias).rstrip(".")] = _code


def country_code(text: str | None) -> str | None:
    """ISO-2 code for a country name, alias or code ("Germany", "USA", "de"); None if unknown."""
    if not text:
        return None
    key = _key(text)
    if not key:
        return None
    if len(key) == 2 and key.isascii() and key.upper() in COUNTRY_NAMES:
        return key.upper()
    return _LOOKUP.get(key)


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code.upper(), code.upper())


@dataclass(frozen=True)
class PostalRule:
    country: str
    pattern: re.Pattern[str]
    optional: bool
    example: str | None

    def normalize(self, code: str) -> str | None:
        """The canonical form of ``code`` or None when it does not fit this country."""
        cleaned = " ".join(unicodedata.normalize("NFKC", code).upper().split())
        if not cleaned:
            return "" if self.optional else None
        if not self.pattern.fullmatch(cleaned):
            return None
        return _canonical_postal(self.country, cleaned)


def _canonical_postal(country: str, code: str) -> str:
    compact = code.replace(" ", "")
    if country in ("CA", "GB", "IE") and len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}" if country != "IE" else f"{compact[:3]} {compact[3:]}"
    if country == "NL":
        return f"{compact[:4]} {compact[4:]}"
    if country == "SE":
        return f"{compact[:3]} {compact[3:]}"
    if country == "JP":
        digits = compact.replace("-", "")
        return f"{digits[:3]}-{digits[3:]}"
    return code


def postal_rule(country: str) -> PostalRule:
    code = country.upper()
    pattern = POSTAL_PATTERNS.get(code, _GENERIC_POSTAL)
    return PostalRule(
        country=code,
        pattern=re.compile(pattern),
        optional=code in POSTAL_OPTIONAL,
        example=POSTAL_EXAMPLES.get(code),
    )


def postal_search_pattern(country: str | None) -> re.Pattern[str]:
    """A pattern that finds a postal code of ``country`` inside free text (any known format if None)."""
    if country and country.upper() in POSTAL_PATTERNS:
        body = POSTAL_PATTERNS[country.upper()]
    else:
        body = r"\d{3}-\d{4}|[1-9]\d{3} ?[A-Z]{2}|\d{5}(?:-\d{4})?|\d{4,6}"
    return re.compile(rf"(?<![0-9A-Za-z])(?:{body})(?![0-9A-Za-z])", re.IGNORECASE)
