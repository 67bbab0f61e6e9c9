"""assistant/rasa_plugins/server.py: the command line ``rasa run`` gets (run inside the Rasa venv)."""
from __future__ import annotations

import pytest
from rasa.__main__ import create_argument_parser

from assistant.rasa_plugins.server import with_auth_token


@pytest.mark.parametrize("token", ["-Zq3x_secret", "--looks-like-an-option", "plain-token"])
def test_a_generated_token_that_begins_with_a_dash_reaches_rasa(token: str) -> None:
    """One generated token in 64 begins with "-"; passed as a separate argument, Rasa refused to start
    ("argument -t/--auth-token: expected one argument")."""
    argv = with_auth_token(["rasa", "run", "--enable-api"], token)
    assert create_argument_parser().parse_args(argv[1:]).auth_token == token


def test_a_token_on_the_command_line_is_kept() -> None:
    for given in (["rasa", "run", "--auth-token", "mine"], ["rasa", "run", "--auth-token=mine"], ["rasa", "run", "-t", "mine"]):
        assert with_auth_token(given, "other") == given
