"""X12 code tables shared by the envelope reader and the writers."""

from __future__ import annotations

__all__ = ["FUNCTIONAL_IDS"]

# Transaction set id -> functional identifier code (479) of the group that carries it.
FUNCTIONAL_IDS = {
    "850": "PO",
    "855": "PR",
    "856": "SH",
    "810": "IN",
    "997": "FA",
    "999": "FA",
    "860": "PC",
    "865": "CA",
    "214": "QM",
    "204": "SM",
    "990": "GF",
    "210": "IM",
    "940": "OW",
    "945": "SW",
    "846": "IB",
    "852": "PD",
    "837": "HC",
    "835": "HP",
    "270": "HS",
    "271": "HB",
    "276": "HR",
    "277": "HN",
    "834": "BE",
    "820": "RA",
    "861": "RC",
    "824": "AG",
    "864": "TX",
    "812": "CD",
    "180": "AN",
    "832": "SC",
    "830": "PS",
    "862": "SS",
    "875": "OG",
    "880": "GP",
    "816": "OR",
}
