"""The support console's command line.

    python -m assistant.console serve [--port 8080]
    python -m assistant.console add-agent USERNAME --name "Display Name"   (asks for the password)
    python -m assistant.console set-password USERNAME
    python -m assistant.console deactivate-agent USERNAME
    python -m assistant.console list-agents
    python -m assistant.console create-token USERNAME --name "CRM sync"    (prints a bearer token once)

Passwords are read from the terminal, or from standard input with ``--password-stdin``.
"""
from __future__ import annotations

import argparse
import getpass
import logging
import sys
from datetime import timedelta

from aiohttp import web

from assistant.runtime.settings import Settings, get_settings
from assistant.shop.backend import Shop, ShopConfig
from assistant.shop.support.accounts import AccountError, AgentAccounts


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat: ") != first:
        raise AccountError("the passwords differ")
    return first


def _accounts(settings: Settings) -> AgentAccounts:
    shop = Shop.open(ShopConfig(settings.database_url, settings.policy_file))
    return AgentAccounts(shop.sessions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.console", description="The support console.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the console, the demo shop page and the widget")
    serve.add_argument("--port", type=int, help="default: CONSOLE_PORT (8080)")
    add = commands.add_parser("add-agent", help="create an agent account")
    add.add_argument("username")
    add.add_argument("--name", default="", help="name shown to shoppers (default: the username)")
    add.add_argument("--password-stdin", action="store_true")
    change = commands.add_parser("set-password", help="set an agent's password (ends their sessions)")
    change.add_argument("username")
    change.add_argument("--password-stdin", action="store_true")
    off = commands.add_parser("deactivate-agent", help="block an agent's login and API tokens")
    off.add_argument("username")
    commands.add_parser("list-agents", help="list agent accounts")
    token = commands.add_parser("create-token", help="an API token acting as this agent (printed once)")
    token.add_argument("username")
    token.add_argument("--name", default="integration")
    token.add_argument("--days", type=int, default=90, help="how long the token is valid (default 90 days)")
    tokens = commands.add_parser("list-tokens", help="an agent's API tokens: id, name, last use, expiry")
    tokens.add_argument("username")
    revoke = commands.add_parser("revoke-token", help="revoke one API token by its id (see list-tokens)")
    revoke.add_argument("token_id", type=int)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    if args.command == "serve":
        from assistant.console.app import create_app

        web.run_app(create_app(settings), host=settings.host, port=args.port or settings.console_port,
                    print=None, access_log=None, shutdown_timeout=3)
        return 0
    try:
        accounts = _accounts(settings)
        if args.command == "add-agent":
            agent = accounts.create_agent(args.username, args.name, _password(args))
            print(f"created agent {agent.username} ({agent.display_name})")
        elif args.command == "set-password":
            accounts.set_password(args.username, _password(args))
            print(f"password changed for {args.username}; their sessions were ended")
        elif args.command == "deactivate-agent":
            accounts.deactivate(args.username)
            print(f"{args.username} can no longer log in; their sessions and tokens were revoked")
        elif args.command == "list-agents":
            for agent, active in accounts.list_agents():
                print(f"{agent.username:<24} {agent.display_name:<30} {'active' if active else 'inactive'}")
        elif args.command == "create-token":
            print(accounts.create_token(args.username, args.name, timedelta(days=max(1, args.days))))
        elif args.command == "list-tokens":
            for row in accounts.list_tokens(args.username):
                used = row.last_used_at.strftime("%Y-%m-%d %H:%M") if row.last_used_at else "never used"
                expires = row.expires_at.strftime("%Y-%m-%d") if row.expires_at else "expired"
                print(f"{row.id:<6} {row.name:<24} {used:<18} expires {expires}")
        elif args.command == "revoke-token":
            if not accounts.revoke_token(args.token_id):
                raise AccountError(f"there is no API token with the id {args.token_id} (see list-tokens)")
            print(f"token {args.token_id} revoked")
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
