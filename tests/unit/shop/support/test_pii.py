from __future__ import annotations

import pytest

from assistant.shop.support.pii import PiiSpan, find_pii, luhn_valid, mask_for_log, mask_pii


def kinds(text: str) -> list[tuple[str, str]]:
    return [(span.kind, span.value) for span in find_pii(text)]


# --- Luhn ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [
    "4242424242424242", "4111111111111111", "5555555555554444", "378282246310005", "6011111111111117",
    "4222222222222", "79927398713",
])
def test_luhn_accepts_valid_numbers(digits: str) -> None:
    assert luhn_valid(digits)


@pytest.mark.parametrize("digits", ["4242424242424241", "1234567812345678", "", "7", "4242 4242", "４２４２"])
def test_luhn_rejects_invalid_or_non_digit_input(digits: str) -> None:
    assert not luhn_valid(digits)


# --- emails -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", [
    "jane.doe@example.com", "jane+shop@example.com", "a.b-c_d@mail.sub.example.co.uk", "X9@qq.com",
])
def test_emails_are_found_whole(email: str) -> None:
    text = f"please write to {email}, thanks"
    assert kinds(text) == [("email", email)]
    assert mask_pii(text) == "please write to [email], thanks"


def test_email_next_to_cjk_text() -> None:
    assert mask_pii("我的邮箱是abc@qq.com谢谢") == "我的邮箱是[email]谢谢"
    assert mask_pii("メールはtaro.yamada@example.jpです") == "メールは[email]です"


def test_not_an_email() -> None:
    for text in ("user@localhost", "@handle on twitter", "a@b", "price@ $5"):
        assert kinds(text) == [], text


# --- phones -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", [
    "+1 (555) 123-4567", "555-123-4567", "(555) 123-4567", "555.123.4567", "1-800-555-0199",
    "+44 20 7946 0958", "020 7946 0958", "07700 900393", "+81 90-1234-5678", "090-1234-5678",
    "03-1234-5678", "09012345678", "13812345678", "+86 138 1234 5678", "138-1234-5678", "+8613812345678",
    "0912-345-678", "0912345678", "+886 912 345 678",
])
def test_phone_formats(phone: str) -> None:
    text = f"call me on {phone} after six"
    assert kinds(text) == [("phone", phone)], text
    assert mask_pii(text) == "call me on [phone] after six"


def test_phones_inside_cjk_sentences() -> None:
    assert mask_pii("我的手机是13812345678，谢谢") == "我的手机是[phone]，谢谢"
    assert mask_pii("電話 0912-345-678 找王小姐") == "電話 [phone] 找王小姐"
    assert mask_pii("携帯は090-1234-5678です") == "携帯は[phone]です"


# --- cards --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("card, last4", [
    ("4242 4242 4242 4242", "4242"), ("4242-4242-4242-4242", "4242"), ("4111111111111111", "1111"),
    ("3782 822463 10005", "0005"), ("5555 5555 5555 4444", "4444"), ("6011 1111 1111 1117", "1117"),
])
def test_cards_keep_their_last_four_digits(card: str, last4: str) -> None:
    text = f"my card is {card}."
    assert kinds(text) == [("card", card)]
    assert mask_pii(text) == f"my card is [card •••• {last4}]."


def test_card_numbers_failing_luhn_are_left_alone() -> None:
    for text in ("card 4242 4242 4242 4241", "ref 1234567812345678", "1234-5678-9012-3456"):
        assert mask_pii(text) == text


def test_card_wins_over_phone_on_overlap() -> None:
    spans = find_pii("4111 1111 1111 1111")
    assert [s.kind for s in spans] == ["card"]


# --- addresses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", [
    "12 Main Street", "221B Baker St, Apt 4", "1600 Amphitheatre Pkwy", "742 Evergreen Terrace",
    "10 Downing Street", "350 Fifth Ave", "5 Elm Rd", "77 Lakeview Drive", "9 Sunset Blvd", "3 Rose Lane",
    "12 main st apt 5b", "48 Queen's Court", "PO Box 123", "P.O. Box 4567",
])
def test_english_addresses(address: str) -> None:
    text = f"send it to {address} please"
    assert kinds(text) == [("address", address)], text
    assert mask_pii(text) == "send it to [address] please"


