"""The shop's section questions (knowledge_base/content/questions): complete, valid and apart from the
evaluation questions, which must stay unseen."""
from __future__ import annotations

from pathlib import Path

from assistant.runtime import eval_set
from knowledge_base.documents import load_documents, load_section_questions

CONTENT = Path(__file__).resolve().parents[3] / "knowledge_base" / "content"


def _normal(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def test_every_section_of_every_guide_and_policy_has_questions():
    documents = load_documents(CONTENT)
    questions = load_section_questions(CONTENT, documents)  # raises on an unknown document or heading
    missing = [(doc.doc_id, doc.language, section.heading) for doc in documents if doc.kind != "product"
               for section in doc.sections
               if section.heading and len(questions.get((doc.doc_id, doc.language, section.heading), [])) < 3]
    assert not missing, missing[:10]


def test_every_guide_and_policy_has_overview_questions():
    """General questions about a whole page ("what's your returns policy?") lead to its introduction."""
    documents = load_documents(CONTENT)
    questions = load_section_questions(CONTENT, documents)
    missing = [(doc.doc_id, doc.language) for doc in documents if doc.kind != "product"
               if len(questions.get((doc.doc_id, doc.language, ""), [])) < 3]
    assert not missing, missing[:10]


def test_no_section_question_is_an_evaluation_question():
    documents = load_documents(CONTENT)
    ours = {_normal(q) for texts in load_section_questions(CONTENT, documents).values() for q in texts}
    questions, _ = eval_set.load()
    copied = [q.q for q in questions if _normal(q.q) in ours]
    assert not copied, copied[:10]
