"""One router per resource, all thin over `api.service`."""
