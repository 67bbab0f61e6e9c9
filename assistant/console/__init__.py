"""The support console: agents log in, work the handoff queue, reply live, resolve, and read metrics.

An aiohttp application (``create_app``) with server-rendered pages, a little
JavaScript for live updates, and a JSON API under ``/api/``. It runs in the
actions venv and shares the shop database with the action server. The same
application serves the demo shop page and the chat widget (``assistant.console.widget``).
"""
