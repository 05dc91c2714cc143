"""Reports for people who read files, not GraphQL: the roadmap and the dependency graph as
Markdown, CSV, HTML, JSON, DOT and Mermaid, rendered from the API's own GraphQL documents
(``documents``), and the terminal summary that ``hub demo`` prints."""
