"""XML business documents: UBL 2.1 / Peppol BIS 3, CII / XRechnung, ZUGFeRD / Factur-X, openTRANS 2.1."""
