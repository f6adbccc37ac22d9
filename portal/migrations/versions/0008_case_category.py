"""cases have a category

Revision ID: 0008
Revises: 0007

``category``: what a case is about (complaint, question, return, technical, other), filterable in
the portal's case list and the API. Existing cases become "other".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CATEGORIES = ("complaint", "question", "return", "technical", "other")


def upgrade() -> None:
    # Plain ADD COLUMN with a server default: SQLite does it in place (a batch copy of cases would
    # trip over the foreign keys that point at it).
    op.add_column(
        "cases",
        sa.Column(
            "category",
            sa.Enum(*CATEGORIES, name="casecategory", native_enum=False, length=24),
            nullable=False,
            server_default="other",
        ),
    )
    op.create_index(op.f("ix_cases_category"), "cases", ["category"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_cases_category"), table_name="cases")
    op.drop_column("cases", "category")
