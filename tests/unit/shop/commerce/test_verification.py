from __future__ import annotations

import pytest

from assistant.shop.commerce.verification import VerificationState, Verifier, emails_match, normalize_email
from tests.unit.shop_fixtures import ShopDB


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane.doe@example.com", "jane.doe@example.com"),
        ("  Jane.Doe@Example.COM  ", "jane.doe@example.com"),
        ("my email is Jane.Doe@Example.com.", "jane.doe@example.com"),
        ("<foo+bar@mail.example.co.uk>", "foo+bar@mail.example.co.uk"),
        ("jane ＠ example.com", "jane@example.com"),
        ("ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "jane@example.com"),
        ("first a@example.com then b@example.com", "a@example.com"),
        ("邮箱是jane@example.com谢谢", "jane@example.com"),
    ],
)
def test_normalize_email_finds_and_lowercases(text: str, expected: str) -> None:
    assert normalize_email(text) == expected


@pytest.mark.parametrize(
    "text", [None, "", "no email here", "jane@", "@example.com", "jane@example", "jane@@example.com"]
)
def test_normalize_email_returns_none_without_an_address(text: str | None) -> None:
    assert normalize_email(text) is None


def test_emails_match_ignores_case_and_spaces() -> None:
    assert emails_match(" Jane.Doe@EXAMPLE.com ", "jane.doe@example.com")
    assert not emails_match("jane.doe@example.co", "jane.doe@example.com")


def test_verify_ok_returns_canonical_id_and_customer(shop: ShopDB) -> None:
    result = Verifier(shop.sessions).verify("my order is so-100004", "JANE.DOE@example.com")
    assert result.ok and result.status == "ok"
    assert result.order_id == "SO100004"
    assert result.customer_id == 1
    assert result.email == "jane.doe@example.com"


def test_verify_unknown_order(shop: ShopDB) -> None:
    result = Verifier(shop.sessions).verify("SO999999", "jane.doe@example.com")
    assert result.status == "unknown_order"
    assert result.customer_id is None


def test_verify_email_of_another_customer_is_a_mismatch(shop: ShopDB) -> None:
    result = Verifier(shop.sessions).verify("SO100004", "bob@example.org")
    assert result.status == "email_mismatch"
    assert not result.ok and result.customer_id is None


def test_verify_invalid_order_id_and_email(shop: ShopDB) -> None:
    verifier = Verifier(shop.sessions)
    assert verifier.verify("order 12", "jane.doe@example.com").status == "invalid_order_id"
    assert verifier.verify("SO100004", "jane.doe at example").status == "invalid_email"
    assert verifier.verify("SO100004", None).status == "invalid_email"


def test_check_order_exists(shop: ShopDB) -> None:
    verifier = Verifier(shop.sessions)
    assert verifier.check_order_exists("#100001") == "ok"
    assert verifier.check_order_exists("SO999999") == "unknown_order"
    assert verifier.check_order_exists("nope") == "invalid_order_id"


def test_lockout_after_max_attempts() -> None:
    state = VerificationState(max_attempts=3)
    assert state.register_failure(None) == (1, False)
    assert state.register_failure(1) == (2, False)
    assert state.register_failure(2.0) == (3, True)  # Rasa float slots work too
    assert state.is_locked(3) and not state.is_locked(2)
    assert state.attempts_left(1) == 2 and state.attempts_left(5) == 0


def test_lockout_default_comes_from_policy(policy) -> None:
    assert VerificationState(policy.max_verification_attempts).max_attempts == 3
