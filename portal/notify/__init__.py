"""Notifications: outbox events and due occasions -> each user's inbox (and, once wired, e-mail).

``notifier`` (the worker step ``notify_once``), ``scheduler`` (time-based occasions), ``rules``
(what notifies whom, defaults per role, titles), ``queries`` (the inbox's read model), ``service``
(mark read, preferences)."""
