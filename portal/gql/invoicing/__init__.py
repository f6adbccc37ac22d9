"""The invoice workflow's mutations: review, payments, disputes and credit notes (issue #17)."""
