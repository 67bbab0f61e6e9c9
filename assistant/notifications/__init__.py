"""The notification worker (actions venv, asyncio + aiohttp): drains the order-event outbox.

``python -m assistant.notifications`` runs it (``make run`` starts it beside the other processes). For
each due event it finds the customer's linked conversations (``ChannelIdentity``), applies the rules of
:mod:`assistant.shop.notifications.rules` and delivers the text in the shopper's language through Rasa's
HTTP API (a bot event with ``execute_side_effects``: Rasa sends it on that conversation's channel and keeps
it in the transcript). When no conversation can take it, the email fallback is queued.
"""
