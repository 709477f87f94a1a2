"""Running the site for real: health and readiness, scrubbed one-line logs, metrics, check-config."""
