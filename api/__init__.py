"""The toc service: REST routes over the stored models, their store and their services."""

# Where every REST route lives; defined once, here, for the routes, the hot path and the root.
API_PREFIX = "/api/v1"
