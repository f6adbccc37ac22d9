"""Organizations, the product catalogue, and an organization's users and API tokens."""
