"""Units of measure (UN/ECE Recommendation 20 codes, and the names people type) and what they allow."""

from __future__ import annotations

from decimal import Decimal

from portal.errors import InvalidInput

# Units counted in whole pieces: one, piece, each, pair, set, and the German "Stück".
PIECE_UNITS = frozenset({"C62", "H87", "PCE", "PCS", "PC", "EA", "PR", "SET", "STK", "ST"})
NOT_WHOLE = "must be a whole number for a unit counted in pieces"


def is_piece_unit(unit: str | None) -> bool:
    return (unit or "C62").strip().upper() in PIECE_UNITS


def check_quantity(field: str, unit: str | None, quantity: Decimal) -> Decimal:
    """Refuse a fractional quantity of a unit counted in pieces (1,5 pumps)."""
    if is_piece_unit(unit) and quantity != quantity.to_integral_value():
        raise InvalidInput(field, NOT_WHOLE)
    return quantity
