"""Tools for developers, not the shop: the demo shop (`flask demo load`) and the benchmark (`make bench`).

Nothing in the shop imports from here; code here may commit, since each tool is its own use case.
"""
