"""Partner inquiries and business-matching events (temu bisnis)."""
