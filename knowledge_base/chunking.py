"""Cut documents into retrievable chunks: one per section, long sections in overlapping windows."""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

from assistant.i18n.scripts import CJK_RE
from knowledge_base.documents import Document, Section

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])|\n+(?=\d+\.\s|[-*]\s)")
_WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*")
_CJK_CHAR = CJK_RE


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    kind: str
    title: str
    heading: str
    anchor: str
    url: str
    language: str
    text: str  # what the shopper may be shown
    embed_text: str  # what is embedded and indexed: title and heading give the chunk its context

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.embed_text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        return asdict(self)


def length_units(text: str) -> int:
    """Words for Latin text; for Chinese and Japanese, two characters count as one word (about what a
    translated passage of the same content comes to), so a section is cut alike in every language."""
    return len(_WORD.findall(text)) + (len(_CJK_CHAR.findall(text)) + 1) // 2


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def anchor_for(heading: str) -> str:
    slug = re.sub(r"[^\w\s-]", "", heading.lower()).strip()
    return re.sub(r"[\s_]+", "-", slug)


def windows(text: str, max_units: int, overlap_units: int) -> list[str]:
    """Split ``text`` at sentence ends into windows of at most ``max_units``, overlapping by whole sentences."""
    parts = sentences(text)
    if length_units(text) <= max_units or len(parts) <= 1:
        return [text]
    result: list[str] = []
    start = 0
    while start < len(parts):
        end, size = start, 0
        while end < len(parts) and (size == 0 or size + length_units(parts[end]) <= max_units):
            size += length_units(parts[end])
            end += 1
        result.append(" ".join(parts[start:end]))
        if end >= len(parts):
            break
        back, carried = end, 0  # step back whole sentences to carry about overlap_units into the next window
        while back - 1 > start and carried + length_units(parts[back - 1]) <= overlap_units:
            back -= 1
            carried += length_units(parts[back])
        start = back if back > start else end
    return result


def chunk_document(doc: Document, max_units: int = 160, overlap_units: int = 40) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in doc.sections:
        chunks.extend(_section_chunks(doc, section, max_units, overlap_units))
    return chunks


def _section_chunks(doc: Document, section: Section, max_units: int, overlap_units: int) -> list[Chunk]:
    anchor = anchor_for(section.heading) if section.heading else ""
    base_id = f"{doc.doc_id}#{anchor}" if anchor else doc.doc_id
    url = f"{doc.url}#{anchor}" if anchor and doc.kind != "product" else doc.url
    context = f"{doc.title}. {section.heading}." if section.heading else f"{doc.title}."
    if doc.kind == "product":
        attrs = doc.attributes
        context = f"{doc.title} ({attrs.get('subcategory') or attrs.get('category')}). {section.heading}."
    pieces = windows(section.text, max_units, overlap_units)
    out = []
    for number, piece in enumerate(pieces):
        out.append(Chunk(
            chunk_id=base_id if len(pieces) == 1 else f"{base_id}~{number + 1}",
            doc_id=doc.doc_id,
            kind=doc.kind,
            title=doc.title,
            heading=section.heading,
            anchor=anchor,
            url=url,
            language=doc.language,
            text=piece,
            embed_text=f"{context} {piece}",
        ))
    return out
