"""How bot messages become messenger text: agent names, buttons, product cards, sources."""
from __future__ import annotations

from assistant.rasa_plugins.channels.rendering import (
    BotMessage,
    absolute_url,
    custom_lines,
    pick_button,
    split_text,
)

SHOP = "https://shop.example.com"
CAROUSEL = {"type": "product_carousel", "total": 12, "offset": 0, "products": [
    {"sku": "HK-1", "name": "Basalt Hiker", "price": 129.0, "currency": "USD", "price_text": "$129.00",
     "rating": 4.62, "url": "/products/basalt-hiker", "image": "/img/hk-1.jpg"},
    {"sku": "TS-2", "name": "Trail Tee", "price": 25, "currency": "EUR", "rating": None, "url": ""},
]}
SOURCE = {"type": "kb_source", "title": "Returns and exchanges", "heading": "How to return",
          "url": "/help/returns", "doc_id": "guide:returns"}


def test_agent_messages_are_prefixed_with_the_agents_name() -> None:
    message = BotMessage.from_rasa({"text": "I have refunded it.", "agent": {"name": "Alice"}, "timestamp": 1.0})
    assert message.text == "Alice: I have refunded it."
    assert message.agent == "Alice"
    assert BotMessage.from_rasa({"text": "Hi", "agent": {"name": " "}}).text == "Hi"
    assert BotMessage.from_rasa({"text": "Hi", "agent": "Alice"}).text == "Hi"


def test_buttons_and_quick_replies_normalise() -> None:
    message = BotMessage.from_rasa({"text": "Pick", "buttons": [{"title": "Yes", "payload": "/affirm"},
                                                                {"title": "No"}, {"payload": "/x"}]})
    assert message.buttons == [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "No"}]
    assert BotMessage.from_rasa({"text": "Pick", "quick_replies": [{"title": "A", "payload": "/a"}]}).buttons == [
        {"title": "A", "payload": "/a"}]


def test_product_carousel_lines_with_and_without_public_url() -> None:
    assert custom_lines(CAROUSEL, SHOP) == [
        "• Basalt Hiker: $129.00, ★★★★★ rated 4.6/5 https://shop.example.com/products/basalt-hiker",
        "• Trail Tee: 25.00 EUR",
    ]
    assert custom_lines(CAROUSEL, None)[0] == "• Basalt Hiker: $129.00, ★★★★★ rated 4.6/5"


def test_a_messenger_card_shows_stars_and_the_review_count() -> None:
    product = {"name": "Cascade Hiker", "price_text": "$89.00", "rating": 4.2, "review_count": 18}
    assert custom_lines({"type": "product_carousel", "products": [product]}, None) == [
        "• Cascade Hiker: $89.00, ★★★★☆ rated 4.2/5 (18)"]
    for bad in ({"rating": "5; DROP"}, {"rating": 9.0}, {"rating": True}, {"rating": 4.0, "review_count": "many"}):
        line = custom_lines({"type": "product_carousel", "products": [{"name": "X", **bad}]}, None)[0]
        assert "DROP" not in line and "9.0" not in line and "many" not in line


def test_knowledge_base_source_line() -> None:
    assert custom_lines(SOURCE, SHOP) == ["Source: Returns and exchanges https://shop.example.com/help/returns"]
    assert custom_lines({**SOURCE, "url": "https://docs.example.org/r"}, None) == [
        "Source: Returns and exchanges https://docs.example.org/r"]
    assert custom_lines(SOURCE, None) == ["Source: Returns and exchanges"]


def test_unknown_custom_payloads_are_not_dumped_as_json() -> None:
    assert custom_lines({"type": "internal", "secret": 1}, SHOP) == []
    assert custom_lines(["not", "a", "dict"], SHOP) == []
    assert custom_lines({"text": "Plain words"}, SHOP) == ["Plain words"]


def test_plain_text_numbers_buttons_for_text_only_channels() -> None:
    message = BotMessage.from_rasa({"text": "Here you go:", "custom": SOURCE,
                                    "buttons": [{"title": "Yes", "payload": "/affirm"},
                                                {"title": "No", "payload": "/deny"}]})
    assert message.plain_text(SHOP, numbered=True) == (
        "Here you go:\n\nSource: Returns and exchanges https://shop.example.com/help/returns\n\n1. Yes\n2. No")
    assert message.plain_text(SHOP) == "Here you go:\n\nSource: Returns and exchanges https://shop.example.com/help/returns"


def test_links_are_added_to_the_lines_that_already_name_the_source_and_products() -> None:
    answer = BotMessage.from_rasa({"text": "Send it back within 30 days.\n\n来源：Returns and exchanges",
                                   "custom": SOURCE})
    assert answer.plain_text(SHOP) == (
        "Send it back within 30 days.\n\n来源：Returns and exchanges https://shop.example.com/help/returns")
    assert answer.plain_text(None) == "Send it back within 30 days.\n\n来源：Returns and exchanges"

    results = BotMessage.from_rasa({"text": "I found 2 items:\n1. Basalt Hiker: $129.00\n2. Other: $5.00",
                                    "custom": CAROUSEL})
    assert results.plain_text(SHOP) == (
        "I found 2 items:\n1. Basalt Hiker: $129.00 https://shop.example.com/products/basalt-hiker\n"
        "2. Other: $5.00\n\n• Trail Tee: 25.00 EUR")
    assert results.plain_text(SHOP, carousels=False) == results.text


def test_pick_button_by_number_or_title() -> None:
    buttons = [{"title": "Yes, a person please", "payload": "/affirm"}, {"title": "No, thanks", "payload": "/deny"}]
    assert pick_button(buttons, "2") == buttons[1]
    assert pick_button(buttons, " 1. ") == buttons[0]
    assert pick_button(buttons, "２") == buttons[1]  # full-width digit from a phone keyboard
    assert pick_button(buttons, "no, THANKS") == buttons[1]
    assert pick_button(buttons, "3") is None
    assert pick_button(buttons, "0") is None
    assert pick_button(buttons, "where is my order") is None


def test_split_text_respects_the_limit_and_prefers_line_breaks() -> None:
    text = "a first paragraph of some length, 40 chars\n\n" + "word " * 30 + "\nlast line"
    pieces = split_text(text, 60)
    assert all(len(piece) <= 60 for piece in pieces)
    assert pieces[0] == "a first paragraph of some length, 40 chars"
    assert pieces[-1].endswith("\nlast line")
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    assert split_text("x" * 130, 50) == ["x" * 50, "x" * 50, "x" * 30]
    assert split_text("  ", 10) == []


def test_absolute_url() -> None:
    assert absolute_url("/products/a", SHOP + "/") == "https://shop.example.com/products/a"
    assert absolute_url("https://cdn.example.com/a.jpg", None) == "https://cdn.example.com/a.jpg"
    assert absolute_url("/products/a", None) is None
    assert absolute_url(None, SHOP) is None
