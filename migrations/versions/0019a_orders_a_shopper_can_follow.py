"""Orders a shopper can follow: parcel events by resi, delivery and problem reports, the address book

Revision ID: 0019a
Revises: 0019
Create Date: 2026-11-26 15:10:57

* tracking_events: one step of a parcel (from the Pos tracker, typed or imported by staff), once per order,
  moment and status;
* orders.delivered_at (the tracker said delivered; the order completes some days later) and
  orders.problem_reported_at (the shopper reported a problem: no completion by itself);
* saved_addresses: a customer's delivery addresses, one of them the default at checkout.

No batch operation touches `products` (its search triggers would be dropped on SQLite).
"""
import sqlalchemy as sa
from alembic import op

revision = '0019a'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('regency_code', sa.String(length=5), nullable=False),
    sa.Column('district_code', sa.String(length=8), nullable=False),
    sa.Column('street', sa.String(length=300), nullable=False),
    sa.Column('postal_code', sa.String(length=5), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_saved_addresses_district_code_districts')),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_saved_addresses_province_code_provinces')),
    sa.ForeignKeyConstraint(['regency_code'], ['regencies.code'], name=op.f('fk_saved_addresses_regency_code_regencies')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_addresses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_addresses'))
    )
    with op.batch_alter_table('saved_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_addresses_user_id'), ['user_id'], unique=False)

    op.create_table('tracking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('location', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("source IN ('pos_api', 'staff', 'import')", name=op.f('ck_tracking_events_source_known')),
    sa.CheckConstraint("status IN ('posted', 'in_transit', 'out_for_delivery', 'failed_attempt', 'delivered', 'returned')", name=op.f('ck_tracking_events_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tracking_events_created_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_tracking_events_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_events')),
    sa.UniqueConstraint('order_id', 'occurred_at', 'status', name='uq_tracking_events_once')
    )
    with op.batch_alter_table('tracking_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_events_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('problem_reported_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_delivered_at'), ['delivered_at'], unique=False)


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_delivered_at'))
        batch_op.drop_column('problem_reported_at')
        batch_op.drop_column('delivered_at')

    with op.batch_alter_table('tracking_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracking_events_order_id'))

    op.drop_table('tracking_events')
    with op.batch_alter_table('saved_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_addresses_user_id'))

    op.drop_table('saved_addresses')
