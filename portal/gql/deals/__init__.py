"""Deal registration (issue #18.3)."""
