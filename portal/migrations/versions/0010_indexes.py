"""indexes for every sort and for text search

Revision ID: 0010
Revises: 0009

Issue #15. Every list pages by ``(sort, id) > (:value, :id)``: an index ``(sort column, id)`` per
sort of every list, and ``(dealer_id | supplier_id | organization_id, sort column, id)`` where a
dealer's, supplier's or partner's list is filtered by that column (``portal.models.base.sort_indexes``).

Text search (``portal.models.search``): on PostgreSQL the pg_trgm extension (created here when
missing; when it cannot be, the upgrade goes on without the trigram indexes and says so in the
log) and a GIN index on ``lower(column)`` per searched column; on SQLite an FTS5 trigram table per
searched table, kept by triggers, filled from the existing rows.
"""

from __future__ import annotations

from alembic import op

from portal.models.search import create_search_objects, drop_search_objects

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# (name, table, columns), as the models declare them when this migration was written
SORT_INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ('ix_customers_created_at_id', 'customers', ('created_at', 'id')),
    ('ix_customers_name_id', 'customers', ('name', 'id')),
    ('ix_customers_updated_at_id', 'customers', ('updated_at', 'id')),
    ('ix_organizations_name_id', 'organizations', ('name', 'id')),
    ('ix_contacts_created_at_id', 'contacts', ('created_at', 'id')),
    ('ix_contacts_last_name_id', 'contacts', ('last_name', 'id')),
    ('ix_exchange_records_created_at_id', 'exchange_records', ('created_at', 'id')),
    ('ix_exchange_records_organization_id_created_at_id', 'exchange_records', ('organization_id', 'created_at', 'id')),
    ('ix_orders_created_at_id', 'orders', ('created_at', 'id')),
    ('ix_orders_dealer_id_created_at_id', 'orders', ('dealer_id', 'created_at', 'id')),
    ('ix_orders_dealer_id_number_id', 'orders', ('dealer_id', 'number', 'id')),
    ('ix_orders_dealer_id_order_date_id', 'orders', ('dealer_id', 'order_date', 'id')),
    ('ix_orders_dealer_id_updated_at_id', 'orders', ('dealer_id', 'updated_at', 'id')),
    ('ix_orders_order_date_id', 'orders', ('order_date', 'id')),
    ('ix_orders_supplier_id_created_at_id', 'orders', ('supplier_id', 'created_at', 'id')),
    ('ix_orders_supplier_id_number_id', 'orders', ('supplier_id', 'number', 'id')),
    ('ix_orders_supplier_id_order_date_id', 'orders', ('supplier_id', 'order_date', 'id')),
    ('ix_orders_supplier_id_updated_at_id', 'orders', ('supplier_id', 'updated_at', 'id')),
    ('ix_orders_updated_at_id', 'orders', ('updated_at', 'id')),
    ('ix_products_name_id', 'products', ('name', 'id')),
    ('ix_users_name_id', 'users', ('name', 'id')),
    ('ix_activities_created_at_id', 'activities', ('created_at', 'id')),
    ('ix_activities_occurred_at_id', 'activities', ('occurred_at', 'id')),
    ('ix_cases_created_at_id', 'cases', ('created_at', 'id')),
    ('ix_cases_sla_due_at_id', 'cases', ('sla_due_at', 'id')),
    ('ix_cases_updated_at_id', 'cases', ('updated_at', 'id')),
    ('ix_invoices_created_at_id', 'invoices', ('created_at', 'id')),
    ('ix_invoices_issue_date_id', 'invoices', ('issue_date', 'id')),
    ('ix_invoices_number_id', 'invoices', ('number', 'id')),
    ('ix_invoices_supplier_id_created_at_id', 'invoices', ('supplier_id', 'created_at', 'id')),
    ('ix_invoices_supplier_id_issue_date_id', 'invoices', ('supplier_id', 'issue_date', 'id')),
    ('ix_shipments_created_at_id', 'shipments', ('created_at', 'id')),
    ('ix_shipments_number_id', 'shipments', ('number', 'id')),
    ('ix_shipments_shipped_on_id', 'shipments', ('shipped_on', 'id')),
    ('ix_shipments_supplier_id_created_at_id', 'shipments', ('supplier_id', 'created_at', 'id')),
    ('ix_shipments_supplier_id_shipped_on_id', 'shipments', ('supplier_id', 'shipped_on', 'id')),

)

# table -> searched columns, as portal.models.search.SEARCHED had them when this was written
SEARCHED: dict[str, tuple[str, ...]] = {
    "orders": ("number", "delivery_name", "customer_reference"),
    "shipments": ("number", "tracking_number"),
    "invoices": ("number",),
    "customers": ("name", "number", "city", "vat_id"),
    "contacts": ("first_name", "last_name", "email"),
    "cases": ("number", "subject"),
    "products": ("sku", "name", "gtin"),
    "organizations": ("name", "slug"),
    "users": ("name", "email"),
    "exchange_records": ("filename", "message_type", "interchange_ref"),
}


def upgrade() -> None:
    for name, table, columns in SORT_INDEXES:
        op.create_index(name, table, list(columns), unique=False)
    create_search_objects(op.get_bind(), SEARCHED)


def downgrade() -> None:
    drop_search_objects(op.get_bind(), SEARCHED)
    for name, table, _columns in reversed(SORT_INDEXES):
        op.drop_index(name, table_name=table)
