"""The composition root: builds the one app from the service and the pages, and holds the CLI."""
