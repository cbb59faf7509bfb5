"""Articles and attachments read for the content checks (read once; text kept for content.error/privacy)."""

import sqlalchemy as sa
from alembic import op

revision = "0013_content_docs"
down_revision = "0006_item_extra"


def upgrade() -> None:
    op.create_table(
        "content_docs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url_hash", sa.String(length=40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("column_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_read", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("info", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_content_docs_unit_id_units")),
        sa.ForeignKeyConstraint(["column_id"], ["columns.id"], name=op.f("fk_content_docs_column_id_columns")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_docs")),
        sa.UniqueConstraint("url_hash", name=op.f("uq_content_docs_url_hash")),
    )
    with op.batch_alter_table("content_docs") as batch:
        batch.create_index("ix_content_docs_unit_read", ["unit_id", "read_at"], unique=False)


def downgrade() -> None:
    op.drop_table("content_docs")
