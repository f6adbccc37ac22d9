"""E-CRM partner and supplier portal."""
