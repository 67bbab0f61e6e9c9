"""The order tasks, as the action server sees them (the list itself: ``assistant.shop.commerce.order_tasks``)."""
from assistant.shop.commerce.order_tasks import ORDER_TASKS

__all__ = ["ORDER_TASKS"]
