"""Telling organizations about events: signed webhooks (`portal.notify.webhooks`)."""
