"""The stack as `make run` runs it: supervisord with supervision/supervisord.conf, on free ports and a private
var/ folder, plus the means to kill -9 one of its processes and watch supervisord bring it back."""

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
from supervisor import childutils

from tests.support.stack import ROOT, SVC_VENV, Stack

PROGRAMS = ("service", "hotline_fallback", "actions", "rasa")


class SupervisedStack(Stack):
    def __init__(self, workdir: Path, extra_env: dict | None = None):
        super().__init__(workdir, extra_env={
            "SERVICE_HOST": "127.0.0.1",
            "RASA_ENDPOINTS": "endpoints.yml",
            "RASA_MODEL": "models/court.tar.gz",
            "LOG_DIR": str(workdir / "log"),
            "SUPERVISION_DIR": str(workdir / "supervision"),
            **(extra_env or {}),
        })
        (workdir / "log").mkdir(exist_ok=True)
        (workdir / "supervision").mkdir(exist_ok=True)
        self.rpc = childutils.getRPCInterface(
            {"SUPERVISOR_SERVER_URL": f"unix://{workdir / 'supervision' / 'supervisor.sock'}"}).supervisor

    def start(self) -> None:
        subprocess.run([str(SVC_VENV / "alembic"), "upgrade", "heads"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True)
        self._spawn("supervisord", [str(SVC_VENV / "supervisord"), "-c", "supervision/supervisord.conf"])
        self.wait_ready()

    def stop(self) -> None:
        process = self.processes.pop("supervisord", None)
        if process is None:
            return
        process.send_signal(signal.SIGINT)  # what Ctrl-C on `make run` sends
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    # -- processes under supervisord --
    def info(self, name: str) -> dict:
        return self.rpc.getProcessInfo(name)

    def kill9(self, name: str) -> int:
        """kill -9 the process (not its supervisor); returns the pid that was killed."""
        pid = self.info(name)["pid"]
        assert pid, f"{name} is not running"
        os.kill(pid, signal.SIGKILL)
        return pid

    def wait_restarted(self, name: str, old_pid: int, ready, timeout: float = 120) -> float:
        """Seconds from now until supervisord runs a new `name` and `ready()` is true."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            info = self.info(name)
            if info["statename"] == "RUNNING" and info["pid"] not in (0, old_pid) and ready():
                return time.monotonic() - started
            time.sleep(0.25)
        raise AssertionError(f"{name} not back within {timeout}s: {self.info(name)['statename']}")

    def health(self) -> dict:
        return httpx.get(f"{self.service_url}/health", timeout=5).json()

    def pids(self) -> dict[str, int]:
        return {name: self.info(name)["pid"] for name in PROGRAMS}
