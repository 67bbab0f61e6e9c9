"""Reviews for the demo catalogue, generated deterministically from ``seed_data/review_templates.yml``.

Each product gets the catalogue's own sample reviews plus generated ones in the four languages, chosen
to fit its category and specs (a "runs small" text only where the catalogue says the fit runs small, a
waterproof text only where it has a waterproof spec). The stars are spread so that their mean, rounded to
one decimal, is the catalogue's rating; the product's ``rating`` and ``review_count`` are set from them.
The same product and seed always give the same reviews.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from assistant.shop.commerce.review_topics import TOPICS, topics_in

TEMPLATES_FILE = Path(__file__).resolve().parent / "seed_data" / "review_templates.yml"
LANGUAGES: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant", "ja")
# the share of reviews per language: most shoppers write in English, every language has a few per product
LANGUAGE_WEIGHTS: tuple[int, ...] = (4, 2, 2, 2)
MIN_REVIEWS, MAX_REVIEWS = 10, 24
MAX_AGE_DAYS = 540

_SMALL = ("runs small", "slim", "snug", "fitted", "athletic", "narrow")
_LARGE = ("relaxed", "roomy", "runs large", "oversized")
_WARM_WORDS = ("winter", "down", "insulated", "ski", "sherpa", "fleece", "mitten", "beanie", "merino", "parka")


@dataclass(frozen=True)
class Template:
    topic: str
    groups: tuple[str, ...]
    stars: tuple[int, int]
    texts: Mapping[str, str]
    fit: str | None = None
    needs: str | None = None


@dataclass(frozen=True)
class Templates:
    groups: Mapping[str, tuple[str, ...]]     # group -> product categories
    reviewers: Mapping[str, tuple[str, ...]]  # language -> first names or initials
    texts: tuple[Template, ...]


def load_templates(path: Path = TEMPLATES_FILE) -> Templates:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = []
    for number, raw in enumerate(data["texts"], start=1):
        missing = [lang for lang in LANGUAGES if not raw.get(lang)]
        if missing or raw.get("topic") not in TOPICS:
            raise ValueError(f"{path}: review text #{number} needs a known topic and {', '.join(missing)}")
        texts.append(Template(topic=raw["topic"], groups=tuple(raw["groups"]), stars=tuple(raw["stars"]),
                              texts={lang: str(raw[lang]) for lang in LANGUAGES}, fit=raw.get("fit"),
                              needs=raw.get("needs")))
    return Templates(groups={g: tuple(c) for g, c in data["groups"].items()},
                     reviewers={lang: tuple(str(n) for n in names) for lang, names in data["reviewers"].items()},
                     texts=tuple(texts))


def fit_of(product: Mapping[str, Any]) -> str:
    """How the product's size runs according to the catalogue: small, large or true."""
    fit = str((product.get("specs") or {}).get("fit") or "").lower()
    if any(word in fit for word in _SMALL):
        return "small"
    if any(word in fit for word in _LARGE):
        return "large"
    return "true"


def traits_of(product: Mapping[str, Any]) -> set[str]:
    """``waterproof`` / ``not_waterproof`` / ``warm``: what the product's specs let reviews talk about."""
    specs = {str(k).lower(): str(v).lower() for k, v in (product.get("specs") or {}).items()}
    traits = set()
    if "waterproof" in specs:
        traits.add("waterproof" if specs["waterproof"] in ("yes", "true") else "not_waterproof")
    kind = f"{product.get('subcategory') or ''} {product.get('name') or ''}".lower()
    if "summer" not in kind and (any(k in specs for k in ("insulation", "warmth", "fill"))
                                 or any(word in kind for word in _WARM_WORDS)
                                 or product.get("category") in ("fleeces", "gloves", "sleeping bags")):
        traits.add("warm")
    return traits


def _fitting(templates: Templates, product: Mapping[str, Any]) -> list[Template]:
    category = product.get("category")
    groups = {g for g, categories in templates.groups.items() if category in categories}
    fit, traits = fit_of(product), traits_of(product)
    return [t for t in templates.texts if groups & set(t.groups) and (t.fit is None or t.fit == fit)
            and (t.needs is None or t.needs in traits)]


def _stars(rng: random.Random, count: int, total: int, fixed: Sequence[int]) -> list[int]:
    """``count`` star values (1-5) after ``fixed`` ones, adding up with them to ``total``."""
    free = count - len(fixed)
    mean = (total - sum(fixed)) / free
    stars = [min(5, max(1, round(rng.gauss(mean, 0.9)))) for _ in range(free)]
    target = total - sum(fixed)
    while sum(stars) != target:
        if sum(stars) < target:
            choices = [i for i, s in enumerate(stars) if s < 5]
            stars[rng.choice(choices)] += 1
        else:
            choices = [i for i, s in enumerate(stars) if s > 1]
            stars[rng.choice(choices)] -= 1
    return stars


