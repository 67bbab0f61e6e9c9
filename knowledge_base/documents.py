"""Read the shop's content folder into documents: guides, policies and products.

Layout of a content folder (``KB_CONTENT_DIR``)::

    guides/<language>/<id>.md      how-to guides, Markdown with YAML front matter
    policies/<language>/<id>.md    policies, same format
    products/catalog.yml           the product catalogue (also seeds the shop database)

A document's ``doc_id`` is ``guide:<id>``, ``policy:<id>`` or ``product:<sku>``; the same id in
several languages is the same topic translated.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.i18n.languages import LANGUAGES

KINDS = {"guides": "guide", "policies": "policy"}
REQUIRED_FRONT_MATTER = ("id", "title", "tags", "language", "updated", "url")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


class ContentError(ValueError):
    """A content file breaks the documented format; the message names the file and the problem."""


@dataclass(frozen=True)
class Section:
    heading: str  # "" for the introduction under the H1
    text: str


@dataclass(frozen=True)
class Document:
    doc_id: str
    kind: str  # guide | policy | product
    title: str
    language: str
    url: str
    tags: tuple[str, ...]
    sections: tuple[Section, ...]
    path: str
    updated: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)  # product fields for filtering


def load_documents(content_dir: Path) -> list[Document]:
    """Every guide, policy and product under ``content_dir``, in a stable order."""
    content_dir = Path(content_dir)
    if not content_dir.is_dir():
        raise ContentError(f"knowledge-base content folder {content_dir} does not exist (check KB_CONTENT_DIR)")
    documents: list[Document] = []
    for folder, kind in KINDS.items():
        for path in sorted((content_dir / folder).glob("*/*.md")):
            documents.append(parse_markdown(path, kind, content_dir))
    catalog = content_dir / "products" / "catalog.yml"
    if catalog.exists():
        documents.extend(load_products(catalog))
    seen: dict[tuple[str, str], str] = {}
    for doc in documents:
        key = (doc.doc_id, doc.language)
        if key in seen:
            raise ContentError(f"{doc.path}: id {doc.doc_id!r} ({doc.language}) is already used by {seen[key]}")
        seen[key] = doc.path
    return documents


def parse_markdown(path: Path, kind: str, root: Path | None = None) -> Document:
    raw = path.read_text(encoding="utf-8")
    shown = str(path.relative_to(root)) if root else str(path)
    match = _FRONT_MATTER.match(raw)
    if not match:
        raise ContentError(f"{shown}: missing YAML front matter between '---' lines")
    try:
        meta = yaml.load(match.group(1), Loader=_YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        raise ContentError(f"{shown}: front matter is not valid YAML: {exc}") from exc
    missing = [key for key in REQUIRED_FRONT_MATTER if not meta.get(key)]
    if missing:
        raise ContentError(f"{shown}: front matter lacks {', '.join(missing)}")
    language = str(meta["language"])
    if language not in LANGUAGES:
        raise ContentError(f"{shown}: language {language!r} is not one of {', '.join(LANGUAGES)}")
    if path.parent.name != language:
        raise ContentError(f"{shown}: language {language!r} does not match its folder {path.parent.name!r}")
    tags = meta["tags"] if isinstance(meta["tags"], list) else [meta["tags"]]
    updated = meta["updated"]
    title, sections = split_sections(raw[match.end():])
    if not sections:
        raise ContentError(f"{shown}: no text after the front matter")
    return Document(
        doc_id=f"{kind}:{meta['id']}",
        kind=kind,
        title=str(meta["title"]),
        language=language,
        url=str(meta["url"]),
        tags=tuple(str(tag) for tag in tags),
        sections=tuple(sections),
        path=shown,
        updated=updated.isoformat() if isinstance(updated, dt.date) else str(updated),
    )


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def split_sections(body: str) -> tuple[str, list[Section]]:
    """The H1 title and the sections under each H2 (deeper headings stay inside their H2)."""
    title = ""
    sections: list[Section] = []
    heading, lines = "", []
    in_code = False

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            sections.append(Section(heading=heading, text=text))

    for line in body.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match and len(match.group(1)) == 1 and not title:
            title = match.group(2)
            continue
        if match and len(match.group(1)) == 2:
            flush()
            heading, lines = match.group(2), []
            continue
        lines.append(line)
    flush()
    return title, sections


def load_products(catalog: Path) -> list[Document]:
    with open(catalog, encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=_YAML_LOADER) or {}
    return [product_document(product, str(catalog.name)) for product in data.get("products", [])]


def product_document(p: dict[str, Any], path: str) -> Document:
    """A product as a document: an overview section and a details section, worded from its fields."""
    currency = p.get("currency", "USD")
    price = f"{float(p['price']):.2f} {currency}"
    in_stock = [size for size in p.get("sizes", []) if int(p.get("stock", {}).get(size, 0)) > 0]
    overview = [
        p.get("description", "").strip(),
        f"Price: {price}." + (f" Was {float(p['compare_at_price']):.2f} {currency}." if p.get("compare_at_price") else ""),
        f"Colours: {', '.join(p.get('colors', []))}.",
        f"Sizes: {', '.join(p.get('sizes', []))}; in stock now: {', '.join(in_stock) or 'none'}.",
        f"Rated {p.get('rating')} out of 5 from {p.get('review_count', 0)} reviews." if p.get("rating") else "",
    ]
    if p.get("final_sale"):
        overview.append("Final sale: this item cannot be returned or refunded.")
    specs = "; ".join(f"{key}: {value}" for key, value in (p.get("specs") or {}).items())
    details = [
        f"Specifications: {specs}." if specs else "",
        f"Materials: {p['materials']}." if p.get("materials") else "",
        f"Care: {p['care']}" if p.get("care") else "",
    ]
    reviews = " ".join(f"\"{r['text']}\" ({r['author']}, {r['rating']}/5)" for r in p.get("reviews", []))
    sections = [
        Section(heading="Overview", text=" ".join(part for part in overview if part)),
        Section(heading="Details", text=" ".join(part for part in details if part)),
    ]
    if reviews:
        sections.append(Section(heading="Reviews", text=f"What shoppers say: {reviews}"))
    return Document(
        doc_id=f"product:{p['sku']}",
        kind="product",
        title=p["name"],
        language="en",
        url=p.get("url", ""),
        tags=tuple(p.get("tags", [])) + (p.get("category", ""), p.get("subcategory", "")),
        sections=tuple(sections),
        path=path,
        attributes={
            "sku": p["sku"],
            "category": p.get("category", ""),
            "subcategory": p.get("subcategory", ""),
            "gender": p.get("gender", ""),
            "colors": list(p.get("colors", [])),
            "sizes": list(p.get("sizes", [])),
            "stock": {str(k): int(v) for k, v in (p.get("stock") or {}).items()},
            "price": float(p["price"]),
            "currency": currency,
            "rating": p.get("rating"),
            "review_count": p.get("review_count", 0),
            "image": p.get("image", ""),
            "final_sale": bool(p.get("final_sale")),
        },
    )



QUESTIONS_FOLDER = "questions"


def load_section_questions(content_dir: Path, documents: list[Document]) -> dict[tuple[str, str, str], list[str]]:
    """The shoppers' questions each H2 section answers, keyed by (doc_id, language, heading).

    ``questions/<language>/<id>.yml`` holds ``doc: <id>``, ``sections: {"<H2 heading>": [questions]}`` and
    optionally ``overview: [questions]``: general questions about the whole page ("how do returns work?"),
    indexed beside its introduction (the text under the H1, heading "").
    They are indexed beside the section (``knowledge_base.index``): a shopper's question is closer to
    another question than to the passage that answers it, above all across wording and languages.
    A file naming a document or heading that does not exist is an error, so renamed headings are caught.
    """
    folder = Path(content_dir) / QUESTIONS_FOLDER
    by_key = {(doc.doc_id.split(":", 1)[1], doc.language): doc for doc in documents if doc.kind != "product"}
    result: dict[tuple[str, str, str], list[str]] = {}
    for path in sorted(folder.glob("*/*.yml")):
        shown = str(path.relative_to(content_dir))
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        except yaml.YAMLError as exc:
            raise ContentError(f"{shown}: not valid YAML: {exc}") from exc
        language, name = path.parent.name, str(data.get("doc") or path.stem)
        doc = by_key.get((name, language))
        if doc is None:
            raise ContentError(f"{shown}: no guide or policy {name!r} in {language!r}")
        headings = {section.heading for section in doc.sections if section.heading}
        intro = any(not section.heading and section.text.strip() for section in doc.sections)
        parts = list((data.get("sections") or {}).items())
        if data.get("overview") is not None:
            if not intro:
                raise ContentError(f"{shown}: {doc.path} has no introduction for its overview questions")
            parts.append(("", data["overview"]))
        for heading, questions in parts:
            heading = str(heading).strip()
            if heading and heading not in headings:
                raise ContentError(f"{shown}: {doc.path} has no section {heading!r}")
            if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
                raise ContentError(f"{shown}: section {heading!r} needs a list of questions")
            result[(doc.doc_id, language, heading)] = [q.strip() for q in questions]
    return result
