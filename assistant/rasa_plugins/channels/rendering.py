"""How one bot message becomes something a messenger can show. Standard library only.

Rasa hands an output channel a message dict: ``text``, ``buttons`` or ``quick_replies``,
``image``, ``custom`` (our payloads), and the event's metadata merged in (``agent`` when a
support agent speaks). :class:`BotMessage` normalises that; the helpers turn our custom
payloads into readable text:

- ``{"type": "product_carousel", "products": [{"name", "price_text" | "price"+"currency",
  "rating", "review_count", "url", "image"}, ...]}`` -> the product's link at the end of the text's line
  that names it (our responses list the results), else a line
  ``• <name>: <price>, ★★★★★ rated 4.6/5 (18) <url>`` (stars, rating, review count);
- ``{"type": "kb_source", "title", "url"}`` -> the link after the title where the text already
  says "Source: <title>" (in any language), else a line ``Source: <title> <url>``;
- ``{"agent": {"name": "Alice"}}`` on the message -> the text starts with ``Alice: ``.

Links in the catalogue are relative (``/products/...``); with a public shop URL they are made
absolute, without one they are left out (a messenger cannot open a relative link).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urljoin

Button = Dict[str, str]


def absolute_url(url: Any, public_url: Optional[str]) -> Optional[str]:
    """``url`` if it is absolute, joined to ``public_url`` if relative, else None."""
    if not url or not isinstance(url, str):
        return None
    if url.startswith(("https://", "http://")):
        return url
    if public_url:
        return urljoin(public_url.rstrip("/") + "/", url.lstrip("/"))
    return None


def agent_name(message: Mapping[str, Any]) -> Optional[str]:
    """The support agent's display name when a person (not the bot) wrote ``message``."""
    agent = message.get("agent")
    if isinstance(agent, Mapping):
        name = str(agent.get("name") or "").strip()
        return name or None
    return None


def price_text(product: Mapping[str, Any]) -> str:
    if product.get("price_text"):
        return str(product["price_text"])
    price = product.get("price")
    if price is None:
        return ""
    currency = str(product.get("currency") or "")
    try:
        amount = f"{float(price):.2f}"
    except (TypeError, ValueError):
        amount = str(price)
    return f"{amount} {currency}".strip()


def stars(rating: float) -> str:
    """``★★★★☆`` for 4.2: the rating in whole stars, readable in every messenger and language."""
    full = max(0, min(5, int(rating + 0.5)))
    return "★" * full + "☆" * (5 - full)


def product_line(product: Mapping[str, Any], public_url: Optional[str]) -> str:
    """``Basalt Hiker: $129.00, ★★★★★ rated 4.6/5 (18) https://shop.example/products/basalt-hiker``."""
    details = [part for part in (price_text(product),) if part]
    rating = product.get("rating")
    if isinstance(rating, (int, float)) and not isinstance(rating, bool) and 0 < rating <= 5:
        count = product.get("review_count")
        reviews = f" ({count})" if isinstance(count, int) and not isinstance(count, bool) and count > 0 else ""
        details.append(f"{stars(float(rating))} rated {float(rating):.1f}/5{reviews}")
    line = str(product.get("name") or product.get("sku") or "Product")
    if details:
        line += ": " + ", ".join(details)
    link = absolute_url(product.get("url"), public_url)
    return f"{line} {link}" if link else line


def source_line(source: Mapping[str, Any], public_url: Optional[str]) -> str:
    """``Source: Returns and exchanges https://shop.example/help/returns``."""
    title = str(source.get("title") or "").strip()
    link = absolute_url(source.get("url"), public_url)
    return " ".join(part for part in ("Source:", title, link or "") if part)


def custom_lines(custom: Any, public_url: Optional[str]) -> List[str]:
    """Readable lines for one of our custom payloads; unknown payloads give none."""
    if not isinstance(custom, Mapping):
        return []
    kind = custom.get("type")
    if kind == "product_carousel":
        products = [p for p in custom.get("products") or [] if isinstance(p, Mapping)]
        return [f"• {product_line(p, public_url)}" for p in products]
    if kind == "kb_source":
        return [source_line(custom, public_url)]
    if isinstance(custom.get("text"), str) and custom["text"].strip():
        return [custom["text"].strip()]
    return []


def numbered_buttons(buttons: List[Button]) -> str:
    """``1. Yes\\n2. No`` for channels without buttons (the shopper answers with the number)."""
    return "\n".join(f"{index}. {button['title']}" for index, button in enumerate(buttons, start=1))


