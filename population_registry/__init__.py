"""A mock of the national population database's identity API (CSDL quốc gia về dân cư).

A separate ASGI service with its own process, port and data: its truth is
`demo_population.truth.citizen_for`, and it never reads the portal's database. It behaves like a
government data-exchange gateway: OAuth2 client credentials, latency, a per-client rate limit,
injected 5xx answers and timeouts, and a switch to take it down, all adjustable at run time through
an admin endpoint so that tests can turn them up. See openapi.yaml and docs/population_registry.md.
"""
