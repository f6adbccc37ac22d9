"""Opportunities and the sales pipeline (issue #18.4)."""
