"""Rasa input and output channels the shop runs on, beyond Rasa's own REST channel.

- :mod:`assistant.rasa_plugins.channels.socketio`: the web chat widget.
- :mod:`assistant.rasa_plugins.channels.telegram`, :mod:`assistant.rasa_plugins.channels.facebook` (Messenger) and
  :mod:`assistant.rasa_plugins.channels.twilio` (WhatsApp and SMS): Rasa's messenger connectors, rewritten so
  every inbound webhook is verified the way the platform specifies before anything is processed
  (401 when the signature is missing, 403 when it is wrong, with a WARNING line saying why), and
  so their outbound API addresses are configurable (a local fake platform in the tests).
- :mod:`assistant.rasa_plugins.channels.signatures`: the verification algorithms (standard library only).
- :mod:`assistant.rasa_plugins.channels.rendering`: how a bot message (buttons, product cards, knowledge-base
  sources, a support agent's reply) becomes text on a messenger (standard library only).

Which channels are on is decided by :mod:`assistant.runtime.credentials` from environment variables.
"""
