"""The map renderer, the server-rendered pages, their templates and static assets."""

from pathlib import Path

# The pages' own scripts and styles, served at /static by the composition root.
STATIC_DIR = Path(__file__).resolve().parent / "static"
