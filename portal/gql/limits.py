"""Protection: cost limit, error policy (masking and codes), one mutation per operation, rate budget.

Depth, token and alias limits and the parser and validation caches are strawberry's own extensions,
assembled in :mod:`portal.gql.schema`; body size, in-flight cap and authentication sit in front of
strawberry, in :mod:`portal.gql.endpoint`.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from strawberry.extensions import SchemaExtension

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
)
from portal.db import translate_conflicts
from portal.errors import PortalError

log = logging.getLogger("portal.gql")


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 12
    max_tokens: int = 2500
    max_aliases: int = 20
    max_cost: int = 60_000
    list_size: int = 10  # assumed length of a list field without first/last (order lines, contacts...)
    default_page: int = 20
    max_body_bytes: int = 256 * 1024
    max_in_flight: int = 4  # per worker: more run slower for everyone (CPU-bound), so they queue
    max_queued: int = 64
    queue_timeout: float = 10.0
    rate_capacity: float = 600  # per principal: a burst of this many operations...
    rate_per_second: float = 20  # ...refilled at this rate
    poll_interval: float = 0.5  # subscriptions poll the outbox this often
    operation_timeout: float = 15.0  # seconds an operation may take (statement timeout, SQLite interrupt)
    max_ws_connections: int = 500  # per worker process
    max_ws_per_token: int = 10  # open graphql-transport-ws connections per API token or user
    max_subscriptions_per_token: int = 30  # across the token's connections (10 per connection at most)
    max_subscriptions: int = 2000  # per worker process


# --- cost ---------------------------------------------------------------------------------------


class CostCache:
    """Costs already computed, by query text, operation name and the variables a cost depends on
    (integers and list lengths): a document is walked once, not on every request."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._costs: OrderedDict[tuple[Any, ...], int] = OrderedDict()

    @staticmethod
    def key(query: str, operation_name: str | None, variables: dict[str, Any]) -> tuple[Any, ...]:
        shape = tuple(
            (name, value if isinstance(value, int) else len(value) if isinstance(value, list) else None)
            for name, value in sorted(variables.items())
        )
        return query, operation_name, shape

    def get(self, key: tuple[Any, ...]) -> int | None:
        cost = self._costs.get(key)
        if cost is not None:
            with suppress(KeyError):  # evicted meanwhile by another worker thread
                self._costs.move_to_end(key)
        return cost

    def put(self, key: tuple[Any, ...], cost: int) -> None:
        self._costs[key] = cost
        if len(self._costs) > self.maxsize:
            self._costs.popitem(last=False)


