"""Bounds of an order, shared by the orders service (which enforces them) and the GraphQL cost model
(which multiplies by them)."""

from __future__ import annotations

MAX_LINES_PER_ORDER = 500
# The buyer's changes of one order (each a version, `portal.orders.changes`); past them the order is
# replaced by a new one. Its versions are the original, the changes and a cancellation at most.
MAX_CHANGES_PER_ORDER = 50
MAX_VERSIONS_PER_ORDER = MAX_CHANGES_PER_ORDER + 2
MAX_DELIVERIES = 12  # of a line split into several (schedule lines): past this, a new order
