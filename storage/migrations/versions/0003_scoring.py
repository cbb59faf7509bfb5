"""Scoring: finding sightings, publications (公示) and appeals (复核)."""
import sqlalchemy as sa
from alembic import op

revision = "0003_scoring"
down_revision = "0001_initial"


def upgrade() -> None:
    op.create_table(
        "finding_sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], name=op.f("fk_finding_sightings_finding_id_findings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_sightings")),
        sa.UniqueConstraint("finding_id", "as_of", name=op.f("uq_finding_sightings_finding_id")),
    )
    op.create_index(op.f("ix_finding_sightings_finding_id"), "finding_sightings", ["finding_id"], unique=False)
    op.create_table(
        "publications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("html_path", sa.String(length=2000), nullable=True),
        sa.Column("xlsx_path", sa.String(length=2000), nullable=True),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
    )
    op.create_index(op.f("ix_publications_year"), "publications", ["year"], unique=False)
    op.create_table(
        "appeals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("finding_id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("publication_id", sa.String(length=32), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("previous_status", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], name=op.f("fk_appeals_finding_id_findings")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_appeals_unit_id_units")),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"], name=op.f("fk_appeals_publication_id_publications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    op.create_index("ix_appeals_status", "appeals", ["status"], unique=False)
    op.create_index(op.f("ix_appeals_finding_id"), "appeals", ["finding_id"], unique=False)
    op.create_index(op.f("ix_appeals_unit_id"), "appeals", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_appeals_unit_id"), table_name="appeals")
    op.drop_index(op.f("ix_appeals_finding_id"), table_name="appeals")
    op.drop_index("ix_appeals_status", table_name="appeals")
    op.drop_table("appeals")
    op.drop_index(op.f("ix_publications_year"), table_name="publications")
    op.drop_table("publications")
    op.drop_index(op.f("ix_finding_sightings_finding_id"), table_name="finding_sightings")
    op.drop_table("finding_sightings")
