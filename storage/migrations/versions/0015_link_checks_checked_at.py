"""An index on link_checks.checked_at: the daily link check reads the links confirmed broken by the run before."""

from alembic import op

revision = "0015_link_checks_checked_at"
down_revision = "0014_users"


def upgrade() -> None:
    with op.batch_alter_table("link_checks", schema=None) as batch_op:
        batch_op.create_index("ix_link_checks_checked_at", ["checked_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("link_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_link_checks_checked_at")
