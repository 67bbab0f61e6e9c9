"""The shop's knowledge base: guides, policies and products, searched by meaning and by words.

    from knowledge_base import KnowledgeBase, build_index
    build_index("knowledge_base/content", "var/kb", "e5")
    kb = KnowledgeBase.load("var/kb", "e5")
    kb.search("do you ship to Canada?", k=5, filters={"kind": "policy"})

Plain Python, no Rasa import: the action server and the support console both use it.
"""
from knowledge_base.index import BuildReport, build_index
from knowledge_base.search import IndexMissing, KnowledgeBase, Passage

__all__ = ["BuildReport", "IndexMissing", "KnowledgeBase", "Passage", "build_index"]
