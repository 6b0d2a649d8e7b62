"""Consignment: lots, the stock ledger and the one answer to "how many can be sold"."""
