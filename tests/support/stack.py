"""The real stack on free ports: Rasa, the action server, the service center and the 12368 fallback, with a private var/
folder, so tests and benchmarks never touch a developer's running `make run`. Used by tests/e2e and bench/."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
RASA_VENV = ROOT / ".venv-rasa" / "bin"
SVC_VENV = ROOT / ".venv-svc" / "bin"
START_TIMEOUT = float(os.environ.get("E2E_START_TIMEOUT", "240"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# What the stack's hotline checks Twilio signatures against (tests/support/twilio_caller.py signs with it).
TWILIO_AUTH_TOKEN = "e2e-twilio-auth-token"

class Stack:
    """The three processes, with helpers to talk to them as a channel would."""

    def __init__(self, workdir: Path, endpoints: str = "endpoints.yml", extra_env: dict | None = None):
        self.workdir = workdir
        self.endpoints = endpoints
        self.rasa_port, self.actions_port, self.service_port = free_port(), free_port(), free_port()
        self.fallback_port = free_port()  # the 12368 fallback's own process
        self.fallback_url = f"http://127.0.0.1:{self.fallback_port}"
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.actions_url = f"http://127.0.0.1:{self.actions_port}"
        self.service_url = f"http://127.0.0.1:{self.service_port}"
        self.internal_secret = "e2e-internal-secret-0123456789abcdef"
        self.staff_password = "e2e-staff-password"
        self.staff_token = ""  # a 管理员's personal API token, created by start()
        # The WeChat connector talks to a fake WeChat on this port (tests/support/fake_wechat.py, started by the
        # WeChat tests); the session secret lets tests forge expired tokens.
        self.wechat_port = free_port()
        self.wechat_session_secret = "e2e-wechat-session-secret-0123456789abcdef"
        self.env = {
            **os.environ,
            "RASA_PORT": str(self.rasa_port),
            "ACTIONS_PORT": str(self.actions_port),
            "ACTIONS_HOST": "127.0.0.1",
            "SERVICE_PORT": str(self.service_port),
            "RASA_URL": self.rasa_url,
            "ACTIONS_URL": self.actions_url,
            "SERVICE_URL": self.service_url,
            "HOTLINE_FALLBACK_PORT": str(self.fallback_port),
            "HOTLINE_FALLBACK_URL": self.fallback_url,
            "PUBLIC_BASE_URL": self.service_url,
            "RASA_TRACKER_DB": str(workdir / "tracker.db"),
            "DATABASE_URL": f"sqlite:///{workdir / 'service.db'}",
            # our processes' shared secret and the hotline's user-key salt (docs/security.md)
            "INTERNAL_SECRET": self.internal_secret,
            "HOTLINE_USER_KEY_SALT": "e2e-hotline-user-key-salt-0123456789",
            "RASA_CORS_ORIGINS": self.service_url,
            # the shared stack serves many tests from few numbers: the limits themselves are tested in tests/service
            "BOOKING_MAX_ACTIVE_PER_PHONE": "50",
            "BOOKING_PER_CLIENT_PER_DAY": "200",
            "VERIFICATION_CODES_PER_PHONE_PER_HOUR": "100",
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "HOTLINE_VALIDATE_SIGNATURE": "true",
            "TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN,
            # the hotline transfers to a (fake) staffed number at any hour, so calls can be tested any time
            "HOTLINE_TRANSFER_NUMBER": "+8643800012368",
            "HOTLINE_STAFFED_HOURS": "always",
            "WECHAT_API_BASE": f"http://127.0.0.1:{self.wechat_port}",
            "WECHAT_APP_ID": "wx-test-app-id",
            "WECHAT_APP_SECRET": "test-app-secret",
            "WECHAT_SESSION_SECRET": self.wechat_session_secret,
            "WECHAT_RATE_LIMIT": "20/60",
            "WECHAT_LOGIN_RATE_LIMIT": "300/60",
            # phone verification and 订阅消息 reminders (service_center/wechat/, through the connector)
            "WECHAT_REMINDER_TEMPLATE_ID": "fake-reminder-template-id",
            **(extra_env or {}),
        }
        self.processes: dict[str, subprocess.Popen] = {}

    # -- processes --
    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the process's life
        self.processes[name] = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_rasa(self) -> None:
        # `python -m rasa_server` is `rasa run` with the apology for an unreachable action server (as make run)
        self._spawn("rasa", [str(RASA_VENV / "python"), "-m", "rasa_server", "run", "--port", str(self.rasa_port),
                             "--credentials", "credentials.yml", "--endpoints", self.endpoints,
                             "--model", "models/court.tar.gz", "--cors", self.env["RASA_CORS_ORIGINS"]])

    def start(self) -> None:
        subprocess.run([str(SVC_VENV / "alembic"), "upgrade", "heads"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True)
        self.staff_token = self.create_staff("e2e-admin", "admin", token=True)
        self._spawn("service", [str(SVC_VENV / "uvicorn"), "service_center.main:app",
                                "--host", "127.0.0.1", "--port", str(self.service_port)])
        self._spawn("hotline_fallback", [str(SVC_VENV / "uvicorn"), "service_center.hotline.fallback_app:app",
                                         "--host", "127.0.0.1", "--port", str(self.fallback_port)])
        self._spawn("actions", [str(RASA_VENV / "rasa"), "run", "actions", "--port", str(self.actions_port),
                                "--actions", "actions"])
        self.start_rasa()
        self.wait_ready()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited early; see {self.workdir / (name + '.log')}")
            try:
                health = httpx.get(f"{self.service_url}/health", timeout=3).json()
                if health["status"] == "ok":
                    return
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            time.sleep(1)
        raise RuntimeError(f"stack not ready in {START_TIMEOUT}s; logs in {self.workdir}")

    def restart_rasa(self) -> None:
        self.stop_process("rasa")
        self.start_rasa()
        self.wait_ready()

    def stop_process(self, name: str) -> None:
        process = self.processes.pop(name)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        for name in list(self.processes):
            self.stop_process(name)

    # -- talking to the bot --
    def say(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        """One turn on Rasa's REST channel; returns the bot's messages."""
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook",
                              json={"sender": sender, "message": message}, timeout=timeout)
        response.raise_for_status()
        return response.json()

    @staticmethod
    def texts(messages: list[dict]) -> str:
        return "\n".join(m.get("text", "") for m in messages)

    def staff_headers(self) -> dict:
        return {"Authorization": f"Bearer {self.staff_token}"}

    def internal_headers(self) -> dict:
        """What actions and connectors send to the service center's internal endpoints."""
        return {"X-Internal-Token": self.internal_secret}

    def verified_phone(self, phone: str) -> str:
        """A verification id for `phone`, as the booking action registers a hotline caller id (no SMS code)."""
        response = httpx.post(f"{self.service_url}/api/verification/phone",
                              json={"phone": phone, "method": "caller_id"}, headers=self.internal_headers(), timeout=10)
        response.raise_for_status()
        return response.json()["verification_id"]

    def sms_code(self, phone_tail: str) -> str:
        """The latest one-time code sent to a number ending in `phone_tail`, read from the outbox (no Twilio here)."""
        import re

        messages = httpx.get(f"{self.service_url}/api/staff/outbox", headers=self.staff_headers(),
                             params={"limit": 50}, timeout=10).json()["messages"]
        body = next(m["body"] for m in messages if m["purpose"] == "verification_code" and m["to"].endswith(phone_tail))
        return re.search(r"验证码是(\d{6})", body).group(1)
    def create_staff(self, username: str, role: str, token: bool = False) -> str:
        """A staff account (password `staff_password`) made as `make staff-user` does; its API token if asked."""
        argv = [str(SVC_VENV / "python"), "-m", "service_center.staff.cli", username, role]
        done = subprocess.run(argv + (["--token", "e2e"] if token else []), cwd=ROOT, check=True,
                              capture_output=True, text=True, env={**self.env, "STAFF_PASSWORD": self.staff_password})
        return next((line.split(": ", 1)[1] for line in done.stdout.splitlines() if line.startswith("token: ")), "")


def started(running: Stack) -> Stack:
    """Starts a stack, printing the tail of each process's log if it does not come up."""
    try:
        running.start()
    except Exception:
        running.stop()
        for log in running.workdir.glob("*.log"):
            sys.stderr.write(f"--- {log.name} ---\n{log.read_text(errors='replace')[-4000:]}\n")
        raise
    return running
