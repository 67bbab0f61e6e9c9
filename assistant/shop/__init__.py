"""The shop's backend: plain Python over SQLAlchemy, no Rasa and no aiohttp imports. The action server
and the support console are its two front ends; both open it with ``Shop.open(ShopConfig(...))``
(``assistant.shop.backend``) and get frozen views back, never ORM objects.

| package | what it holds |
| --- | --- |
| ``commerce`` | orders and order numbers, refunds, verification, addresses and countries, the policy (+ ``policy.yml``), the catalogue's live stock, customer cards, views |
| ``support`` | tickets, handoff rules, business hours (+ ``business_hours.yml``) and how they read, personal-data masking, channel identities, agent accounts |
| ``storage`` | engine and sessions, the tables, column types, the clock |
| ``demo`` | the demo shop's data: seed, order generator, demo tickets, sample orders |

This ``__init__`` imports nothing, so the Rasa venv can use the dependency-free modules
(``commerce.order_ids``, ``support.pii``) without SQLAlchemy 2.
"""
