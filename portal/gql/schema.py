"""The schema and its protections, assembled in one place."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from graphql import GraphQLError
from portal.db import failure_of
from portal.gql._strawberry import direct_resolvers
from portal.gql.admin import AdminMutation, AdminQuery
from portal.gql.exchange import ExchangeMutation, ExchangeQuery
from portal.gql.limits import (
    CostCache,
    CostLimit,
    ErrorPolicy,
    Limits,
    OneMutationPerOperation,
    TextGuard,
    coded,
    log,
    unexpected,
)
from portal.gql.mutations import Mutation as CoreMutation
from portal.gql.queries import Query as CoreQuery
from portal.gql.subscriptions import Subscription
from portal.gql.types import (
    Activity,
    Case,
    Contact,
    Customer,
    Invoice,
    Order,
    OrderLine,
    Organization,
    Product,
    Shipment,
)

CACHE_SIZE = 512


@strawberry.type(name="Query")
class Query(CoreQuery, ExchangeQuery, AdminQuery):
    pass


@strawberry.type(name="Mutation")
class Mutation(CoreMutation, ExchangeMutation, AdminMutation):
    pass


class PortalSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry hands every error list through here before returning it, including errors
        raised by extensions (parser cache, token limit), which no ``on_operation`` hook sees: so
        this is where each error gets its code (in place) and unexpected failures their log line."""
        for i, error in enumerate(errors):
            failure = failure_of(error.original_error) if error.original_error is not None else None
            if failure is not None:  # out of time, or the database away: the caller may retry
                log.warning("GraphQL operation failed: %s", error.message)
                errors[i] = GraphQLError(
                    failure.message,
                    nodes=error.nodes,
                    path=error.path,
                    original_error=failure,
                    extensions={"code": failure.code},
                )
            elif unexpected(error):
                log.error("GraphQL resolver failed: %s", error.message, exc_info=error.original_error)
        errors[:] = [coded(error) for error in errors]


def build_schema(limits: Limits | None = None, *, introspection: bool = True) -> PortalSchema:
    limits = limits or Limits()
    costs = CostCache(CACHE_SIZE)
    # Rule classes are made once: the validation cache is keyed by them.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
        OneMutationPerOperation,
    ]
    if not introspection:
        rules.extend(DisableIntrospection().validation_rules)
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        # First in the list, so its on_operation exit runs last: it sees every error.
        ErrorPolicy,
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        lambda: CostLimit(limits, costs),
        TextGuard,
    ]
    schema = PortalSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Order, OrderLine, Shipment, Invoice, Case, Customer, Contact, Activity, Product, Organization],
        extensions=extensions,
        # Suggestions ("Did you mean ...?") name schema fields: only where the schema is public anyway.
        config=StrawberryConfig(disable_field_suggestions=not introspection),
    )
    direct_resolvers(schema)
    return schema


def schema_sdl() -> str:
    """The schema in SDL, as committed in graphql/schema.graphql."""
    return build_schema().as_str() + "\n"
