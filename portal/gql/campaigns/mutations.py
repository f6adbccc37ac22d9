"""The campaign and segment mutations: thin, decode ids, call one service, return a payload."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.access import Principal
from portal.campaigns import service as campaigns
from portal.db import UnitOfWork
from portal.gql.base import mutation, opt_pk, pk, reload, run
from portal.gql.campaigns.inputs import (
    CampaignInput,
    DeleteSegmentInput,
    RecountCampaignInput,
    SaveSegmentInput,
    UpdateCampaignInput,
)
from portal.gql.campaigns.types import Campaign, Segment
from portal.gql.customers.inputs import customer_query
from portal.gql.errors import UserError
from portal.gql.ids import encode_id


def _fields(given: CampaignInput) -> campaigns.CampaignFields:
    return campaigns.CampaignFields(
        name=given.name,
        starts_on=given.starts_on,
        ends_on=given.ends_on,
        channel=given.channel.value,
        budget=given.budget,
        description=given.description,
        segment_id=opt_pk(given.segment, "Segment", "segment"),
    )


@strawberry.type
class CampaignPayload:
    campaign: Campaign | None
    user_errors: list[UserError]


@strawberry.type
class SegmentPayload:
    segment: Segment | None
    user_errors: list[UserError]


@strawberry.type
class DeleteSegmentPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


def _payload(info: strawberry.Info, ident: int | None, errors: list[UserError]) -> CampaignPayload:
    return CampaignPayload(campaign=reload(info, m.Campaign, Campaign, ident), user_errors=errors)


@strawberry.type
class CampaignsMutation:
    @mutation(description="Create a campaign (marketing: the owner's sales staff and admins).")
    def create_campaign(self, info: strawberry.Info, input: CampaignInput) -> CampaignPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return campaigns.create_campaign(uow=uow, principal=p, values=_fields(input)).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(description="Change a campaign; every field is replaced (a new segment is counted at once).")
    def update_campaign(self, info: strawberry.Info, input: UpdateCampaignInput) -> CampaignPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return campaigns.update_campaign(
                uow=uow,
                principal=p,
                campaign_id=pk(input.id, "Campaign", "campaign"),
                values=_fields(input.campaign),
                expected_version=input.expected_version,
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(description="Take a campaign's customers from its segment's filter again (marketing).")
    def recount_campaign(self, info: strawberry.Info, input: RecountCampaignInput) -> CampaignPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            campaign, _members = campaigns.recount_campaign(
                uow=uow, principal=p, campaign_id=pk(input.id, "Campaign", "campaign")
            )
            return campaign.id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(description="Save a filter of the customers list as a named segment (marketing).")
    def save_segment(self, info: strawberry.Info, input: SaveSegmentInput) -> SegmentPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return campaigns.save_segment(
                uow=uow, principal=p, name=input.name, query=customer_query(input.filter)
            ).id

        ident, errors = run(info, act)
        return SegmentPayload(segment=reload(info, m.Segment, Segment, ident), user_errors=errors)

    @mutation(description="Delete a segment; its campaigns keep its name, filter and customers (marketing).")
    def delete_segment(self, info: strawberry.Info, input: DeleteSegmentInput) -> DeleteSegmentPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return campaigns.delete_segment(
                uow=uow, principal=p, segment_id=pk(input.id, "Segment", "segment")
            ).id

        ident, errors = run(info, act)
        deleted = strawberry.ID(encode_id("Segment", ident)) if ident is not None else None
        return DeleteSegmentPayload(deleted_id=deleted, user_errors=errors)