def split_text(text: str, limit: int) -> List[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at paragraphs, lines, then spaces."""
    text = text.strip()
    pieces: List[str] = []
    while len(text) > limit:
        window = text[: limit + 1]  # a break right after the limit still fits
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator, 0, limit + 1)
            if cut > limit // 2:
                break
        else:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def _buttons(raw: Any) -> List[Button]:
    buttons: List[Button] = []
    for button in raw or []:
        if isinstance(button, Mapping) and button.get("title"):
            title = str(button["title"])
            buttons.append({"title": title, "payload": str(button.get("payload") or title)})
    return buttons


@dataclass
class BotMessage:
    """One bot (or agent) message in the shape every messenger channel renders from."""

    text: str = ""
    buttons: List[Button] = field(default_factory=list)
    image: Optional[str] = None
    customs: List[Dict[str, Any]] = field(default_factory=list)
    agent: Optional[str] = None
    # proactive notifications outside a messenger's 24-hour window (set by the notification worker):
    messenger_tag: Optional[str] = None                  # Messenger message tag, e.g. POST_PURCHASE_UPDATE
    whatsapp_template: Optional[Dict[str, Any]] = None   # {"sid": Twilio Content SID, "variables": {...}}

    @classmethod
    def from_rasa(cls, message: Mapping[str, Any]) -> "BotMessage":
        """From the dict Rasa passes to ``OutputChannel.send_response``."""
        agent = agent_name(message)
        text = str(message.get("text") or "").strip()
        if agent and text:
            text = f"{agent}: {text}"
        custom = message.get("custom")
        customs = [custom] if isinstance(custom, dict) else [c for c in custom or [] if isinstance(c, dict)]
        image = message.get("image") if isinstance(message.get("image"), str) else None
        tag, template = message.get("messenger_tag"), message.get("whatsapp_template")
        return cls(
            text=text,
            buttons=_buttons(message.get("quick_replies") or message.get("buttons")),
            image=image or None,
            customs=customs,
            agent=agent,
            messenger_tag=tag if isinstance(tag, str) and tag.isupper() and tag.replace("_", "").isalpha() else None,
            whatsapp_template=template if isinstance(template, dict) and isinstance(template.get("sid"), str)
            else None,
        )

    def plain_text(self, public_url: Optional[str], numbered: bool = False, carousels: bool = True) -> str:
        """Text with the custom payloads worked in, then (if ``numbered``) the buttons as a list.

        Our responses already name the products and the source in the text ("1. Basalt Hiker:
        $129.00", "Source: Returns"); their links are added to those lines instead of repeating
        them. Anything the text does not mention follows as lines of its own. ``carousels=False``
        leaves product carousels out (a channel that shows them as cards).
        """
        text = self.text
        extra: List[str] = []
        for custom in self.customs:
            kind = custom.get("type")
            if kind == "product_carousel":
                if not carousels:
                    continue
                products = [p for p in custom.get("products") or [] if isinstance(p, Mapping)]
                text, rest = link_products(text, products, public_url)
                extra.extend(f"• {product_line(p, public_url)}" for p in rest)
            elif kind == "kb_source" and source_named(text, custom):
                text = link_source(text, custom, public_url)
            else:
                extra.extend(custom_lines(custom, public_url))
        parts = [text] if text else []
        if extra:
            parts.append("\n".join(extra))
        if numbered and self.buttons:
            parts.append(numbered_buttons(self.buttons))
        return "\n\n".join(parts)


def _append_to_line(text: str, position: int, addition: str) -> str:
    end = text.find("\n", position)
    end = len(text) if end < 0 else end
    return f"{text[:end]} {addition}{text[end:]}"


def source_named(text: str, source: Mapping[str, Any]) -> bool:
    title = str(source.get("title") or "").strip()
    return bool(title) and title in text


def link_source(text: str, source: Mapping[str, Any], public_url: Optional[str]) -> str:
    """``text`` with the source's link after the (last) mention of its title."""
    title = str(source.get("title") or "").strip()
    link = absolute_url(source.get("url"), public_url)
    if not link or link in text:
        return text
    return _append_to_line(text, text.rfind(title) + len(title), link)


def link_products(
    text: str, products: List[Mapping[str, Any]], public_url: Optional[str]
) -> Tuple[str, List[Mapping[str, Any]]]:
    """``text`` with each named product's link at the end of its line, and the products it does not name."""
    rest: List[Mapping[str, Any]] = []
    for product in products:
        name = str(product.get("name") or "").strip()
        if not name or name not in text:
            rest.append(product)
            continue
        link = absolute_url(product.get("url"), public_url)
        if link and link not in text:
            text = _append_to_line(text, text.find(name), link)
    return text, rest


def pick_button(buttons: List[Button], reply: str) -> Optional[Button]:
    """The button whose number (``2``, ``2.``) or title (any case) ``reply`` is, else None."""
    answer = reply.strip().rstrip(".)").strip()
    if answer.isdecimal() and 1 <= int(answer) <= len(buttons):
        return buttons[int(answer) - 1]
    folded = answer.casefold()
    for button in buttons:
        if button["title"].strip().casefold() == folded:
            return button
    return None
