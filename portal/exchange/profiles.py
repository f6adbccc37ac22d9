"""Exchange profiles: who sends us files, how we reach them, in which format."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters import FolderTransport, SftpSettings, SftpTransport, Transport
from portal.access import Principal, get_visible, organization_kinds, visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput
from portal.events import record
from portal.models import ExchangeProfile, Organization, OrgKind
from portal.partners.service import system_principal

TRANSPORTS = ("folder", "sftp")
OUTBOUND_FORMATS = ("edifact", "x12", "opentrans", "ubl")
# What becomes of an inbound e-invoice that breaks the rules of its scenario (portal.exchange.einvoices)
EINVOICE_POLICIES = ("reject", "accept")


def create_profile(
    *,
    uow: UnitOfWork,
    principal: Principal,
    organization_id: int,
    transport: str,
    settings: dict[str, Any],
    partner_id: str,
    our_id: str,
    format: str = "edifact",
    version: str | None = None,
    inbox: str = "out",
    outbox: str = "in",
    archive: str = "archive",
    partner_qualifier: str | None = None,
    our_qualifier: str | None = None,
    poll_seconds: int = 60,
    invalid_einvoices: str = "reject",
) -> ExchangeProfile:
    may.require(principal, may.can_manage_exchange_profiles(principal), "manage exchange profiles")
    org = get_visible(uow.session, principal, Organization, organization_id)
    if org.kind is OrgKind.OWNER:
        raise InvalidInput("organization", "exchange profiles are for partners, suppliers and dealers")
    if transport not in TRANSPORTS:
        raise InvalidInput("transport", f"use one of {', '.join(TRANSPORTS)}")
    if format not in OUTBOUND_FORMATS:
        raise InvalidInput("format", f"use one of {', '.join(OUTBOUND_FORMATS)}")
    if invalid_einvoices not in EINVOICE_POLICIES:
        raise InvalidInput("invalid_einvoices", f"use one of {', '.join(EINVOICE_POLICIES)}")
    if transport == "folder" and not settings.get("root"):
        raise InvalidInput("settings.root", "a folder profile needs a root folder")
    if transport == "sftp":
        for key in ("host", "username", "known_hosts"):
            if not settings.get(key):
                raise InvalidInput(
                    f"settings.{key}", "is required for SFTP (host keys are pinned, never learnt)"
                )
        if not settings.get("key_file") and not settings.get("password_env"):
            raise InvalidInput("settings.key_file", "configure a private key file (or a password variable)")
    for field, value in (("partner_id", partner_id), ("our_id", our_id)):
        if not value or len(value) > 35:
            raise InvalidInput(field, "an interchange id has 1 to 35 characters")
    profile = ExchangeProfile(
        organization_id=org.id,
        transport=transport,
        settings=settings,
        inbox=inbox,
        outbox=outbox,
        archive=archive,
        format=format,
        version=version,
        partner_id=partner_id,
        partner_qualifier=partner_qualifier,
        our_id=our_id,
        our_qualifier=our_qualifier,
        poll_seconds=poll_seconds,
        invalid_einvoices=invalid_einvoices,
    )
    uow.session.add(profile)
    uow.flush()
    record(
        uow,
        principal,
        "exchange.profile_created",
        "exchange_profile",
        profile.id,
        organization_id=org.id,
        transport=transport,
        format=format,
        invalid_einvoices=invalid_einvoices,
    )
    return profile


def list_profiles(session: Session, principal: Principal) -> list[ExchangeProfile]:
    return list(session.scalars(visible(principal, ExchangeProfile).order_by(ExchangeProfile.id)))


def enabled_profiles(session: Session) -> list[ExchangeProfile]:
    """Every enabled profile, for the worker (which acts for the owner)."""
    return list(
        session.scalars(
            select(ExchangeProfile).where(ExchangeProfile.enabled.is_(True)).order_by(ExchangeProfile.id)
        )
    )


def open_transport(profile: ExchangeProfile) -> Transport:
    settings = profile.settings
    if profile.transport == "folder":
        root = Path(settings["root"])
        root.mkdir(parents=True, exist_ok=True)  # the operator's configured place
        transport = FolderTransport(root)
        for sub in (profile.inbox, profile.outbox, profile.archive):
            transport.ensure_folder(sub)  # below the root: never through a symbolic link
        return transport
    password_env = settings.get("password_env")
    return SftpTransport(
        SftpSettings(
            host=settings["host"],
            port=int(settings.get("port", 22)),
            username=settings["username"],
            known_hosts=settings["known_hosts"],
            private_key=settings.get("key_file"),
            password=os.environ.get(password_env) if password_env else None,
            connect_timeout=float(settings.get("connect_timeout", 10)),
            operation_timeout=float(settings.get("operation_timeout", 30)),
        )
    )


def acting_principal(session: Session, profile: ExchangeProfile) -> Principal:
    """Files are applied as the sending organization: the same access policy as its users."""
    return organization_principal(session, profile.organization_id)


def organization_principal(session: Session, organization_id: int) -> Principal:
    """The organization itself as a member (a file applied as its sender, with or without a profile)."""
    org = session.get_one(Organization, organization_id)
    org_ids, supplier_ids = organization_kinds(session, org.id)
    return Principal(
        org_id=org.id,
        org_kind=org.kind,
        org_ids=org_ids,
        supplier_ids=supplier_ids,
        roles=frozenset({"member"}),
        name=f"EDI {org.slug}",
    )


def owner_principal(session: Session) -> Principal:
    return system_principal(session)
