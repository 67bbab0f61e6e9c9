"""The shop's domain layer: plain Python over SQLAlchemy, no Rasa imports.

| module | what it does |
| --- | --- |
| ``db`` | engine (SQLite or PostgreSQL), sessions, table creation |
| ``models`` | customers, products, orders, order items, refunds, address changes, tickets |
| ``policy`` (+ ``policy.yml``) | refund, return, cancellation and shipping rules as validated config |
| ``address`` / ``countries`` | address validation per country and one-line parsing |
| ``orders`` | order ids from free text, look-ups, cancellation, address changes |
| ``verification`` | order number + email check before disclosure, attempt counting |
| ``refunds`` | eligibility, idempotent refund requests, refund status |
| ``views`` | frozen snapshots the services return (never ORM objects) |
| ``services`` | ``Shop.open()``: every service over one engine |
| ``seed`` / ``order_generator`` / ``sample_orders`` | demo data (``python -m actions.shop.seed``) |
"""
