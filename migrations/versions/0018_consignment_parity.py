"""Consignment-shop parity: consignment terms and notices, markdowns and who bears them, portal visibility

Revision ID: 0018
Revises: 0016
Create Date: 2026-11-28 09:00:00

* consignment_terms (per producer; NULL follows the setting), lots.term_ends_on (existing lots: their
  receipt day + CONSIGNMENT_TERM_DAYS), lot_term_changes (extensions with their reason), consignment_notices
  (UNIQUE per lot, stage and term end: a notice goes out once whatever runs it);
* markdowns and markdown_steps; order lines keep their shelf price before a markdown (`list_price`, existing
  lines: their price) and the markdown's terms; an allocation's payout may never exceed its price (the
  commission never goes negative); statement lines keep a markdown sale's list price, base payout and bearer;
* portal_settings: what a producer sees (detailed or summary, commission and shelf price or payout only).

No batch operation touches `products` (its search triggers would be dropped on SQLite).
"""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None

WIB = ZoneInfo("Asia/Jakarta")


def _default_term_days() -> int:
    try:
        from flask import current_app

        return int(current_app.config.get("CONSIGNMENT_TERM_DAYS", 90))
    except RuntimeError:  # run outside the app
        return 90


def _wib_day(value) -> date:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(WIB).date()


