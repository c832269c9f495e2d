"""Domain-free helpers shared by every context: database binding, logging, code checks."""
