"""Storage of the unified model: SQLAlchemy tables, engine set-up and batched upserts."""
