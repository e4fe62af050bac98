"""The services: every read and write of stored theories of change, one module per resource.

Functions take a SQLModel `Session` and the id of the caller's workspace (from
`services.auth.Principal.workspace_id`); they know nothing of HTTP or HTML. Writes:

- build the would-be document and validate it with `toc.document.parse_document`, so a write
  that breaks the toc/1 contract raises `DocumentRejected` (every problem, with its path)
  and changes nothing;
- bump the model's version exactly once, in the same transaction, by an atomic
  `UPDATE ... SET version = version + 1 WHERE ... [AND version = expected]`: with
  `expected_version` given and stale, `VersionConflict` is raised and nothing changes;
- return the new version (the `ETag` of the API).

A model another workspace owns is simply not found (`NotFound`), never forbidden.
"""
