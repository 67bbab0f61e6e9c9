"""``python -m knowledge_base build | eval | search`` (run in the action server's venv).

build   chunk the content, embed what changed, write the faiss index (``make kb-build``); by default for
        the answering encoder (KB_ENCODER, e5) and for ``use`` (the router's, inside Rasa)
eval    retrieval and abstention figures per encoder and mode, as JSON (``make kb-eval``)
search  print the best passages for a question
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from typing import Sequence

from assistant.runtime.settings import get_settings
from knowledge_base.encoders import ENCODERS, get_encoder, use_threads
from knowledge_base.index import INDEX_TYPES, build_index
from knowledge_base.search import IndexMissing, KnowledgeBase

logger = logging.getLogger("knowledge_base")
ROUTING_ENCODER = "use"


def _build(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.threads:
        use_threads(args.threads)
    # by default: the answering encoder, and ``use``, whose vectors Rasa's router compares with the USE
    # sentence vector its NLU pipeline already computed (assistant/rasa_plugins/components/knowledge_retriever.py)
    encoders = ENCODERS if args.all_encoders else (
        (args.encoder,) if args.encoder else tuple(dict.fromkeys((settings.kb_encoder, ROUTING_ENCODER))))
    for name in encoders:
        report = build_index(settings.kb_content_dir, settings.kb_index_dir, name,
                             args.index_type or settings.kb_index_type, progress=not args.quiet)
        print(report.summary(), file=sys.stderr)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from knowledge_base.evaluation import EVAL_DIR, evaluate, load_questions

    settings = get_settings()
    questions = load_questions(args.questions or EVAL_DIR)
    report: dict = {"default_encoder": settings.kb_encoder, "encoders": {}}
    for name in (args.encoder,) if args.encoder else ENCODERS:
        build = build_index(settings.kb_content_dir, settings.kb_index_dir, name, settings.kb_index_type,
                            progress=False)
        started = time.perf_counter()
        encoder = get_encoder(name)
        encoder.encode_queries(["warm up"])  # loads the model
        load_seconds = time.perf_counter() - started
        sample = [q.text for q in questions][:128]
        started = time.perf_counter()
        encoder.encode_queries(sample)
        per_second = len(sample) / (time.perf_counter() - started)
        kb = KnowledgeBase.load(settings.kb_index_dir, encoder)
        result = evaluate(kb, questions, settings.kb_min_score if name == settings.kb_encoder else None)
        result.update({"model_load_s": round(load_seconds, 2), "queries_per_s": round(per_second, 1),
                       "chunks": build.chunks})
        if not args.failures:
            result["failures"] = len(result["failures"])
        report["encoders"][name] = result
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


def _search(args: argparse.Namespace) -> int:
    from knowledge_base.answers import Answer, answer

    settings = get_settings()
    kb = KnowledgeBase.load(settings.kb_index_dir, args.encoder or settings.kb_encoder)
    for passage in kb.search(args.query, k=args.k):
        print(f"{passage.score:.4f} cos={passage.dense:.3f} bm25={passage.bm25:.2f} {passage.chunk.chunk_id}")
    reply = answer(kb, args.query, min_score=settings.kb_min_score)
    if isinstance(reply, Answer):
        print(f"\nanswer: {reply.text}\nsource: {reply.source['title']} ({reply.source['url']})")
    else:
        print("\nabstains; closest: " + ", ".join(p.chunk.title for p in reply.closest))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m knowledge_base", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build or update the index")
    build.add_argument("--encoder", choices=ENCODERS)
    build.add_argument("--all-encoders", action="store_true", help="build an index for every encoder")
    build.add_argument("--index-type", choices=INDEX_TYPES)
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    build.add_argument("--threads", type=int, help="encoder threads (default: up to 4 cores)")
    build.set_defaults(run=_build)
    evaluate = sub.add_parser("eval", help="retrieval and abstention figures (JSON)")
    evaluate.add_argument("--encoder", choices=ENCODERS, help="only this encoder (default: all)")
    evaluate.add_argument("--questions", help="folder of question files (default: knowledge_base/eval)")
    evaluate.add_argument("--no-failures", dest="failures", action="store_false", help="count failures only")
    evaluate.set_defaults(run=_eval)
    search = sub.add_parser("search", help="show the best passages for a question")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--encoder", choices=ENCODERS)
    search.set_defaults(run=_search)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (IndexMissing, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
