"""The demo shop's data from the command line, with the configured database (``DATABASE_URL``).

    python -m assistant.runtime.demo seed [--force] [--seed 42] [--today YYYY-MM-DD]
    python -m assistant.runtime.demo sample-orders [--per-status 2]

Both accept ``--database-url`` to use another database. The work is done by
``assistant.shop.demo.seed`` and ``assistant.shop.demo.sample_orders``, which take everything as arguments.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence

from assistant.runtime.settings import get_settings
from assistant.shop.demo import sample_orders, seed

COMMANDS = {"seed": seed.main, "sample-orders": sample_orders.main}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print(f"usage: python -m assistant.runtime.demo {{{','.join(COMMANDS)}}} [options]", file=sys.stderr)
        return 2
    command, rest = args[0], args[1:]
    settings = get_settings()
    if not any(a == "--database-url" or a.startswith("--database-url=") for a in rest):
        rest = ["--database-url", settings.database_url, *rest]
    if command == "seed" and not any(a.startswith("--catalog-file") for a in rest):
        rest = [*rest, "--catalog-file", str(settings.kb_content_dir / "products" / "catalog.yml")]
    return COMMANDS[command](rest)


if __name__ == "__main__":
    sys.exit(main())
