"""Column items get an extra JSON field (成文日期, message reply status and dates)."""

import sqlalchemy as sa
from alembic import op

revision = "0006_item_extra"
down_revision = "0004_service"


def upgrade() -> None:
    with op.batch_alter_table("column_items") as batch:
        batch.add_column(sa.Column("extra", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("column_items") as batch:
        batch.drop_column("extra")
