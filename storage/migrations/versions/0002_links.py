"""Link checks: scans per site and scope, results per unique link with referrers, external OK cache."""
import sqlalchemy as sa
from alembic import op

revision = "0002_links"
down_revision = "0003_scoring"


def upgrade() -> None:
    op.create_table(
        "link_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("links", sa.Integer(), nullable=False),
        sa.Column("broken", sa.Integer(), nullable=False),
        sa.Column("info", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], name=op.f("fk_link_scans_run_id_crawl_runs")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_link_scans_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_scans")),
    )
    with op.batch_alter_table("link_scans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_scans_run_id"), ["run_id"], unique=False)
        batch_op.create_index("ix_link_scans_site_scope", ["site_id", "scope", "finished_at"], unique=False)

    op.create_table(
        "link_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on_homepage", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("error", sa.String(length=40), nullable=True),
        sa.Column("first_error", sa.String(length=40), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.String(length=2000), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("cached", sa.Boolean(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ref_count", sa.Integer(), nullable=False),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["scan_id"], ["link_scans.id"], name=op.f("fk_link_checks_scan_id_link_scans")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_link_checks_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_checks")),
    )
    with op.batch_alter_table("link_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_checks_scan_id"), ["scan_id"], unique=False)
        batch_op.create_index("ix_link_checks_site_url", ["site_id", "url"], unique=False)

    op.create_table(
        "link_ok_cache",
        sa.Column("url_hash", sa.String(length=40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("ok_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("url_hash", name=op.f("pk_link_ok_cache")),
    )


def downgrade() -> None:
    op.drop_table("link_ok_cache")
    with op.batch_alter_table("link_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_link_checks_site_url")
        batch_op.drop_index(batch_op.f("ix_link_checks_scan_id"))
    op.drop_table("link_checks")
    with op.batch_alter_table("link_scans", schema=None) as batch_op:
        batch_op.drop_index("ix_link_scans_site_scope")
        batch_op.drop_index(batch_op.f("ix_link_scans_run_id"))
    op.drop_table("link_scans")
