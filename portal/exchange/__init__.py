"""B2B exchange: profiles, the exchange ledger, inbound and outbound flows, and the mapping between
edi documents and the domain. Transports come from ``adapters``, codecs from ``edi``."""
