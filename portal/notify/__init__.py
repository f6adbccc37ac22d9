"""Notifications: e-mail (`portal.notify.mail`), and what the notifier builds on it."""
