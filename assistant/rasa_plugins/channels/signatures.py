"""Webhook verification as each platform documents it. Standard library only, no I/O.

Every function answers a plain yes or no and compares in constant time; the channel
decides what to answer (401 without a signature header, 403 with a wrong one).

- Facebook Messenger: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed
  with the app secret>``.
- Twilio: ``X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + every POST parameter's name
  and value, sorted by name))``, where URL is the full public URL Twilio called, query included.
- Telegram: ``X-Telegram-Bot-Api-Secret-Token`` carries the ``secret_token`` given to
  ``setWebhook``, verbatim.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Iterable, Mapping, Optional, Union
from urllib.parse import urlsplit, urlunsplit

FACEBOOK_HEADER = "X-Hub-Signature-256"
TWILIO_HEADER = "X-Twilio-Signature"
TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"

ParamValue = Union[str, Iterable[str]]


def _equal(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))


def facebook_signature(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Facebook sends with ``body``."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def facebook_signature_valid(app_secret: str, body: bytes, header: Optional[str]) -> bool:
    """Whether ``header`` (``sha256=<hex>``) signs ``body`` with ``app_secret``."""
    if not app_secret or not header:
        return False
    method, _, given = header.strip().partition("=")
    if method.lower() != "sha256" or not given:
        return False
    return _equal(given.lower(), facebook_signature(app_secret, body).partition("=")[2])


def _values(value: ParamValue) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def twilio_signature(auth_token: str, url: str, params: Mapping[str, ParamValue]) -> str:
    """The ``X-Twilio-Signature`` Twilio computes for a POST of ``params`` to ``url``.

    A parameter sent several times contributes each value, sorted (as Twilio's own libraries do).
    """
    data = url + "".join(
        name + value for name in sorted(params) for value in sorted(set(_values(params[name])))
    )
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _port_variants(url: str) -> list[str]:
    """``url`` as given, plus with the scheme's default port added or removed.

    Twilio signs the URL as configured in the console; its libraries accept either form.
    """
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    if default is None or not parts.hostname:
        return [url]
    try:
        port = parts.port
    except ValueError:
        return [url]
    host = parts.netloc.rpartition("@")[2]
    userinfo = parts.netloc[: len(parts.netloc) - len(host)]
    if port is None:
        other = userinfo + f"{host}:{default}"
    elif port == default:
        other = userinfo + host.rsplit(":", 1)[0]
    else:
        return [url]
    return [url, urlunsplit(parts._replace(netloc=other))]


def twilio_signature_valid(
    auth_token: str, url: str, params: Mapping[str, ParamValue], header: Optional[str]
) -> bool:
    """Whether ``header`` is Twilio's signature of ``params`` posted to ``url``."""
    if not auth_token or not url or not header:
        return False
    given = header.strip()
    return any(_equal(given, twilio_signature(auth_token, variant, params))
               for variant in _port_variants(url))


def telegram_secret_valid(expected: str, header: Optional[str]) -> bool:
    """Whether the secret-token header equals the ``secret_token`` set with ``setWebhook``."""
    if not expected or not header:
        return False
    return _equal(header, expected)
