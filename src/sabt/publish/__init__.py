"""The public memorial: a static site (and the server's memorial pages) of what may be published.

Pure site assembly: `model` (what a page shows), `site` (pages and assets as bytes), `search`
(the name index and its ranking, shared with the browser's script). What may be published is
decided by `sabt.policy.publication`; the service `ws.publish` collects it and writes the site.
"""
