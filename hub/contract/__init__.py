"""The contract every layer shares: records (the unified model as plain values), errors (one
tree) and config. It imports nothing of the hub; connectors, storage and everything above
import it."""
