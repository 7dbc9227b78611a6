"""Several engines on one PostgreSQL workspace: partitions, leases, fencing (README)."""
