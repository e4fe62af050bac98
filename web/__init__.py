"""The map renderer, the server-rendered pages, their templates and static assets."""
