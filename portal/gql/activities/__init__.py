"""Activities on customers."""
