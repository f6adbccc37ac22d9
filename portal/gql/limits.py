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
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    value_from_ast_untyped,
)
from portal.config import Settings
from portal.entities import LIST_CAPS
from portal.errors import PortalError
from portal.gql._strawberry import core_schema
from portal.gql.errors import public_message

log = logging.getLogger("portal.gql")


DEFAULT_BODY_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    max_depth: int = 12
    max_tokens: int = 2500
    max_aliases: int = 20
    # PullOrders' page of 50 orders at 500 lines each costs about 351,000: the worst case it may cost.
    max_cost: int = 400_000
    list_size: int = 10  # assumed length of a list without first/last and without a cap in LIST_CAPS
    default_page: int = 20
    max_body_bytes: int = DEFAULT_BODY_BYTES
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
    max_attachment_bytes: int = 10 * 1024 * 1024  # addCaseAttachment, decoded: the portal's limit

    @classmethod
    def for_settings(cls, settings: Settings, **overrides: Any) -> Limits:
        """The server's limits: attachments as large as the portal takes (PORTAL_MAX_ATTACHMENT_BYTES),
        so the body may hold one base64-encoded (4/3 of its size) plus the operation."""
        attachment = settings.max_attachment_bytes
        body = max(DEFAULT_BODY_BYTES, (attachment + 2) // 3 * 4 + 64 * 1024)
        return cls(**{"max_attachment_bytes": attachment, "max_body_bytes": body, **overrides})


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
    ``ids``, or the list's cap in :data:`LIST_CAPS`, else ``Limits.list_size``). Arguments count
    with the values the operation will run with: given variables, the operation's defaults, the
    schema's defaults. Reported in ``extensions.cost``."""

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
        schema = core_schema(self.execution_context.schema)
        root = schema.get_root_type(op.operation)
        fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        if root is None:
            return 0
        return self._selection_cost(op.selection_set, root, fragments, _with_defaults(op, variables), set())

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
        schema = core_schema(self.execution_context.schema)
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
        child_type = get_named_type(definition.type)
        children = self._selection_cost(node.selection_set, child_type, fragments, variables, seen)
        if not children:
            return 1
        return 1 + self._multiplier(node, parent, definition, variables) * children

    def _multiplier(
        self, node: FieldNode, parent: GraphQLNamedType, definition: GraphQLField, variables: dict[str, Any]
    ) -> int:
        """How many objects the field may return: from the arguments' actual values (a variable's
        value, else its default in the operation, else the argument's default in the schema), or
        the list's cap."""
        given = {arg.name.value: arg.value for arg in node.arguments or ()}
        if "ids" in definition.args:
            ids = _value(given.get("ids"), variables, definition.args["ids"])
            return len(ids) if isinstance(ids, list) else 0
        sizes = [
            size
            for name in ("first", "last")
            if name in definition.args
            and isinstance(size := _value(given.get(name), variables, definition.args[name]), int)
        ]
        if sizes:
            return max(0, *sizes)
        if "first" in definition.args or "last" in definition.args:
            return self.limits.default_page  # neither given nor defaulted: the server's page size
        if parent.name.endswith("Connection") or parent.name in PAGED_TYPES:
            return 1  # edges, nodes, changes: the connection's first/last counted them already
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            return LIST_CAPS.get((parent.name, node.name.value), self.limits.list_size)
        return 1


# LIST_CAPS (portal.entities): the most items a plain list (no first/last) can hold. Lists of
# children with a bound take `first` (``portal.gql.base.children``); the lists not named there and
# without `first` (an order's shipments and invoices, a file's messages and links) have no enforced
# bound and count as ``Limits.list_size``: an estimate, not a bound.
# Object types that hold one page of a list paged by their field's first/last.
PAGED_TYPES = frozenset({"ChangeFeed"})


def _with_defaults(op: OperationDefinitionNode, variables: dict[str, Any]) -> dict[str, Any]:
    """The variables as the operation runs with them: the given values, else the defaults the
    operation declares (``query($n: Int = 100)`` runs with 100 when $n is not sent)."""
    values = dict(variables)
    for definition in op.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


def _value(node: Any, variables: dict[str, Any], argument: GraphQLArgument) -> Any:
    """An argument's value before execution: literal, variable, or the schema's default."""
    if node is None:
        default = argument.default_value
        return None if default is Undefined else default
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    return value_from_ast_untyped(node)


# --- text ---------------------------------------------------------------------------------------


class TextGuard(SchemaExtension):
    """A NUL character in any string input (a variable or a literal in the document) is refused
    before execution with ``INVALID_INPUT`` naming the input's path: databases refuse NUL in text,
    and a search filter would otherwise fail inside the database. (The services refuse it too,
    for the portal's forms: ``portal.validation.text``.)"""

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        path = _nul_path(ec.variables or {}, [])
        if path is None and ec.graphql_document is not None:
            op = get_operation_ast(ec.graphql_document, ec.operation_name)
            if op is not None:
                path = _literal_nul_path(op.selection_set, ec.graphql_document.definitions)
        if path is not None:
            field = ".".join(path)
            ec.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"{field}: must not contain NUL characters",
                        extensions={"code": "INVALID_INPUT", "field": path},
                    )
                ],
            )
        yield


def _nul_path(value: Any, path: list[str]) -> list[str] | None:
    """The path of the first string holding a NUL (iterative: variables may nest deeply)."""
    stack: list[tuple[Any, list[str]]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return where
        elif isinstance(item, dict):
            stack.extend((v, [*where, str(k)]) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((v, [*where, str(i)]) for i, v in reversed(list(enumerate(item))))
    return None


def _literal_nul_path(selection_set: SelectionSetNode | None, definitions: Any) -> list[str] | None:
    """The first literal string with a NUL among the arguments of the operation and its fragments."""
    nodes: list[Any] = [
        selection_set,
        *(d.selection_set for d in definitions if isinstance(d, FragmentDefinitionNode)),
    ]
    for node in nodes:
        for selection in getattr(node, "selections", None) or ():
            for argument in getattr(selection, "arguments", None) or ():
                found = _nul_path(value_from_ast_untyped(argument.value, {}), [argument.name.value])
                if found is not None:
                    return found
            found = _literal_nul_path(getattr(selection, "selection_set", None), ())
            if found is not None:
                return found
    return None


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


# --- errors -------------------------------------------------------------------------------------

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
        code, message = original.code, public_message(original)
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
    """Gives every error a code: domain errors keep their message, validation errors stay readable,
    unexpected resolver failures are masked (logged by the schema's ``process_errors``). The unit of
    work is not this extension's business: the endpoint opens it and ends it (``portal.gql.endpoint``)."""

    def on_operation(self) -> Iterator[None]:
        yield
        # Strawberry returns this very object: change it in place.
        result: Any = self.execution_context.result
        errors = list(getattr(result, "errors", None) or [])
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
