"""The services: every read and write of stored theories of change, one module per resource.

Functions take a SQLModel `Session` and the id of the caller's workspace (from
`services.auth.Principal.workspace_id`); they know nothing of HTTP or HTML. Writes:

- bump the model's version exactly once, first, by an atomic
  `UPDATE ... SET version = version + 1 WHERE ... [AND version = expected]`: with
  `expected_version` given and stale, `VersionConflict` is raised and nothing changes;
- check what they change against the rest of the model (`services.changes`, `toc.edits`;
  a whole document is validated with `toc.document.parse_document`), so a write that breaks
  the toc/1 contract raises `DocumentRejected` (every problem, with its path) and changes
  nothing;
- keep the version they make, with its `note`, in the history, in the same transaction; a
  write that changes nothing undoes its bump and makes no version (`changed=False`);
- return the version the model is at (the `ETag` of the API).

Reports come from one pipeline (`services.reports.report`). A model another workspace owns
is simply not found (`NotFound`), never forbidden.
"""
