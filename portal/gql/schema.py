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
from portal.gql.activities.mutations import ActivitiesMutation
from portal.gql.activities.queries import ActivitiesQuery
from portal.gql.campaigns.mutations import CampaignsMutation
from portal.gql.campaigns.queries import CampaignsQuery
from portal.gql.cases.mutations import CasesMutation
from portal.gql.cases.queries import CasesQuery
from portal.gql.customers.mutations import CustomersMutation
from portal.gql.customers.queries import CustomersQuery
from portal.gql.deals.mutations import DealsMutation
from portal.gql.deals.queries import DealsQuery
from portal.gql.exchange import ExchangeMutation, ExchangeQuery
from portal.gql.feed import FeedQuery
from portal.gql.invoicing.mutations import InvoicingMutation
from portal.gql.invoicing.upload import UploadMutation
from portal.gql.leads.mutations import LeadsMutation
from portal.gql.leads.queries import LeadsQuery
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
from portal.gql.nodes import NODE_CLASSES, NodeQuery
from portal.gql.notifications.queries import (
    NotificationsMutation,
    NotificationsQuery,
    NotificationsSubscription,
)
from portal.gql.opportunities.mutations import OpportunitiesMutation
from portal.gql.opportunities.queries import OpportunitiesQuery
from portal.gql.orders.mutations import OrdersMutation
from portal.gql.orders.queries import OrdersQuery
from portal.gql.partners.queries import PartnersQuery
from portal.gql.partners.users import AdminMutation, AdminQuery
from portal.gql.subscriptions import Subscription as ChangeSubscriptions
from portal.gql.tasks.mutations import TasksMutation
from portal.gql.tasks.queries import TasksQuery
from portal.gql.webhooks import WebhooksMutation, WebhooksQuery

CACHE_SIZE = 512


# One class per domain (portal/gql/<domain>/); the root types only put them together.
@strawberry.type(name="Query")
class Query(
    NodeQuery,
    OrdersQuery,
    CasesQuery,
    CustomersQuery,
    ActivitiesQuery,
    TasksQuery,
    OpportunitiesQuery,
    DealsQuery,
    LeadsQuery,
    CampaignsQuery,
    PartnersQuery,
    FeedQuery,
    ExchangeQuery,
    AdminQuery,
    NotificationsQuery,
    WebhooksQuery,
):
    pass


@strawberry.type(name="Mutation")
class Mutation(
    OrdersMutation,
    InvoicingMutation,
    UploadMutation,
    CasesMutation,
    ActivitiesMutation,
    TasksMutation,
    CustomersMutation,
    OpportunitiesMutation,
    DealsMutation,
    LeadsMutation,
    CampaignsMutation,
    ExchangeMutation,
    AdminMutation,
    NotificationsMutation,
    WebhooksMutation,
):
    pass


@strawberry.type(name="Subscription")
class Subscription(ChangeSubscriptions, NotificationsSubscription):
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
        types=list(NODE_CLASSES),
        extensions=extensions,
        # Suggestions ("Did you mean ...?") name schema fields: only where the schema is public anyway.
        config=StrawberryConfig(disable_field_suggestions=not introspection),
    )
    direct_resolvers(schema)
    return schema


def schema_sdl() -> str:
    """The schema in SDL, as committed in graphql/schema.graphql."""
    return build_schema().as_str() + "\n"
