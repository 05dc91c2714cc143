"""Read-side views over the unified model, shared by the GraphQL API, reports and the CLI."""
