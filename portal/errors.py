"""Domain errors. Every transport (web, GraphQL, EDI) turns them into its own shape in one place.

The hierarchy::

    PortalError                base of every domain error
    ├── NotFound               the object does not exist, or the principal may not see it
    │                          (the two are indistinguishable on purpose)
    ├── PermissionDenied       the principal sees the object but its role may not do this
    ├── Unauthenticated        no valid credentials (missing, expired or revoked token)
    ├── Conflict               the object changed meanwhile (stale version) or a unique value is taken
    │   └── PossibleDuplicates a new customer looks like one that exists (go on only when told to)
    ├── InvalidInput           a field value is wrong; ``field`` names it
    │   └── InvalidFields      several fields are wrong at once; ``errors`` holds each one
    └── InvalidState           the action is not allowed in the object's current state
"""

from __future__ import annotations


class PortalError(Exception):
    code = "ERROR"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotFound(PortalError):
    code = "NOT_FOUND"

    def __init__(self, entity: str, ident: object) -> None:
        self.entity = entity
        self.ident = ident
        super().__init__(f"{entity} {ident} not found")


class PermissionDenied(PortalError):
    code = "PERMISSION_DENIED"


class Unauthenticated(PortalError):
    code = "UNAUTHENTICATED"


class Conflict(PortalError):
    code = "CONFLICT"


class PossibleDuplicates(Conflict):
    """Creating a customer that looks like an existing one: same VAT id, or a similar name at the
    same postal code. ``customer_ids`` are the look-alikes the principal may see; ``hidden_vat_id``
    says that a customer it may not see has the VAT id (nothing more about it). The caller shows them
    and may create the customer anyway."""

    code = "DUPLICATE"

    def __init__(self, customer_ids: list[int], numbers: list[str], *, hidden_vat_id: bool) -> None:
        self.customer_ids = customer_ids
        self.hidden_vat_id = hidden_vat_id
        parts = []
        if numbers:
            parts.append(f"this customer may already exist: {', '.join(numbers)}")
        if hidden_vat_id:
            parts.append("a customer with this VAT id exists; ask the owner's staff to share it")
        super().__init__("; ".join(parts) + "; create it anyway only if it is a different customer")


class InvalidInput(PortalError):
    code = "INVALID_INPUT"

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")
        self.detail = message


class InvalidFields(InvalidInput):
    """Several fields of one input are wrong: every one is reported (a form shows each at its field,
    GraphQL one ``userError`` each), not only the first. ``field`` and ``detail`` are the first's."""

    def __init__(self, errors: list[InvalidInput]) -> None:
        super().__init__(errors[0].field, errors[0].detail)
        self.errors = errors


class InvalidState(PortalError):
    code = "INVALID_STATE"

    def __init__(self, entity: str, state: str, action: str) -> None:
        self.entity = entity
        self.state = state
        self.action = action
        super().__init__(f"cannot {action} {entity} in state '{state}'")


class ServiceUnavailable(PortalError):
    """The database (or another service the portal needs) does not answer; retrying later may help."""

    code = "SERVICE_UNAVAILABLE"


class OperationTimeout(PortalError):
    """An operation ran past its deadline and was stopped."""

    code = "TIMEOUT"
