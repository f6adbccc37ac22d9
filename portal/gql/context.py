"""What a resolver sees: the caller, the operation's unit of work and the DataLoaders.

The unit of work is opened and ended by the endpoint (``portal.gql.endpoint``), one per operation:
read-only for queries, committed for a mutation that succeeded. Resolvers and services only flush.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.websockets import WebSocket

from portal.access import Principal
from portal.db import UnitOfWork
from portal.gql.limits import Limits
from portal.gql.loaders import Loaders

if TYPE_CHECKING:
    from portal.gql.subscriptions import Ticker


@dataclass
class Context:
    request: Request | WebSocket
    principal: Principal
    uow: UnitOfWork
    sessions: sessionmaker[Session]
    limits: Limits
    loaders: Loaders = field(init=False)
    connection_params: dict[str, Any] | None = None  # graphql-transport-ws connection_init payload
    ticker: Ticker | None = None  # the endpoint's outbox watcher (subscriptions)
    handler: Any = None  # the graphql-transport-ws connection handler, for WebSockets

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.session, self.principal)

    @property
    def session(self) -> Session:
        return self.uow.session

    def act_as(self, principal: Principal) -> None:
        """The caller authenticated later (a WebSocket, at connection_init): fresh loaders for it."""
        self.principal = principal
        self.loaders = Loaders(self.session, principal)
