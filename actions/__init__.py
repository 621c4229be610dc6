"""Use cases that cross apps: each writes through the domain apps' services in one
transaction and tells whoever must hear of it (followers, webhooks, the page cache, the audit
log). Views, API views and tasks call these; no domain app imports this package."""