def _create_tables():
    op.create_table(
        'consignment_terms',
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.Column('term_days', sa.Integer(), nullable=True),
        sa.Column('grace_days', sa.Integer(), nullable=True),
        sa.Column('end_action', sa.String(length=10), nullable=True),
        sa.Column('donation_consent_on', sa.Date(), nullable=True),
        sa.Column('markdown_consent_on', sa.Date(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('term_days IS NULL OR (term_days >= 1 AND term_days <= 730)',
                           name=op.f('ck_consignment_terms_term_in_range')),
        sa.CheckConstraint('grace_days IS NULL OR (grace_days >= 0 AND grace_days <= 365)',
                           name=op.f('ck_consignment_terms_grace_in_range')),
        sa.CheckConstraint("end_action IS NULL OR end_action IN ('return', 'donate')",
                           name=op.f('ck_consignment_terms_end_action_known')),
        sa.CheckConstraint("end_action IS NULL OR end_action <> 'donate' OR donation_consent_on IS NOT NULL",
                           name=op.f('ck_consignment_terms_donation_needs_consent')),
        sa.ForeignKeyConstraint(['producer_id'], ['producers.id'],
                                name=op.f('fk_consignment_terms_producer_id_producers')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_consignment_terms_updated_by_id_users')),
        sa.PrimaryKeyConstraint('producer_id', name=op.f('pk_consignment_terms')),
    )
    op.create_table(
        'lot_term_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=False),
        sa.Column('previous_end', sa.Date(), nullable=False),
        sa.Column('new_end', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_lot_term_changes_created_by_id_users')),
        sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_lot_term_changes_lot_id_lots')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lot_term_changes')),
    )
    op.create_index(op.f('ix_lot_term_changes_lot_id'), 'lot_term_changes', ['lot_id'], unique=False)
    op.create_table(
        'consignment_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=False),
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=12), nullable=False),
        sa.Column('term_ends_on', sa.Date(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('sent_to', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("stage IN ('ending', 'grace', 'past_grace')", name=op.f('ck_consignment_notices_stage_known')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_consignment_notices_created_by_id_users')),
        sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_consignment_notices_lot_id_lots')),
        sa.ForeignKeyConstraint(['producer_id'], ['producers.id'],
                                name=op.f('fk_consignment_notices_producer_id_producers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consignment_notices')),
        sa.UniqueConstraint('lot_id', 'stage', 'term_ends_on', name='uq_consignment_notices_lot_stage_term'),
    )
    op.create_index(op.f('ix_consignment_notices_lot_id'), 'consignment_notices', ['lot_id'], unique=False)
    op.create_index(op.f('ix_consignment_notices_producer_id'), 'consignment_notices', ['producer_id'], unique=False)
    op.create_table(
        'markdowns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('producer_id', sa.Integer(), nullable=True),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.Column('variant_id', sa.Integer(), nullable=True),
        sa.Column('bearer', sa.String(length=10), nullable=False),
        sa.Column('producer_share_bp', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('stopped_at', sa.DateTime(), nullable=True),
        sa.Column('stopped_by_id', sa.Integer(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('ageing', 'sale')", name=op.f('ck_markdowns_kind_known')),
        sa.CheckConstraint("bearer IN ('gallery', 'producer', 'shared')", name=op.f('ck_markdowns_bearer_known')),
        sa.CheckConstraint(
            "(bearer = 'gallery' AND producer_share_bp = 0) OR (bearer = 'producer' AND producer_share_bp = 10000)"
            " OR (bearer = 'shared' AND producer_share_bp > 0 AND producer_share_bp < 10000)",
            name=op.f('ck_markdowns_share_matches_bearer')),
        sa.CheckConstraint(
            "(CASE WHEN producer_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN category_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN variant_id IS NULL THEN 0 ELSE 1 END) = 1", name=op.f('ck_markdowns_one_scope')),
        sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_markdowns_ends_after_start')),
        sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_markdowns_category_id_categories')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_markdowns_created_by_id_users')),
        sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_markdowns_producer_id_producers')),
        sa.ForeignKeyConstraint(['stopped_by_id'], ['users.id'], name=op.f('fk_markdowns_stopped_by_id_users')),
        sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_markdowns_variant_id_variants')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_markdowns')),
    )
    for column in ('producer_id', 'category_id', 'variant_id'):
        op.create_index(op.f(f'ix_markdowns_{column}'), 'markdowns', [column], unique=False)
    op.create_table(
        'markdown_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('markdown_id', sa.Integer(), nullable=False),
        sa.Column('after_days', sa.Integer(), nullable=False),
        sa.Column('discount_bp', sa.Integer(), nullable=False),
        sa.CheckConstraint('after_days >= 0 AND after_days <= 3650', name=op.f('ck_markdown_steps_days_in_range')),
        sa.CheckConstraint('discount_bp > 0 AND discount_bp <= 9000', name=op.f('ck_markdown_steps_discount_in_range')),
        sa.ForeignKeyConstraint(['markdown_id'], ['markdowns.id'], ondelete='CASCADE',
                                name=op.f('fk_markdown_steps_markdown_id_markdowns')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_markdown_steps')),
        sa.UniqueConstraint('markdown_id', 'after_days', name='uq_markdown_steps_markdown_days'),
    )
    op.create_index(op.f('ix_markdown_steps_markdown_id'), 'markdown_steps', ['markdown_id'], unique=False)
    op.create_table(
        'portal_settings',
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.Column('detail', sa.String(length=10), nullable=True),
        sa.Column('shows_commission', sa.Boolean(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("detail IS NULL OR detail IN ('detailed', 'summary')",
                           name=op.f('ck_portal_settings_detail_known')),
        sa.ForeignKeyConstraint(['producer_id'], ['producers.id'], name=op.f('fk_portal_settings_producer_id_producers')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_portal_settings_updated_by_id_users')),
        sa.PrimaryKeyConstraint('producer_id', name=op.f('pk_portal_settings')),
    )


def _lot_terms():
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('term_ends_on', sa.Date(), nullable=True))
    bind = op.get_bind()
    days = _default_term_days()
    rows = bind.execute(sa.text("SELECT id, received_at FROM lots")).all()
    if rows:
        bind.execute(sa.text("UPDATE lots SET term_ends_on = :end WHERE id = :id"),
                     [{"id": lot_id, "end": _wib_day(received_at) + timedelta(days=days)}
                      for lot_id, received_at in rows])
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.alter_column('term_ends_on', existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f('ix_lots_term_ends_on'), ['term_ends_on'], unique=False)


def _order_markdowns():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_price', sa.Integer(), nullable=True))
    op.execute("UPDATE order_lines SET list_price = unit_price")
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.alter_column('list_price', existing_type=sa.Integer(), nullable=False)
        batch_op.add_column(sa.Column('markdown_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('markdown_bearer', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('markdown_bp', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('markdown_share_bp', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_order_lines_markdown_id_markdowns'), 'markdowns',
                                    ['markdown_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_order_lines_price_at_most_list'), 'unit_price <= list_price')
        batch_op.create_check_constraint(
            batch_op.f('ck_order_lines_markdown_bearer_known'),
            "markdown_bearer IS NULL OR markdown_bearer IN ('gallery', 'producer', 'shared')")
    with op.batch_alter_table('order_allocations', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_order_allocations_commission_not_negative'),
                                         'unit_payout >= 0 AND unit_payout <= unit_price')
    with op.batch_alter_table('settlement_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_price', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('base_payout', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('markdown_bearer', sa.String(length=10), nullable=True))


def upgrade():
    _create_tables()
    _lot_terms()
    _order_markdowns()


def downgrade():
    with op.batch_alter_table('settlement_lines', schema=None) as batch_op:
        batch_op.drop_column('markdown_bearer')
        batch_op.drop_column('base_payout')
        batch_op.drop_column('list_price')
    with op.batch_alter_table('order_allocations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_order_allocations_commission_not_negative'), type_='check')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_order_lines_markdown_bearer_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_order_lines_price_at_most_list'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_order_lines_markdown_id_markdowns'), type_='foreignkey')
        batch_op.drop_column('markdown_share_bp')
        batch_op.drop_column('markdown_bp')
        batch_op.drop_column('markdown_bearer')
        batch_op.drop_column('markdown_id')
        batch_op.drop_column('list_price')
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lots_term_ends_on'))
        batch_op.drop_column('term_ends_on')
    op.drop_table('portal_settings')
    op.drop_index(op.f('ix_markdown_steps_markdown_id'), table_name='markdown_steps')
    op.drop_table('markdown_steps')
    for column in ('variant_id', 'category_id', 'producer_id'):
        op.drop_index(op.f(f'ix_markdowns_{column}'), table_name='markdowns')
    op.drop_table('markdowns')
    op.drop_index(op.f('ix_consignment_notices_producer_id'), table_name='consignment_notices')
    op.drop_index(op.f('ix_consignment_notices_lot_id'), table_name='consignment_notices')
    op.drop_table('consignment_notices')
    op.drop_index(op.f('ix_lot_term_changes_lot_id'), table_name='lot_term_changes')
    op.drop_table('lot_term_changes')
    op.drop_table('consignment_terms')
