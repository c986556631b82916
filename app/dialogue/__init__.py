"""Question frames: what a message asks about (products, attribute, constraints) and how sure
the reading is, built from the classifier's event and the catalog (no Qt, no I/O)."""
