"""The root fields that are no domain's: ``viewer``, ``node`` and ``nodes``.

``node(id:)`` resolves every object type implementing ``Node`` whose name the entity catalogue
(``portal.entities``) knows: adding a type is enough, there is no list of node types to keep."""

from __future__ import annotations

from typing import Any, cast

import strawberry

# Every domain's types, so that each Node type exists before NODE_TYPES is derived.
import portal.gql.activities.types
import portal.gql.campaigns.types
import portal.gql.cases.types
import portal.gql.customers.types
import portal.gql.deals.types
import portal.gql.leads.types
import portal.gql.notifications.types
import portal.gql.opportunities.types
import portal.gql.orders.types
import portal.gql.tasks.types  # noqa: F401
from portal.entities import BY_TYPE_NAME
from portal.errors import InvalidInput
from portal.gql.base import Built, Node, ctx, field
from portal.gql.ids import decode_id
from portal.gql.partners.types import Organization


def _node_classes() -> list[type[Built]]:
    found: list[type[Built]] = []
    stack = list(Node.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if issubclass(cls, Built) and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda cls: cls.__name__)


NODE_CLASSES: tuple[type[Built], ...] = tuple(_node_classes())
# GraphQL type name -> (model, object type), for node(id:)
NODE_TYPES: dict[str, tuple[type[Any], type[Built]]] = {
    cls.__name__: (BY_TYPE_NAME[cls.__name__].model, cls)
    for cls in NODE_CLASSES
    if cls.__name__ in BY_TYPE_NAME
}


def load_nodes(info: strawberry.Info, global_ids: list[strawberry.ID]) -> list[Node | None]:
    """The objects behind global ids, in order, None where missing or hidden (the same thing):
    one scoped query per type asked for."""
    decoded = [decode_id(i) for i in global_ids]
    wanted: dict[str, set[int]] = {}
    for d in decoded:
        if d is not None and d[0] in NODE_TYPES:
            wanted.setdefault(d[0], set()).add(d[1])
    loaders = ctx(info).loaders
    found: dict[tuple[str, int], Node] = {}
    for type_name, pks in wanted.items():
        model, build = NODE_TYPES[type_name]
        for obj in loaders.by_ids(model, build, pks):
            found[type_name, obj.pk] = cast(Node, obj)
    return [None if d is None else found.get(d) for d in decoded]


@strawberry.type
class Viewer:
    kind: str = strawberry.field(description="USER or TOKEN")
    name: str
    roles: list[str]
    organization: Organization


@strawberry.type
class NodeQuery:
    @field(description="Who is calling: the user or API token, its organization and roles.")
    def viewer(self, info: strawberry.Info) -> Viewer:
        c = ctx(info)
        p = c.principal
        org = c.loaders.organization.load(p.org_id)
        assert org is not None
        return Viewer(
            kind="TOKEN" if p.token_id is not None else "USER",
            name=p.name,
            roles=sorted(p.roles),
            organization=org,
        )

    @field(description="Any object by its global id; null when it does not exist or is hidden.")
    def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        return load_nodes(info, [id])[0]

    @field(description="Several objects by global id, in the order asked; null where hidden.")
    def nodes(self, info: strawberry.Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > 100:
            raise InvalidInput("ids", "ask for at most 100 ids at once")
        return load_nodes(info, ids)
