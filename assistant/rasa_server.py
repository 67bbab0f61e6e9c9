"""Starts Rasa with the shop's resilience behaviour, then hands over to Rasa's CLI.

Use it exactly like the ``rasa`` command: ``python -m assistant.rasa_server run ...``.

Rasa drops the events of a custom action that fails (action server down, a 5xx
answer, a timeout) and carries on, so the shopper gets silence. We wrap
``RemoteAction.run`` so that such a failure becomes the domain response
``utter_technical_problem`` instead: a polite message, never silence or a trace.
Rejections (``ActionExecutionRejection``, used by forms) pass through untouched.
"""
from __future__ import annotations

import functools
import logging
import sys
from typing import Any, List

from assistant.settings import get_settings

logger = logging.getLogger(__name__)

FAILURE_RESPONSE = "utter_technical_problem"


def install_action_failure_reply() -> None:
    """Make a failed custom action answer with ``utter_technical_problem``."""
    from rasa.core.actions import action as rasa_action
    from rasa.shared.exceptions import RasaException

    remote_run = rasa_action.RemoteAction.run
    if getattr(remote_run, "_shop_wrapped", False):
        return

    @functools.wraps(remote_run)
    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        try:
            return await remote_run(self, output_channel, nlg, tracker, domain)
        except rasa_action.ActionExecutionRejection:
            raise
        except (RasaException, Exception):  # noqa: BLE001 - any failure must reach the shopper politely
            logger.exception("Custom action '%s' failed; telling the shopper.", self.name())
            message = await nlg.generate(
                FAILURE_RESPONSE,
                tracker,
                output_channel.name(),
                support_email=get_settings().support_email,
            )
            if not message:
                message = {"text": "Sorry, something went wrong on our side. Please try again in a minute."}
            return [rasa_action.create_bot_utterance(message)]

    run._shop_wrapped = True  # type: ignore[attr-defined]
    rasa_action.RemoteAction.run = run  # type: ignore[method-assign]


def main() -> None:
    install_action_failure_reply()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
