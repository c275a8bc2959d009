"""Pictures for the benchmark report: ours against each baseline, and latency percentiles."""
from __future__ import annotations

from pathlib import Path


def _get(data: dict, path: str):
    for key in path.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


RATIOS = [  # (label, report path of the ratio: ours over the baseline, higher is better)
    ("verification: batched / naive", "verification.ratio_batched_to_naive"),
    ("dashboards overview: raw GROUP BY / page", "dashboards.overview_ratio_raw_over_page_cached"),
    ("province drill-down: raw GROUP BY / page", "dashboards.province_ratio_raw_over_page_cached"),
    ("API overview: req/s over raw GROUP BY", "api.ratio_overview_over_raw_rps"),
    ("upload CSV: ours / django-import-export", "uploads.ratios.ours_csv_vs_import_export"),
    ("upload CSV: ours / raw COPY", "uploads.ratios.ours_csv_vs_raw_copy"),
]
LATENCIES = [  # (label, report path of a dict with p50_ms / p95_ms / p99_ms)
    ("overview page", "dashboards.overview_page_cached"),
    ("overview page, recomputed", "dashboards.overview_page_uncached"),
    ("province page", "dashboards.province_page_cached"),
    ("province page, recomputed", "dashboards.province_page_uncached"),
    ("API /stats/overview/ (wrk)", "api.overview"),
    ("API 100 pupils (wrk)", "api.pupils_page"),
]


def make_plots(report: dict, stem: Path) -> list[str]:
    """Write <stem>-ratios.png and <stem>-latency.png; return their paths (none without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    benchmarks = report["benchmarks"]
    written = []
    ratios = [(label, value) for label, path in RATIOS if isinstance(value := _get(benchmarks, path), (int, float))]
    if ratios:
        fig, ax = plt.subplots(figsize=(8, 0.5 * len(ratios) + 1.2))
        ax.barh([r[0] for r in ratios], [r[1] for r in ratios], color="#0d6efd")
        ax.set_xscale("log")
        ax.axvline(1, color="grey", linewidth=0.8)
        for y, (_, value) in enumerate(ratios):
            ax.text(value, y, f" {value:,.1f}×", va="center")
        ax.set_title("Ours against the baseline measured in the same run (log scale)")
        fig.tight_layout()
        path = Path(f"{stem}-ratios.png")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(str(path))
    rows = [(label, data) for label, path in LATENCIES if isinstance(data := _get(benchmarks, path), dict)]
    if rows:
        fig, ax = plt.subplots(figsize=(8, 0.55 * len(rows) + 1.4))
        for offset, (key, colour) in enumerate((("p50_ms", "#198754"), ("p95_ms", "#fd7e14"), ("p99_ms", "#dc3545"))):
            values = [data.get(key) or 0 for _, data in rows]
            ax.barh([i + offset * 0.27 for i in range(len(rows))], values, height=0.25, color=colour,
                    label=key.replace("_ms", ""))
        ax.set_yticks([i + 0.27 for i in range(len(rows))], [r[0] for r in rows])
        ax.axvline(20, color="grey", linestyle="--", linewidth=0.8, label="20 ms target (pages)")
        ax.set_xlabel("milliseconds")
        ax.set_title("Latency percentiles at benchmark scale")
        ax.legend(loc="lower right")
        fig.tight_layout()
        path = Path(f"{stem}-latency.png")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(str(path))
    return written
