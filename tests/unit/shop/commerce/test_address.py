from __future__ import annotations

import pytest

from assistant.shop.commerce.address import Address, parse_address, validate_address
from assistant.shop.commerce.countries import country_code


@pytest.mark.parametrize(
    ("street", "city", "postal", "country", "expected_postal", "expected_country"),
    [
        ("742 Evergreen Terrace", "Springfield", "62704", "USA", "62704", "US"),
        ("1600 Pennsylvania Ave NW", "Washington", "20500-0003", "United States", "20500-0003", "US"),
        ("24 Sussex Drive", "Ottawa", "k1m1m4", "Canada", "K1M 1M4", "CA"),
        ("10 Downing Street", "London", "sw1a2aa", "UK", "SW1A 2AA", "GB"),
        ("221B Baker Street", "London", "NW1 6XE", "GB", "NW1 6XE", "GB"),
        ("Lindenstraße 12", "Berlin", "10115", "Germany", "10115", "DE"),
        ("10 Rue de Rivoli", "Paris", "75001", "france", "75001", "FR"),
        ("Keizersgracht 123", "Amsterdam", "1015cj", "Netherlands", "1015 CJ", "NL"),
        ("1 George Street", "Sydney", "2000", "Australia", "2000", "AU"),
        ("1-2-3 Shibuya", "Tokyo", "1500002", "Japan", "150-0002", "JP"),
        ("建国路88号", "北京", "100022", "China", "100022", "CN"),
        ("市府路1號", "台北市", "11008", "Taiwan", "11008", "TW"),
        ("信義路五段7號", "台北市", "110", "台灣", "110", "TW"),
        ("5 Temasek Boulevard", "Singapore", "038985", "SG", "038985", "SG"),
        ("1 Queen's Road Central", "Hong Kong", "", "Hong Kong", "", "HK"),
        ("Drottninggatan 5", "Stockholm", "11151", "Sweden", "111 51", "SE"),
        ("Storgatan 1", "Wellington", "6011", "New Zealand", "6011", "NZ"),
    ],
)
def test_valid_addresses_are_normalised(
    street, city, postal, country, expected_postal, expected_country, policy
) -> None:
    result = validate_address(street, city, postal, country, policy=policy)
    assert result.ok, result.errors
    assert result.errors == {}
    expected = Address(street=street, city=city, postal_code=expected_postal, country=expected_country)
    assert result.address == expected


@pytest.mark.parametrize(
    ("country", "postal"),
    [
        ("US", "6270"), ("US", "62704-12"), ("CA", "123 456"), ("GB", "12345"), ("DE", "1011"),
        ("FR", "7500A"), ("NL", "0123 AB"), ("AU", "20000"), ("JP", "15-00002"), ("CN", "10002"),
        ("TW", "1100"), ("SG", "03898"), ("DE", ""),
    ],
)
def test_invalid_postal_codes_name_the_country(country: str, postal: str, policy) -> None:
    result = validate_address("Main Street 1", "Town", postal, country, policy=policy)
    assert not result.ok and result.address is None
    assert set(result.errors) == {"postal_code"}
    if postal:
        assert postal in result.errors["postal_code"]


def test_unsupported_country_says_we_do_not_ship_there(policy) -> None:
    result = validate_address("Avenida Paulista 1000", "São Paulo", "01310-100", "Brazil", policy=policy)
    assert not result.ok
    message = result.errors["country"]
    assert "don't ship to Brazil" in message and "Germany" in message


def test_unknown_country_asks_again(policy) -> None:
    result = validate_address("Main Street 1", "Town", "12345", "Atlantis", policy=policy)
    assert "don't recognise" in result.errors["country"]


