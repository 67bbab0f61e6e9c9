"""Shipping addresses: the value type, validation per country, and best-effort parsing of one line."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from assistant.shop.commerce.countries import country_code, country_name, postal_rule, postal_search_pattern
from assistant.shop.commerce.policy import Policy

FIELDS: tuple[str, ...] = ("street", "city", "postal_code", "country")
_STATE_COUNTRIES = frozenset({"US", "CA", "AU"})
_STATE_CODE = re.compile(r"^[A-Z]{2,3}$")
_PART_SEPARATORS = re.compile(r"[,;\n]+")


# Problems in English; each also carries a code and its values so replies can be worded in the
# shopper's language (assistant/i18n/phrases.yml, "address" section).
PROBLEMS = {
    "street_missing": "Please give the street and house number.",
    "street_too_long": "The street is too long (at most 200 characters).",
    "street_unclear": "'{street}' doesn't look like a street address; please give the street name and house number.",
    "city_missing": "Please give the city.",
    "city_too_long": "The city name is too long (at most 100 characters).",
    "city_unclear": "'{city}' doesn't look like a city name.",
    "country_missing": "Please give the country.",
    "country_unknown": "I don't recognise the country '{country}'. "
                       "Please give its English name or two-letter code, e.g. Germany or DE.",
    "country_not_served": "Sorry, we don't ship to {country}. We ship to: {countries}.",
    "postal_missing": "Please give the postal code.",
    "postal_invalid": "'{postal_code}' is not a valid postal code for {country}{example}.",
}


class Problem(str):
    """A validation problem: reads as its English message, and keeps ``code`` and ``params``."""

    code: str
    params: dict[str, str]

    def __new__(cls, code: str, **params: str) -> Problem:
        problem = super().__new__(cls, PROBLEMS[code].format(**params))
        problem.code = code
        problem.params = params
        return problem


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-2

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Address:
        return cls(**{name: str(data.get(name) or "") for name in FIELDS})

    def one_line(self) -> str:
        """A readable single line, e.g. "Lindenstraße 12, 10115 Berlin, Germany"."""
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.street, town, country_name(self.country)) if part)


@dataclass(frozen=True)
class AddressValidation:
    ok: bool
    address: Address | None
    errors: dict[str, str] = field(default_factory=dict)


def _clean(text: str | None) -> str:
    if text is None:
        return ""
    return " ".join(unicodedata.normalize("NFKC", str(text)).split()).strip(" ,;")


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def _check_street(street: str) -> Problem | None:
    if not street:
        return Problem("street_missing")
    if len(street) > 200:
        return Problem("street_too_long")
    has_letter = _letters(street) > 0
    has_number = any(ch.isdigit() for ch in street)
    if not has_letter or (not has_number and len(street) < 5):
        return Problem("street_unclear", street=street)
    return None


def _check_city(city: str) -> Problem | None:
    if not city:
        return Problem("city_missing")
    if len(city) > 100:
        return Problem("city_too_long")
    if _letters(city) < 2:
        return Problem("city_unclear", city=city)
    return None


def _supported_list(policy: Policy) -> str:
    return ", ".join(country_name(code) for code in policy.supported_countries)


def validate_address(
    street: str | None,
    city: str | None,
    postal_code: str | None,
    country: str | None,
    *,
    policy: Policy,
) -> AddressValidation:
    """Check an address field by field.

    On success the address comes back normalised: ISO-2 country, canonical postal code.
    """
    street_text, city_text = _clean(street), _clean(city)
    postal_text, country_text = _clean(postal_code), _clean(country)
    errors: dict[str, str] = {}

    code = country_code(country_text)
    if not country_text:
        errors["country"] = Problem("country_missing")
    elif code is None:
        errors["country"] = Problem("country_unknown", country=country_text)
    elif not policy.ships_to(code):
        errors["country"] = Problem("country_not_served", country=country_name(code),
                                    countries=_supported_list(policy))

    normalized_postal = postal_text
    if code is not None:
        rule = postal_rule(code)
        found = rule.normalize(postal_text)
        if found is None:
            if not postal_text:
                errors["postal_code"] = Problem("postal_missing")
            else:
                example = f" (for example {rule.example})" if rule.example else ""
                errors["postal_code"] = Problem("postal_invalid", postal_code=postal_text,
                                                country=country_name(code), example=example, sample=rule.example or "")
        else:
            normalized_postal = found

    for name, problem in (("street", _check_street(street_text)), ("city", _check_city(city_text))):
        if problem:
            errors[name] = problem

    if errors:
        return AddressValidation(ok=False, address=None, errors=errors)
    assert code is not None
    return AddressValidation(
        ok=True,
        address=Address(street=street_text, city=city_text, postal_code=normalized_postal, country=code),
        errors={},
    )


def _find_country(parts: list[str]) -> str | None:
    """Find and remove the country: a whole part (from the end), or the trailing words of the last part."""
    for index in range(len(parts) - 1, 0, -1):
        code = country_code(parts[index])
        if code and (len(parts[index]) > 2 or index == len(parts) - 1):
            del parts[index]
            return code
    words = parts[-1].split()
    for size in (3, 2, 1):
        if len(words) <= size:
            continue
        tail = " ".join(words[-size:])
        code = country_code(tail)
        if code and (len(tail) > 2 or tail in ("UK", "US")):
            parts[-1] = " ".join(words[:-size])
            return code
    return None


def _strip_state(text: str, country: str | None) -> str:
    """Drop a trailing state or province code ("Springfield IL" -> "Springfield")."""
    if country is not None and country not in _STATE_COUNTRIES:
        return text
    words = text.split()
    if words and _STATE_CODE.match(words[-1]):
        words = words[:-1]
    return " ".join(words)


def _find_postal(parts: list[str], country: str | None) -> tuple[int | None, re.Match[str] | None]:
    """The part holding the postal code and the match, searching from the end (never the street).

    The country's own format is tried first, then any postal-code shape, so that a
    wrong code ("1011" for Germany) is still picked up and validation can name it.
    """
    patterns = [postal_search_pattern(country)]
    if country is not None:
        patterns.append(postal_search_pattern(None))
    for pattern in patterns:
        for index in range(len(parts) - 1, -1, -1):
            if index == 0 and len(parts) > 1:
                break
            found = list(pattern.finditer(parts[index]))
            if found:
                return index, found[-1]
    return None, None


def parse_address(text: str | None) -> dict[str, str | None]:
    """Best-effort split of a one-line address into street, city, postal_code and country (ISO-2).

    Fields that cannot be found are None. Validate the result with :func:`validate_address`.
    """
    result: dict[str, str | None] = dict.fromkeys(FIELDS)
    if not text or not text.strip():
        return result
    normalized = unicodedata.normalize("NFKC", text)
    parts = [" ".join(p.split()) for p in _PART_SEPARATORS.split(normalized) if p.strip()]
    parts = [p.strip(" .") for p in parts if p.strip(" .")]
    if not parts:
        return result

    if len(parts) == 1 and country_code(parts[0]):
        result["country"] = country_code(parts[0])
        return result
    country = _find_country(parts)
    result["country"] = country
    parts = [p for p in parts if p]
    if not parts:
        return result

    postal_index, match = _find_postal(parts, country)

    street_parts: list[str]
    city: str | None = None
    if postal_index is None or match is None:
        street_parts = parts[:-1] if len(parts) > 1 else parts
        city = parts[-1] if len(parts) > 1 else None
    else:
        raw_postal = match.group(0)
        rule = postal_rule(country) if country else None
        result["postal_code"] = (rule.normalize(raw_postal) if rule else None) or raw_postal.upper()
        part = parts[postal_index]
        before = part[: match.start()].strip(" -")
        after = part[match.end():].strip(" -")
        if postal_index == 0:
            street_parts = [before] if before else []
            city = _strip_state(after, country) or None
        else:
            remainder = _strip_state(" ".join(x for x in (before, after) if x), country)
            others = parts[1:postal_index] + parts[postal_index + 1:]
            if _letters(remainder) >= 2:
                city = remainder
            elif others:
                neighbour = postal_index - 1 if postal_index - 1 >= 1 else postal_index + 1
                city = _strip_state(parts[neighbour], country)
                others = [p for i, p in enumerate(parts) if i not in (0, postal_index, neighbour)]
            street_parts = [parts[0], *others]
    street = ", ".join(p for p in street_parts if p)
    result["street"] = street or None
    result["city"] = city or None
    return result