def _count_and_total(rating: float, fixed: Sequence[int], wanted: int) -> tuple[int, int]:
    """A review count near ``wanted`` whose star total makes the mean round to ``rating`` exactly."""
    for count in list(range(wanted, 4 * MAX_REVIEWS)) + list(range(wanted - 1, len(fixed), -1)):
        free = count - len(fixed)
        if free <= 0:
            continue
        total = round(rating * count)
        free_total = total - sum(fixed)
        if free <= free_total <= 5 * free and round(total / count + 1e-9, 1) == round(rating, 1):
            return count, total
    raise ValueError(f"no review count gives the rating {rating}")


def _product_rng(seed: int, sku: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"{seed}:{sku}".encode()).hexdigest()[:16], 16))


def reviews_for(product: Mapping[str, Any], templates: Templates, *, seed: int, today: date
                ) -> list[dict[str, Any]]:
    """The review rows of one catalogue product (its own sample reviews first)."""
    sku = str(product["sku"])
    rng = _product_rng(seed, sku)
    anchor = datetime.combine(today, datetime.min.time(), tzinfo=timezone.utc)
    samples = product.get("reviews")
    own = [r for r in samples if isinstance(r, Mapping) and r.get("text")] if isinstance(samples, list) else []
    fixed = [min(5, max(1, int(r.get("rating") or 4))) for r in own]
    rating = float(product.get("rating") or 4.0)
    count, total = _count_and_total(rating, fixed, max(len(fixed) + 4, rng.randint(MIN_REVIEWS, MAX_REVIEWS)))
    stars = _stars(rng, count, total, fixed)
    rows = []
    for review, value in zip(own, fixed):
        text = str(review["text"]).strip()
        found = topics_in(text)
        rows.append({"sku": sku, "rating": value, "text": text[:400], "language": "en",
                     "author": str(review.get("author") or "A.")[:40], "topic": found[0] if found else None,
                     "fit": None})
    fitting = _fitting(templates, product)
    topics = sorted({t.topic for t in fitting}, key=TOPICS.index)
    rng.shuffle(topics)
    topics.sort(key=lambda topic: topic != "fit")  # fit first: the question shoppers ask most
    languages = [lang for lang, weight in zip(LANGUAGES, LANGUAGE_WEIGHTS) for _ in range(weight)]
    used: set[int] = set()
    for index, value in enumerate(stars):
        if index < len(LANGUAGES) * len(topics):  # each language in turn gets each topic in turn
            language, topic = LANGUAGES[index % len(LANGUAGES)], topics[index // len(LANGUAGES)]
        else:
            language, topic = rng.choice(languages), rng.choice(topics)
        matching = [i for i, t in enumerate(fitting) if t.stars[0] <= value <= t.stars[1]]
        on_topic = [i for i in matching if fitting[i].topic == topic] or matching
        chosen = [i for i in on_topic if i not in used] or on_topic
        if not chosen:
            raise ValueError(f"{sku}: no review text for {value} stars in its category {product.get('category')}")
        number = rng.choice(chosen)
        used.add(number)
        template = fitting[number]
        rows.append({"sku": sku, "rating": value, "text": template.texts[language], "language": language,
                     "author": rng.choice(templates.reviewers[language]), "topic": template.topic,
                     "fit": template.fit})
    for row in rows:
        row["created_at"] = anchor - timedelta(days=rng.randint(1, MAX_AGE_DAYS), minutes=rng.randint(0, 1439))
        base = 6 if row["topic"] == "fit" else 2  # shoppers find fit reviews the most useful
        row["helpful"] = rng.randint(0, base + 6)
    return rows


def apply_reviews(products: list[dict[str, Any]], catalogue: Sequence[Mapping[str, Any]],
                  templates: Templates | None = None, *, seed: int, today: date) -> list[dict[str, Any]]:
    """All review rows for the catalogue; each product row's ``rating`` and ``review_count`` set from its own."""
    templates = templates or load_templates()
    by_sku = {str(record.get("sku")): record for record in catalogue}
    rows: list[dict[str, Any]] = []
    for product in products:
        record = by_sku.get(product["sku"], product)
        if record.get("rating") is None or not _fitting(templates, record):
            continue  # unrated, or a category the templates do not cover: the catalogue's figures stay
        reviews = reviews_for(record, templates, seed=seed, today=today)
        product["review_count"] = len(reviews)
        product["rating"] = round(sum(r["rating"] for r in reviews) / len(reviews) + 1e-9, 1) if reviews else None
        rows.extend(reviews)
    return rows
