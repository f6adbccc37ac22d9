"""The invoice workflow: review, disputes, payments, credit notes (issue #17.4 and 17.5)."""
