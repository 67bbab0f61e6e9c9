"""Live updates for the console: a server-sent event stream.

``GET /events`` sends ``change`` whenever a ticket or message changes anywhere
(the shop database is polled once a second per open console tab, a single cheap
query), and a comment every 15 s to keep proxies from closing the stream. The
page script then fetches the fragment it shows (queue rows or a transcript).
The database is the only shared state, so this works with the action server and
the console in separate processes, and with several console replicas.
"""
from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web

from assistant.console.keys import TICKETS

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
MAX_STREAM_SECONDS = 3600.0  # the browser reconnects by itself


routes = web.RouteTableDef()


@routes.get("/events")
async def events(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    tickets = request.config_dict[TICKETS]
    marker = await asyncio.to_thread(tickets.change_marker)
    started = last_write = time.monotonic()
    try:
        await response.write(b"retry: 2000\nevent: hello\ndata: ready\n\n")
        while time.monotonic() - started < MAX_STREAM_SECONDS:
            await asyncio.sleep(POLL_SECONDS)
            current = await asyncio.to_thread(tickets.change_marker)
            if current != marker:
                marker = current
                await response.write(b"event: change\ndata: tickets\n\n")
                last_write = time.monotonic()
            elif time.monotonic() - last_write > KEEPALIVE_SECONDS:
                await response.write(b": keep-alive\n\n")
                last_write = time.monotonic()
    except ConnectionResetError:
        pass  # the tab was closed
    return response


def setup(app: web.Application) -> None:
    app.add_routes(routes)
