"""Orders with their lines, ship notices (shipments) and invoices."""