def test_street_and_city_rules(policy) -> None:
    result = validate_address("12", "B", "10115", "DE", policy=policy)
    assert set(result.errors) == {"street", "city"}
    assert validate_address("Hauptweg", "Berlin", "10115", "DE", policy=policy).ok  # >= 5 chars, no number
    assert validate_address("Weg 1", "Bo", "10115", "DE", policy=policy).ok
    missing = validate_address("", "", "", "", policy=policy)
    assert set(missing.errors) == {"street", "city", "country"}


def test_country_code_aliases() -> None:
    assert country_code("de") == "DE"
    assert country_code("United Kingdom") == "GB"
    assert country_code("U.S.A.") == "US"
    assert country_code("ＪＡＰＡＮ") == "JP"
    assert country_code("日本") == "JP"
    assert country_code("Narnia") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lindenstraße 12, 10115 Berlin, Germany", ("Lindenstraße 12", "Berlin", "10115", "DE")),
        ("742 Evergreen Terrace, Springfield, 62704, USA",
         ("742 Evergreen Terrace", "Springfield", "62704", "US")),
        ("742 Evergreen Terrace, Springfield, IL 62704, USA",
         ("742 Evergreen Terrace", "Springfield", "62704", "US")),
        ("10 Downing Street, London SW1A 2AA, UK", ("10 Downing Street", "London", "SW1A 2AA", "GB")),
        ("Flat 3, 12 High Street, Oxford OX1 1AA, United Kingdom",
         ("Flat 3, 12 High Street", "Oxford", "OX1 1AA", "GB")),
        ("123 Main St, Toronto, ON M5V 2T6, Canada", ("123 Main St", "Toronto", "M5V 2T6", "CA")),
        ("Keizersgracht 123, 1015 CJ Amsterdam, Netherlands",
         ("Keizersgracht 123", "Amsterdam", "1015 CJ", "NL")),
        ("1 George St, Sydney NSW 2000, Australia", ("1 George St", "Sydney", "2000", "AU")),
        ("1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002, Japan",
         ("1-2-3 Shibuya, Shibuya-ku", "Tokyo", "150-0002", "JP")),
        ("5 Temasek Blvd, Singapore 038985, Singapore", ("5 Temasek Blvd", "Singapore", "038985", "SG")),
        ("Lindenstraße 12 10115 Berlin Germany", ("Lindenstraße 12", "Berlin", "10115", "DE")),
        ("Rue de Rivoli 10，75001 Paris，France", ("Rue de Rivoli 10", "Paris", "75001", "FR")),
    ],
)
def test_parse_address_one_line(text: str, expected: tuple[str, str, str, str]) -> None:
    parsed = parse_address(text)
    assert (parsed["street"], parsed["city"], parsed["postal_code"], parsed["country"]) == expected


def test_parse_address_partial_input() -> None:
    assert parse_address("") == {"street": None, "city": None, "postal_code": None, "country": None}
    assert parse_address("Germany") == {"street": None, "city": None, "postal_code": None, "country": "DE"}
    only_street = parse_address("Lindenstraße 12")
    assert only_street["street"] == "Lindenstraße 12" and only_street["country"] is None
    no_country = parse_address("Lindenstraße 12, 10115 Berlin")
    assert no_country == {
        "street": "Lindenstraße 12", "city": "Berlin", "postal_code": "10115", "country": None,
    }


def test_parse_address_keeps_a_wrong_postal_code_for_validation(policy) -> None:
    parsed = parse_address("Lindenstraße 12, 1011, Berlin, Germany")
    assert parsed == {"street": "Lindenstraße 12", "city": "Berlin", "postal_code": "1011", "country": "DE"}
    result = validate_address(**parsed, policy=policy)
    assert set(result.errors) == {"postal_code"}
    assert "'1011' is not a valid postal code for Germany" in result.errors["postal_code"]


def test_parsed_address_validates(policy) -> None:
    parsed = parse_address("742 Evergreen Terrace, Springfield, IL 62704, USA")
    result = validate_address(**parsed, policy=policy)
    assert result.ok
    assert result.address.one_line() == "742 Evergreen Terrace, 62704 Springfield, United States"
