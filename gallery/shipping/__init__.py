"""Shipping: Indonesian regions, the Pos agency's tariff tables and the quote engine."""
