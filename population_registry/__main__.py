"""python -m population_registry: serve the mock registry (POPULATION_REGISTRY_HOST/PORT)."""
import uvicorn

from .app import create_app
from .config import Config


def main() -> None:
    config = Config.from_env()
    # One process: the state (tokens, rate buckets, enrichment store, switches) lives in memory.
    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="warning",
                access_log=False, timeout_keep_alive=30)


if __name__ == "__main__":
    main()
