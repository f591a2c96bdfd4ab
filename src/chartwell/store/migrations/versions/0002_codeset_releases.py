"""code-set releases: the registry and the artifact of each release

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 03:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('codeset_releases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('system', sa.String(length=20), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('effective_start', sa.Date(), nullable=False),
    sa.Column('effective_end', sa.Date(), nullable=True),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('artifact_sha256', sa.String(length=64), nullable=False),
    sa.Column('artifact_bytes', sa.Integer(), nullable=False),
    sa.Column('format_version', sa.Integer(), nullable=False),
    sa.Column('searchable', sa.Boolean(), nullable=False),
    sa.Column('installed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('installed_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codeset_releases')),
    sa.UniqueConstraint('system', 'version', name='uq_codeset_releases_system_version')
    )
    op.create_table('codeset_artifacts',
    sa.Column('release_id', sa.Uuid(), nullable=False),
    sa.Column('compression', sa.String(length=10), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['codeset_releases.id'],
                            name=op.f('fk_codeset_artifacts_release_id_codeset_releases'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('release_id', name=op.f('pk_codeset_artifacts'))
    )


def downgrade() -> None:
    op.drop_table('codeset_artifacts')
    op.drop_table('codeset_releases')
