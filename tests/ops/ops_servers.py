"""Real servers for the operations tests: gunicorn with the shipped config, a Redis of our own, nginx
with the shipped site. Each runs as this user on a free loopback port and is stopped by the test."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from support import wait_until  # noqa: F401  (the ops tests wait for their servers with it)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def get(url: str, headers: dict | None = None, timeout: float = 10):
    """(status, headers, body) without raising on 4xx/5xx and without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def app_env(database_url: str, tmp: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EJAN_", "PROMETHEUS_"))}
    env.update({
        "EJAN_DATABASE_URL": database_url,
        "EJAN_SECRET_KEY": "ops-test-secret-" + "x" * 32,
        "EJAN_MEDIA_DIR": str(tmp / "media"),
        "EJAN_BASE_URL": "http://ejan.test",
        "EJAN_PASSWORD_METHOD": "pbkdf2:sha256:1000",
        "PYTHONPATH": str(ROOT),
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextmanager
def gunicorn(env: dict, tmp: Path, workers: int = 2):
    """gunicorn -c deploy/gunicorn.conf.py; yields (base url, access log path, error log path)."""
    port = free_port()
    access, errors = tmp / "gunicorn-access.log", tmp / "gunicorn-error.log"
    env = {**env, "EJAN_BIND": f"127.0.0.1:{port}", "EJAN_WEB_WORKERS": str(workers),
           "EJAN_ACCESS_LOG": str(access), "EJAN_ERROR_LOG": str(errors)}
    # The app's own lines go to stderr: kept in a file of their own to be read.
    app_log = (tmp / "app.log").open("wb")
    process = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
                               cwd=ROOT, env=env, stdout=app_log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        if not wait_until(lambda: process.poll() is None and _healthy(url), 60):
            raise AssertionError(f"gunicorn did not start:\n{(tmp / 'app.log').read_text()}\n"
                                 f"{errors.read_text() if errors.exists() else ''}")
        yield url, access, errors
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        app_log.close()


def _healthy(url: str) -> bool:
    try:
        return get(url + "/healthz", timeout=2)[0] == 200
    except OSError:
        return False


class RedisServer:
    """A redis-server of our own, to stop and start again on the same port."""

    def __init__(self, tmp: Path):
        self.port, self.tmp, self.process = free_port(), tmp, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_until(lambda: answers(self.port), 10), "redis-server did not start"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        assert wait_until(lambda: not answers(self.port), 10)


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def nginx_conf(tmp: Path, *, upstream_port: int, http_port: int, https_port: int, media: Path) -> Path:
    """The shipped site with this machine's paths and ports, inside a minimal nginx.conf of our own."""
    certs = tmp / "certs"
    certs.mkdir(exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=ejan.test",
                    "-keyout", str(certs / "privkey.pem"), "-out", str(certs / "fullchain.pem")],
                   check=True, capture_output=True)
    logs = tmp / "logs"
    logs.mkdir(exist_ok=True)
    replacements = {
        "/srv/ejan/": f"{ROOT}/",
        "/var/lib/ejan/media/": f"{media}/",
        "/etc/ssl/ejan/": f"{certs}/",
        "/var/log/nginx/": f"{logs}/",
        "server 127.0.0.1:8000": f"server 127.0.0.1:{upstream_port}",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:80;": "",
        "listen [::]:443 ssl http2;": "",
    }
    for name in ("ejan.conf", "ejan-common.conf"):
        text = (ROOT / "deploy" / "nginx" / name).read_text()
        for old, new in replacements.items():
            text = text.replace(old, new)
        (tmp / name).write_text(text)
    # ejan.conf includes the common part by its (replaced) path in the checkout: point it at ours.
    site = (tmp / "ejan.conf").read_text().replace(f"{ROOT}/deploy/nginx/ejan-common.conf", str(tmp / "ejan-common.conf"))
    (tmp / "ejan.conf").write_text(site)
    temp = {name: tmp / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(f"""{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {logs}/main-error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp['client_body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    access_log off;
    include {tmp}/ejan.conf;
}}
""")
    return conf


@contextmanager
def nginx(conf: Path, tmp: Path, http_port: int):
    process = subprocess.Popen([nginx_binary(), "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        if not wait_until(lambda: process.poll() is None and answers(http_port), 15):
            raise AssertionError(f"nginx did not start: {process.stdout.read().decode() if process.poll() is not None else ''}")
        yield
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: finish requests, write the logs
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
