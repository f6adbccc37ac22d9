"""Tasks: due on a day, assigned to a person of the organization, optionally on a customer."""
