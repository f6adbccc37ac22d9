"""The lead mutations: thin, decode ids, call one service, return a payload."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.access import Principal
from portal.db import UnitOfWork
from portal.errors import PossibleDuplicates
from portal.gql.base import ctx, mutation, opt_pk, pk, reload, run
from portal.gql.customers.types import Customer
from portal.gql.errors import UserError
from portal.gql.leads.inputs import (
    AnswerLeadInput,
    ConvertLeadInput,
    CreateLeadInput,
    DeclineLeadInput,
    DisqualifyLeadInput,
    LeadInput,
    ReassignLeadInput,
    SetTerritoryInput,
    UpdateLeadInput,
)
from portal.gql.leads.queries import territory_of
from portal.gql.leads.types import Lead, LeadImportError, Territory
from portal.gql.opportunities.types import Opportunity
from portal.leads import importing, territories
from portal.leads import service as leads
from portal.leads.distribution import open_leads

MAX_RETURNED = 100  # imported leads returned in the payload (all are imported)


def answer_hours(info: strawberry.Info) -> int | None:
    """The installation's answer window (``PORTAL_LEAD_ANSWER_HOURS``), from the app's settings."""
    settings = getattr(getattr(ctx(info).request.app, "state", None), "settings", None)
    return getattr(settings, "lead_answer_hours", None)


def _fields(given: LeadInput) -> leads.LeadFields:
    return leads.LeadFields(
        company=given.company,
        contact_name=given.contact_name,
        email=given.email,
        phone=given.phone,
        street=given.street,
        postal_code=given.postal_code,
        city=given.city,
        country_code=given.country_code,
        region=given.region,
        source=given.source,
        notes=given.notes,
    )


@strawberry.type
class LeadPayload:
    lead: Lead | None
    user_errors: list[UserError]


@strawberry.type
class ConvertLeadPayload:
    lead: Lead | None
    customer: Customer | None
    opportunity: Opportunity | None
    duplicates: list[Customer] = strawberry.field(
        description="With the DUPLICATE error: the look-alikes the caller may see (nothing was created)."
    )
    user_errors: list[UserError]


@strawberry.type
class ImportLeadsPayload:
    imported: int = strawberry.field(description="Leads imported (0 when ALL_OR_NOTHING met a bad row).")
    offered: int = strawberry.field(description="Of them, offered to a dealer at once.")
    bad_rows: int
    row_errors: list[LeadImportError] = strawberry.field(description="Each bad row's line and reason.")
    ignored_columns: list[str]
    leads: list[Lead] = strawberry.field(description=f"The imported leads (the first {MAX_RETURNED}).")
    user_errors: list[UserError] = strawberry.field(description="A problem with the file as a whole.")


@strawberry.type
class DistributeLeadsPayload:
    offered: int = strawberry.field(description="Leads of the queue now offered to a dealer.")
    waiting: int = strawberry.field(description="Leads still waiting (no territory with room covers them).")
    user_errors: list[UserError]


@strawberry.type
class TerritoryPayload:
    territory: Territory | None
    user_errors: list[UserError]


def _payload(info: strawberry.Info, ident: int | None, errors: list[UserError]) -> LeadPayload:
    return LeadPayload(lead=reload(info, m.Lead, Lead, ident), user_errors=errors)


@strawberry.type
class LeadsMutation:
    @mutation(
        description="Create a lead (marketing); it is offered to a dealer at once unless distribute is false."
    )
    def create_lead(self, info: strawberry.Info, input: CreateLeadInput) -> LeadPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return leads.create_lead(
                uow=uow,
                principal=p,
                values=_fields(input.lead),
                campaign_id=opt_pk(input.lead.campaign, "Campaign", "campaign"),
                distribute_now=input.distribute,
                answer_hours=answer_hours(info),
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(description="Change a lead's data (marketing); every field is replaced.")
    def update_lead(self, info: strawberry.Info, input: UpdateLeadInput) -> LeadPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return leads.update_lead(
                uow=uow,
                principal=p,
                lead_id=pk(input.id, "Lead", "lead"),
                values=_fields(input.lead),
                campaign_id=opt_pk(input.lead.campaign, "Campaign", "campaign"),
                expected_version=input.expected_version,
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(description="Accept a lead offered to your organization, before its answerDueAt.")
    def accept_lead(self, info: strawberry.Info, input: AnswerLeadInput) -> LeadPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return leads.accept_lead(
                uow=uow,
                principal=p,
                lead_id=pk(input.id, "Lead", "lead"),
                expected_version=input.expected_version,
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(
        description="Decline a lead offered to your organization, saying why; it goes on to the next dealer."
    )
    def decline_lead(self, info: strawberry.Info, input: DeclineLeadInput) -> LeadPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return leads.decline_lead(
                uow=uow,
                principal=p,
                lead_id=pk(input.id, "Lead", "lead"),
                reason=input.reason,
                expected_version=input.expected_version,
                answer_hours=answer_hours(info),
            ).id

        ident, errors = run(info, act)
        # the lead has left the dealer: null, as for any lead it does not see
        return _payload(info, ident, errors)

    @mutation(description="Give a lead to a dealer by hand, or run the distribution again (marketing).")
    def reassign_lead(self, info: strawberry.Info, input: ReassignLeadInput) -> LeadPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return leads.reassign_lead(
                uow=uow,
                principal=p,
                lead_id=pk(input.id, "Lead", "lead"),
                dealer_id=opt_pk(input.dealer, "Organization", "dealer"),
                expected_version=input.expected_version,
                answer_hours=answer_hours(info),
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(description="Give up on a lead, saying why (marketing).")
    def disqualify_lead(self, info: strawberry.Info, input: DisqualifyLeadInput) -> LeadPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return leads.disqualify_lead(
                uow=uow,
                principal=p,
                lead_id=pk(input.id, "Lead", "lead"),
                reason=input.reason,
                expected_version=input.expected_version,
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(
        description="Convert an accepted lead into a customer (new, shared with the dealer, or an existing"
        " one the dealer sees) and an opportunity in QUALIFICATION sold by the dealer, in one transaction."
    )
    def convert_lead(self, info: strawberry.Info, input: ConvertLeadInput) -> ConvertLeadPayload:
        found: list[int] = []

        def act(uow: UnitOfWork, p: Principal) -> int:
            try:
                return leads.convert_lead(
                    uow=uow,
                    principal=p,
                    lead_id=pk(input.id, "Lead", "lead"),
                    conversion=leads.Conversion(
                        opportunity_name=input.opportunity_name,
                        expected_close=input.expected_close,
                        customer_id=opt_pk(input.customer, "Customer", "customer"),
                        amount=input.amount,
                        allow_duplicates=input.create_despite_duplicates,
                    ),
                    expected_version=input.expected_version,
                ).id
            except PossibleDuplicates as exc:
                found.extend(exc.customer_ids)
                raise

        ident, errors = run(info, act)
        lead = reload(info, m.Lead, Lead, ident)
        loaders = ctx(info).loaders
        return ConvertLeadPayload(
            lead=lead,
            customer=loaders.customer.load(lead.customer_id) if lead and lead.customer_id else None,
            opportunity=loaders.opportunity.load(lead.opportunity_id)
            if lead and lead.opportunity_id
            else None,
            duplicates=loaders.by_ids(m.Customer, Customer, found) if found else [],
            user_errors=errors,
        )

    @mutation(
        description="Import leads from CSV text (UTF-8; ';' or ','; a header naming the columns in English or"
        " German; see docs/sales.md). Every bad row is reported with its line; ALL_OR_NOTHING imports nothing"
        " then, GOOD_ROWS the good ones. The imported leads are distributed at once."
    )
    def import_leads(
        self,
        info: strawberry.Info,
        csv: str,
        mode: importing.ImportMode = importing.ImportMode.ALL_OR_NOTHING,
    ) -> ImportLeadsPayload:
        result, errors = run(
            info,
            lambda uow, p: importing.import_leads(
                uow=uow, principal=p, text=csv, mode=mode, answer_hours=answer_hours(info)
            ),
        )
        if result is None:
            return ImportLeadsPayload(
                imported=0,
                offered=0,
                bad_rows=0,
                row_errors=[],
                ignored_columns=[],
                leads=[],
                user_errors=errors,
            )
        shown = ctx(info).loaders.by_ids(m.Lead, Lead, result.imported[:MAX_RETURNED])
        return ImportLeadsPayload(
            imported=len(result.imported),
            offered=result.offered,
            bad_rows=result.preview.bad_lines,
            row_errors=[
                LeadImportError(line=e.line, field=e.field or None, message=e.message)
                for e in result.preview.errors
            ],
            ignored_columns=result.preview.ignored_columns,
            leads=sorted(shown, key=lambda lead: lead.pk),
            user_errors=[],
        )

    @mutation(
        description="Run the distribution for marketing's queue (NEW and DECLINED leads, oldest first)."
    )
    def distribute_leads(self, info: strawberry.Info) -> DistributeLeadsPayload:
        found, errors = run(
            info, lambda uow, p: leads.distribute_queue(uow=uow, principal=p, answer_hours=answer_hours(info))
        )
        offered, waiting = found if found is not None else (0, 0)
        return DistributeLeadsPayload(offered=offered, waiting=waiting, user_errors=errors)

    @mutation(description="Set a dealer's territory and capacity for lead distribution (owner admins).")
    def set_lead_territory(self, info: strawberry.Info, input: SetTerritoryInput) -> TerritoryPayload:
        def act(uow: UnitOfWork, p: Principal) -> Territory:
            row = territories.set_territory(
                uow=uow,
                principal=p,
                organization_id=pk(input.organization, "Organization", "organization"),
                postal_ranges=input.postal_ranges,
                regions=input.regions,
                capacity=input.capacity,
                active=input.active,
                expected_version=input.expected_version,
            )
            return territory_of(row, open_leads(uow, [row.organization_id]).get(row.organization_id, 0))

        territory, errors = run(info, act)
        return TerritoryPayload(territory=territory, user_errors=errors)
