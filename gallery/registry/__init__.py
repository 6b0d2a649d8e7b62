"""The regency's IKM registry (registered vs consigning producers) and its public statistics."""
