"""Customers (the owner's customer master, as far as shared) and their contacts."""
