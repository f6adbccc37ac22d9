"""Notifications: outbox events and due occasions -> each user's inbox, and e-mail.

``notifier`` (the worker step ``notify_once``) with ``notices`` (what an event tells whom),
``recipients`` (who may be told, as they stand now) and ``delivery`` (the inbox rows);
``scheduler`` (time-based occasions), ``rules`` (what notifies whom, defaults per role, titles),
``queries`` (the inbox's read model), ``service`` (mark read, preferences), ``mail`` (the mail
outbox, its templates and the SMTP/folder transports), ``webhooks`` (signed webhooks per
organization)."""
