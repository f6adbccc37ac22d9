"""Leads and their distribution to dealers (issue #18.2)."""
