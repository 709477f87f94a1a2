"""gunicorn settings for e-じゃん掛川: `gunicorn -c deploy/gunicorn.conf.py` (docs/operations.md).

Every number can be changed from the environment (the systemd unit's env file) without editing this.
"""
import json
import os
import shutil

wsgi_app = "ejan:create_app()"
bind = os.environ.get("EJAN_BIND", "127.0.0.1:8000")

# Sync workers: a page is CPU (templates) and short database waits. Two per core plus one keeps the
# cores busy while some workers wait on PostgreSQL; the cores this process may use, not the host's.
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
workers = int(os.environ.get("EJAN_WEB_WORKERS", 2 * cores + 1))
worker_class = "sync"

# A request longer than this is stuck (the slowest page takes well under a second): the worker is
# replaced. Photo uploads arrive through nginx, which buffers the whole body before passing it on.
timeout = int(os.environ.get("EJAN_WEB_TIMEOUT", 30))
# On `systemctl reload` (HUP) or stop (TERM) a worker finishes its request within this time.
graceful_timeout = 30
keepalive = 5  # nginx keeps connections to us open (upstream keepalive)
# Workers are replaced now and then, so a slow leak never grows into an outage; the jitter keeps
# them from all restarting at once.
max_requests = 5000
max_requests_jitter = 500
# Not preloaded: a HUP then loads the new code in the new workers (graceful reload on deploy).
preload_app = False

# Logs: one JSON line per request on stdout (journald or the container log takes it), credentials
# scrubbed by the logger class (ejan/ops/gunicorn_logging.py); the app's own lines go to stderr.
accesslog = os.environ.get("EJAN_ACCESS_LOG", "-")
errorlog = os.environ.get("EJAN_ERROR_LOG", "-")
logger_class = "ejan.ops.gunicorn_logging.ScrubbingLogger"
access_log_format = json.dumps({
    "ts": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "query": "%(q)s",
    "status": "%(s)s", "bytes": "%(B)s", "ms": "%(M)s", "referer": "%(f)s", "ua": "%(a)s",
})


# Prometheus multiprocess mode: with PROMETHEUS_MULTIPROC_DIR set, every worker writes its counters
# to files there and /metrics adds them up. The directory is emptied at start (old workers' files
# would count twice) and a dead worker's gauges are dropped.
def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
