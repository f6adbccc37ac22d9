"""E-mail: a transactional outbox (``mail_outbox``) and the worker step that sends it.

``enqueue_mail`` renders a message in the recipient's language in the caller's unit of work (so a
mail exists exactly when the change that caused it is committed); ``send_mail_once``, a step of
the exchange worker, claims due messages, commits, sends them with no database transaction open,
and records the outcome. See docs/mail.md.
"""

from portal.notify.mail.outbox import enqueue_mail, mail_folder
from portal.notify.mail.sender import claim_due, send_mail_once

__all__ = ["claim_due", "enqueue_mail", "mail_folder", "send_mail_once"]
