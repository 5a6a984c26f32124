"""A local Application Insights: the ingestion endpoint the Azure Monitor exporter posts to, durable storage, run views.

Layout (as moto's): `backend/` is the pure part (decoding, validation, storage, run trees), `wire/` the HTTP routes,
`views/` the HTML pages and the text tree of `show`.
"""