class CostLimit(SchemaExtension):
    """Computed before execution from the document and the variables: a field costs 1 plus its
    children; a list multiplies its children's cost by ``first``/``last`` (or the number of
    ``ids``, or ``Limits.list_size`` for plain lists). Reported in ``extensions.cost``."""

    def __init__(self, limits: Limits, cache: CostCache | None = None) -> None:
        self.limits = limits
        self.cache = cache or CostCache(1)
        self.cost: int | None = None

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        document = ec.graphql_document
        if document is not None:
            variables = ec.variables or {}
            key = CostCache.key(ec.query or "", ec.operation_name, variables)
            self.cost = self.cache.get(key)
            if self.cost is None:
                op = get_operation_ast(document, ec.operation_name)
                if op is not None:
                    self.cost = self._operation_cost(op, document.definitions, variables)
                    self.cache.put(key, self.cost)
            if self.cost is not None and self.cost > self.limits.max_cost:
                ec.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"the query costs {self.cost}, more than the limit of "
                            f"{self.limits.max_cost}; ask for smaller pages or fewer nested lists",
                            extensions={"code": "QUERY_TOO_COSTLY"},
                        )
                    ],
                )
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"requested": self.cost, "limit": self.limits.max_cost}}

    def _operation_cost(
        self, op: OperationDefinitionNode, definitions: Any, variables: dict[str, Any]
    ) -> int:
        schema = self.execution_context.schema._schema
        root = schema.get_root_type(op.operation)
        fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        if root is None:
            return 0
        return self._selection_cost(op.selection_set, root, fragments, variables, set())

    def _selection_cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        seen: set[str],
    ) -> int:
        if selection_set is None:
            return 0
        schema = self.execution_context.schema._schema
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field_cost(selection, parent, fragments, variables, seen)
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self._selection_cost(
                    selection.selection_set, target or parent, fragments, variables, seen
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = schema.get_type(fragment.type_condition.name.value) or parent
                total += self._selection_cost(
                    fragment.selection_set, target, fragments, variables, seen | {name}
                )
        return total

    def _field_cost(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        seen: set[str],
    ) -> int:
        fields = getattr(parent, "fields", None)
        definition = fields.get(node.name.value) if fields else None
        if definition is None:  # __typename and introspection
            return 1 if node.selection_set is None else 5
        args = {arg.name.value: arg.value for arg in node.arguments or ()}
        multiplier = 1
        for name in ("first", "last"):
            if name in args:
                multiplier = max(multiplier, _int(args[name], variables, self.limits.default_page))
        if "ids" in args:
            value = args["ids"]
            if isinstance(value, VariableNode):
                multiplier = len(variables.get(value.name.value) or ())
            elif isinstance(value, ListValueNode):
                multiplier = len(value.values)
        elif parent.name.endswith("Connection"):
            pass  # edges and nodes: the connection's first/last counted them already
        elif multiplier == 1 and isinstance(get_nullable_type(definition.type), GraphQLList):
            multiplier = self.limits.list_size
        elif multiplier == 1 and node.name.value in CONNECTION_FIELDS:
            multiplier = self.limits.default_page
        child_type = get_named_type(definition.type)
        children = self._selection_cost(node.selection_set, child_type, fragments, variables, seen)
        return 1 + multiplier * children


CONNECTION_FIELDS = frozenset(
    {
        "orders",
        "cases",
        "customers",
        "contacts",
        "activities",
        "shipments",
        "invoices",
        "products",
        "organizations",
    }
)


def _int(value: Any, variables: dict[str, Any], default: int) -> int:
    if isinstance(value, VariableNode):
        raw = variables.get(value.name.value)
        return raw if isinstance(raw, int) and raw >= 0 else default
    if isinstance(value, IntValueNode):
        return max(0, int(value.value))
    return default


# --- one mutation per operation -----------------------------------------------------------------


class OneMutationPerOperation(ValidationRule):
    """An operation is one unit of work: a second mutation field could not be undone on its own."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        if node.operation is OperationType.MUTATION and len(node.selection_set.selections) > 1:
            self.report_error(
                GraphQLError(
                    "send one mutation per operation: each operation is one unit of work",
                    node,
                    extensions={"code": "ONE_MUTATION_PER_OPERATION"},
                )
            )


# --- errors and the unit of work ----------------------------------------------------------------

_MESSAGE_CODES = (
    ("Document contains more than", "TOO_MANY_TOKENS"),
    ("Syntax Error", "GRAPHQL_PARSE_FAILED"),
    ("exceeds maximum operation depth", "QUERY_TOO_DEEP"),
    ("aliases found", "TOO_MANY_ALIASES"),
    ("introspection", "INTROSPECTION_DISABLED"),
    ("Variable '$", "BAD_USER_INPUT"),
    ("Argument '", "BAD_USER_INPUT"),
)


def unexpected(error: GraphQLError) -> bool:
    """A resolver failed for a reason that is not the caller's: mask it."""
    original = error.original_error
    return (
        error.path is not None
        and original is not None
        and not isinstance(original, PortalError | GraphQLError)
    )


def coded(error: GraphQLError) -> GraphQLError:
    if error.extensions and "code" in error.extensions:
        return error
    original = error.original_error
    if isinstance(original, PortalError):
        code, message = original.code, original.message
    elif unexpected(error):
        code, message = "INTERNAL_SERVER_ERROR", "Internal server error."
    else:
        message = error.message
        code = next((c for text, c in _MESSAGE_CODES if text in message), "GRAPHQL_VALIDATION_FAILED")
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={**(error.extensions or {}), "code": code},
    )


class ErrorPolicy(SchemaExtension):
    """Ends the operation's unit of work (commit a mutation that succeeded, roll back anything
    else), then gives every error a code: domain errors keep their message, validation errors stay
    readable, unexpected resolver failures are masked (logged by the schema's ``process_errors``)."""

    def on_operation(self) -> Iterator[None]:
        yield
        ec = self.execution_context
        # Strawberry returns this very object: change it in place.
        result: Any = ec.result
        context = ec.context
        errors = list(getattr(result, "errors", None) or [])
        if getattr(context, "wrote", False):
            session = context.session
            if errors:
                session.rollback()
            else:
                try:
                    with translate_conflicts():
                        session.commit()
                except PortalError as exc:
                    session.rollback()
                    result.data = None
                    result.errors = errors = [GraphQLError(exc.message, original_error=exc)]
        if errors:
            result.errors = [coded(error) for error in errors]


# --- rate budget --------------------------------------------------------------------------------


class RateBudget:
    """A token bucket per principal, per worker: ``capacity`` operations, refilled continuously."""

    def __init__(self, capacity: float, per_second: float) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str, now: float | None = None) -> float:
        """0 when the operation may run, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        level, stamp = self._buckets.get(key, (self.capacity, now))
        level = min(self.capacity, level + (now - stamp) * self.per_second)
        if level < 1:
            self._buckets[key] = (level, now)
            return (1 - level) / self.per_second
        self._buckets[key] = (level - 1, now)
        if len(self._buckets) > 10_000:  # forget idle principals
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 3600}
        return 0.0
