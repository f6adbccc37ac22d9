"""Access policy: a Principal (user or API token) turns into SQL filters per entity.

Every read in the portal starts from :func:`visible` or :func:`get_visible`; writes check the same
policy plus the principal's role. A lookup by id that the principal may not see behaves exactly
like a missing id.
"""

from portal.access.disclosure import (
    hidden_customer_has_vat_id,
    hidden_customer_matches,
    hidden_registration_matches,
)
from portal.access.policy import RULES, rule_for
from portal.access.principal import (
    Principal,
    TokenStanding,
    current_principal,
    descendant_ids,
    organization_kinds,
    organization_tree,
    principal_for_token,
    principal_for_user,
    standing_user,
    token_standing,
    user_principal,
)
from portal.access.queries import (
    entity_name,
    get_visible,
    load_by_ids,
    load_children,
    visible,
    visible_ids,
)
from portal.access.statements import remembered
from portal.access.tallies import (
    Scopes,
    case_tally_rule,
    in_scopes,
    invoice_tally_scopes,
    opportunity_tally_rule,
    order_tally_scopes,
)

__all__ = [
    "RULES",
    "Principal",
    "Scopes",
    "TokenStanding",
    "case_tally_rule",
    "current_principal",
    "descendant_ids",
    "entity_name",
    "get_visible",
    "hidden_customer_has_vat_id",
    "hidden_customer_matches",
    "hidden_registration_matches",
    "in_scopes",
    "invoice_tally_scopes",
    "load_by_ids",
    "load_children",
    "opportunity_tally_rule",
    "order_tally_scopes",
    "organization_kinds",
    "organization_tree",
    "principal_for_token",
    "principal_for_user",
    "remembered",
    "rule_for",
    "standing_user",
    "token_standing",
    "user_principal",
    "visible",
    "visible_ids",
]
