"""``python -m assistant.notifications``: run the notification worker until SIGTERM or Ctrl-C."""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Sequence

from assistant.notifications.rasa_api import RasaApi
from assistant.notifications.worker import NotificationWorker, WorkerConfig
from assistant.runtime.settings import Settings, get_settings
from assistant.shop.backend import Shop, ShopConfig
from assistant.shop.notifications.rules import QuietHours
from assistant.shop.support.business_hours import load_business_hours
from assistant.shop.support.pii import install_log_masking

logger = logging.getLogger("assistant.notifications")


def worker_config(settings: Settings) -> WorkerConfig:
    zone = settings.notify_timezone or load_business_hours(settings.business_hours_file).timezone.key
    return WorkerConfig(
        quiet_hours=QuietHours.parse(settings.notify_quiet_hours, zone),
        whatsapp_template=settings.notify_whatsapp_template_sid,
        web_session_days=settings.notify_web_session_days,
        poll_seconds=settings.notify_poll_seconds,
        shop_name=settings.shop_name,
    )


async def serve(settings: Settings) -> None:
    config = worker_config(settings)
    shop = Shop.open(ShopConfig(settings.database_url, settings.policy_file,
                                notify_default_opt_in=settings.notify_default_opt_in))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with RasaApi(settings.rasa_url, settings.rasa_auth_token) as rasa:
            worker = NotificationWorker(shop.outbox, shop.notification_preferences, rasa, config)
            await worker.run(stop, sweep=shop.fulfilment.flag_overdue)
    finally:
        shop.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m assistant.notifications",
                                     description="Deliver proactive order updates from the outbox.")
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()
    asyncio.run(serve(get_settings()))


if __name__ == "__main__":
    main()
