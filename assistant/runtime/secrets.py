"""Secrets the processes share, generated once per installation into ``<SHOP_VAR_DIR>/secrets/``.

Each file holds one random token, created with mode 0600 in a 0700 folder, atomically (a process that
starts at the same moment reads the same token, never an empty file). An environment variable
naming the secret wins over the file (see ``assistant/runtime/settings.py``).

| file | protects |
| --- | --- |
| ``rasa_auth_token`` | Rasa's HTTP API (trackers, events, models): the console and the tests send it |
| ``action_server_token`` | the action server's ``/webhook``: only Rasa, which sends it, may call actions |
| ``session_signing_key`` | the widget's session ids: socket.io and the history API accept only ids the server issued |

Standard library only: both virtual environments import it.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRETS_DIR = "secrets"


def shared_secret(var_dir: Path, name: str) -> str:
    """The secret ``name`` of this installation, created on first use."""
    folder = Path(var_dir) / SECRETS_DIR
    path = folder / name
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(32)
    temporary = folder / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    try:
        os.link(temporary, path)  # fails if another process got there first: use theirs
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text(encoding="utf-8").strip()
