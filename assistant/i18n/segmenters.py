"""Chinese and Japanese word segmenters, loaded on first use; shared by the NLU tokenizer
(``assistant/rasa_plugins/components/tokenizer.py``) and the knowledge base's BM25 (``knowledge_base/text.py``).

Plain Python, no Rasa import. jieba's dictionary is simplified Chinese, so traditional text is
segmented through its simplified form (OpenCC's tables change characters one for one, so offsets
stay valid); Japanese goes to fugashi with the unidic-lite dictionary.
"""
from __future__ import annotations

import functools
import logging
from typing import List, Tuple


@functools.lru_cache(maxsize=1)
def jieba():
    import jieba as segmenter

    segmenter.setLogLevel(logging.WARNING)
    segmenter.initialize()
    return segmenter


@functools.lru_cache(maxsize=1)
def to_simplified():
    from opencc import OpenCC

    return OpenCC("t2s").convert


@functools.lru_cache(maxsize=1)
def japanese_tagger():
    import fugashi  # with unidic-lite, the dictionary ships on PyPI

    return fugashi.Tagger()


def chinese_words(run: str, for_search: bool = False) -> List[Tuple[str, int]]:
    """(word, offset) in a run of Han characters; words keep the run's own characters."""
    simplified = to_simplified()(run)
    source = simplified if len(simplified) == len(run) else run  # same offsets, or segment as-is
    mode = "search" if for_search else "default"
    return [(run[start:end], start) for word, start, end in jieba().tokenize(source, mode=mode) if word.strip()]


def japanese_words(run: str) -> List[Tuple[str, int]]:
    """(morpheme, offset) in a run of Japanese text."""
    words: List[Tuple[str, int]] = []
    position = 0
    for node in japanese_tagger()(run):
        surface = node.surface
        start = run.find(surface, position)
        if not surface or start < 0:
            continue
        words.append((surface, start))
        position = start + len(surface)
    return words
