"""Campaigns and segments (issue #18.5)."""
