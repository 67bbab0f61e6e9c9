"""Proactive notifications, the backend half: plain Python and SQLAlchemy, no Rasa, no aiohttp.

- :mod:`events`: the kinds of order events and :func:`events.record_event`, which the commerce services
  call inside the transaction that changes an order (the outbox pattern: the change and its event commit
  together or not at all).
- :mod:`rules`: quiet hours, the messengers' 24-hour windows, which targets may get a message.
- :mod:`messages`: the text of each notification in each language (``messages.yml``).
- :mod:`preferences`: a customer's opt-in or opt-out.
- :mod:`outbox`: what the worker (``assistant/notifications``) needs: claim events, one delivery row per
  (event, target), the email outbox, finishing an event.
"""
