"""The caller's inbox in the API: the ``notifications`` connection, ``markNotificationsRead`` and
the ``notifications`` subscription."""
