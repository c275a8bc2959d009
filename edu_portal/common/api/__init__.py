"""The API base every records app's api/ package builds on: record viewsets with scope, strict query
parameters, keyset pages and upload-rule writes (base.py, pagination.py, importing.py), one error
shape (exceptions.py), JSON parsing, content negotiation and rate limits. It imports no app; the api
app (tokens, routing) plugs in through settings (API_SCOPE_RESOLVER, REST_FRAMEWORK)."""
