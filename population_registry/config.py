"""Configuration from the environment (POPULATION_REGISTRY_*), with mild defaults."""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

# The same default as the portal's settings (POPULATION_REGISTRY_POPULATION_FILE): the project's .local/.
DEFAULT_POPULATION_FILE = Path(__file__).resolve().parent.parent / ".local" / "population.csv.gz"


def _env(name: str, default, cast=str):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if cast is bool:
        return value.strip().lower() in ("1", "true", "yes", "on")
    return cast(value)


@dataclass
class Behaviour:
    """How the gateway misbehaves; every field can be changed at run time through /admin/behaviour."""

    latency_ms: float = 200.0          # added to every verify/enrichment request
    rate_limit_per_s: float = 50.0     # requests per second per client (token bucket); 0 = no limit
    rate_limit_burst: int = 50         # bucket size
    error_rate: float = 0.0            # share of requests answered 500/502/503
    timeout_rate: float = 0.0          # share of requests that hang for timeout_hang_s, then 504
    timeout_hang_s: float = 30.0
    down: bool = False                 # every request (token included) answered 503

    @classmethod
    def from_env(cls) -> Behaviour:
        return cls(
            latency_ms=_env("POPULATION_REGISTRY_LATENCY_MS", 200.0, float),
            rate_limit_per_s=_env("POPULATION_REGISTRY_RATE_LIMIT", 50.0, float),
            rate_limit_burst=_env("POPULATION_REGISTRY_RATE_BURST", 50, int),
            error_rate=_env("POPULATION_REGISTRY_ERROR_RATE", 0.0, float),
            timeout_rate=_env("POPULATION_REGISTRY_TIMEOUT_RATE", 0.0, float),
            timeout_hang_s=_env("POPULATION_REGISTRY_TIMEOUT_HANG_S", 30.0, float),
            down=_env("POPULATION_REGISTRY_DOWN", False, bool),
        )

    def update(self, changes: dict) -> list[str]:
        """Apply known fields from `changes`; return the names that were not understood."""
        known = {f.name: f.type for f in fields(self)}
        unknown = [k for k in changes if k not in known]
        casts = {"float": float, "int": int, "bool": bool}
        for name, value in changes.items():
            if name in known:
                cast = casts[str(known[name])]
                if cast is bool and isinstance(value, str):
                    value = value.strip().lower() in ("1", "true", "yes", "on")
                setattr(self, name, cast(value))
        return unknown

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8100
    client_id: str = "edu-portal"
    client_secret: str = "dev-registry-secret"  # noqa: S105 - local default, overridden by env
    admin_key: str = "dev-registry-admin"
    token_ttl_s: int = 3600
    seed: int = 2026
    max_batch: int = 1000
    # The population seed_demo wrote (demo_population.population): the statistics endpoint's truth.
    population_file: Path = DEFAULT_POPULATION_FILE
    behaviour: Behaviour = field(default_factory=Behaviour)

    @classmethod
    def from_env(cls) -> Config:
        return cls(
            host=_env("POPULATION_REGISTRY_HOST", "127.0.0.1"),
            port=_env("POPULATION_REGISTRY_PORT", 8100, int),
            client_id=_env("POPULATION_REGISTRY_CLIENT_ID", "edu-portal"),
            # The portal's POPULATION_API_CLIENT_SECRET is accepted too, so one variable can set both.
            client_secret=_env("POPULATION_REGISTRY_CLIENT_SECRET",
                               _env("POPULATION_API_CLIENT_SECRET", "dev-registry-secret")),
            admin_key=_env("POPULATION_REGISTRY_ADMIN_KEY", "dev-registry-admin"),
            token_ttl_s=_env("POPULATION_REGISTRY_TOKEN_TTL", 3600, int),
            seed=_env("DEMO_SEED", 2026, int),
            max_batch=_env("POPULATION_REGISTRY_MAX_BATCH", 1000, int),
            population_file=_env("POPULATION_REGISTRY_POPULATION_FILE", DEFAULT_POPULATION_FILE, Path),
            behaviour=Behaviour.from_env(),
        )