@pytest.mark.parametrize("text, masked", [
    ("上海市浦东新区世纪大道100号", "[address]"),
    ("寄到上海市浦东新区世纪大道100号，谢谢", "寄到[address]，谢谢"),
    ("我住在台北市信義區松仁路100號5樓", "我住在[address]"),
    ("新地址：高雄市前鎮區中山二路2號12樓", "新地址：[address]"),
    ("北京市朝阳区建国路88号", "[address]"),
    ("台北市大安區忠孝東路四段100號", "[address]"),
])
def test_chinese_addresses(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize("text, masked", [
    ("東京都渋谷区神南1-2-3", "[address]"),
    ("住所は東京都渋谷区神南1-2-3です", "住所は[address]です"),
    ("大阪市北区梅田3丁目1番1号に送ってください", "[address]に送ってください"),
    ("東京都新宿区西新宿２－８－１", "[address]"),
])
def test_japanese_addresses(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


# --- things that are not personal data ---------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "where is order SO-123456?", "order SO123456 please", "it's #123456", "Order #12345678901",
    "SO12345678901", "it costs $120", "¥5000 is too much", "NT$1200", "total 1,234.56 USD",
    "delivered on 2026-11-24", "on 24/11/2026 at 10:30", "03-12-2025", "size 32x34", "sizes 10-12-14",
    "I'd like 3 pairs", "order 2 items", "I live on the third floor", "it's a 10 minute drive",
    "I bought 3 items the same way", "I need it in 2 days", "Tracking 1Z999AA10123456784",
    "DHL 1234567890", "FedEx 123456789012", "USPS 9400111899223197428490", "version 2.0.1234567890",
    "商品番号 1234-5678-9012", "订单SO100004还没发货", "5 x 20 = 100", "call me at 5 pm",
    "今年の12月3日に届きました", "我买了2件，每件199元",
])
def test_ordinary_text_is_untouched(text: str) -> None:
    assert find_pii(text) == []
    assert mask_pii(text) == text


# --- the API ------------------------------------------------------------------------------------------


def test_spans_are_sorted_non_overlapping_and_point_into_the_text() -> None:
    text = ("Hi, I'm jane@example.com, phone +44 20 7946 0958, card 4242 4242 4242 4242, "
            "address 12 Main Street. 我的手机13812345678")
    spans = find_pii(text)
    assert [s.kind for s in spans] == ["email", "phone", "card", "address", "phone"]
    for span, following in zip(spans, spans[1:]):
        assert span.end <= following.start
    for span in spans:
        assert text[span.start:span.end] == span.value
    assert isinstance(spans[0], PiiSpan)


def test_email_wins_over_the_phone_inside_it() -> None:
    assert kinds("13812345678@qq.com") == [("email", "13812345678@qq.com")]


def test_custom_placeholder() -> None:
    masked = mask_pii("mail a@b.io or 555-123-4567", placeholder=lambda s: "*" * len(s.value))
    assert masked == "mail ****** or ************"


def test_mask_for_log_uses_the_default_placeholders() -> None:
    assert mask_for_log("card 4242424242424242 from jane@example.com") == "card [card •••• 4242] from [email]"
    assert mask_for_log("") == ""
    assert mask_for_log(None) == ""  # type: ignore[arg-type]


def test_text_without_pii_is_returned_unchanged() -> None:
    text = "Where is my order? It should have arrived on Monday."
    assert mask_pii(text) == text
    assert find_pii("") == []


@pytest.mark.parametrize("conversation_id, shown", [
    ("whatsapp:+4915112345678", "whatsapp:[phone]"),
    ("telegram:123456789", "telegram:•••789"),
    ("facebook:2345678901234567", "facebook:•••567"),
    ("0f3a9c2b8d7e4f6a9b1c2d3e4f5a6b7c", "0f3a9c2b8d7e4f6a9b1c2d3e4f5a6b7c"),
])
def test_conversation_ids_that_identify_a_person_are_masked(conversation_id, shown):
    from assistant.shop.support.pii import mask_conversation_id

    assert mask_conversation_id(conversation_id) == shown


def test_log_lines_are_masked_whichever_logger_writes_them(caplog):
    import logging

    from assistant.shop.support.pii import install_log_masking

    install_log_masking()
    install_log_masking()  # idempotent
    with caplog.at_level(logging.INFO):
        logging.getLogger("rasa_sdk.executor").info("body %s", {"sender_id": "whatsapp:+4915112345678",
                                                               "text": "I am jane@example.com"})
        logging.getLogger("actions.handoff").info("conversation %s handed off", "telegram:123456789")
    text = caplog.text
    assert "4915112345678" not in text and "jane@example.com" not in text and "123456789" not in text
    assert "[email]" in text and "telegram:•••789" in text
