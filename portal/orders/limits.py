"""Bounds of an order, shared by the orders service (which enforces them) and the GraphQL cost model
(which multiplies by them)."""

from __future__ import annotations

MAX_LINES_PER_ORDER = 500
