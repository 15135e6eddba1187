# The two commands a newcomer needs: `make run` and `make test`. Everything else is set-up they call.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export RASA_PORT ?= 5005
export ACTIONS_PORT ?= 5055
export ACTIONS_HOST ?= 127.0.0.1
export SERVICE_PORT ?= 8000
export SERVICE_HOST ?= 127.0.0.1
export HOTLINE_FALLBACK_PORT ?= 8001
export RASA_ENDPOINTS ?= endpoints.yml
# The web page is the only browser origin Rasa answers (docs/security.md).
export RASA_CORS_ORIGINS ?= http://127.0.0.1:$(SERVICE_PORT)
export RASA_TRACKER_DB ?= var/tracker.db
export RASA_MODEL ?= models/court.tar.gz
export SERVICE_URL ?= http://127.0.0.1:$(SERVICE_PORT)
export RASA_URL ?= http://127.0.0.1:$(RASA_PORT)
export ACTIONS_URL ?= http://127.0.0.1:$(ACTIONS_PORT)
export HOTLINE_FALLBACK_URL ?= http://127.0.0.1:$(HOTLINE_FALLBACK_PORT)
# supervisord (make run): each process's log, and the socket, pid and crash counts
export LOG_DIR ?= var/log
export SUPERVISION_DIR ?= var/supervision
# Rasa and TensorFlow are chatty and phone home unless told not to.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONUTF8 := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

RASA_VENV := .venv-rasa
SVC_VENV := .venv-svc
RASA := $(RASA_VENV)/bin/rasa
SVC_PY := $(SVC_VENV)/bin/python
RASA_PY := $(RASA_VENV)/bin/python
TRAINING_FILES := config.yml $(shell find domain bot -type f 2>/dev/null | sort)

.PHONY: help install run test lint train validate migrate test-service test-conversation test-stories test-e2e bench browser clean
.PHONY: kb eval calibrate
.PHONY: web browser-fonts
.PHONY: web browser-fonts clean-web
.PHONY: remind
.PHONY: status restart-process backup restore backup-list check-deploy
.PHONY: test-miniprogram

help:
	@echo "make run    install if needed, train if needed, index the guide if needed, migrate, start (under supervisord) Rasa :$(RASA_PORT), actions :$(ACTIONS_PORT), service center :$(SERVICE_PORT), 12368 fallback :$(HOTLINE_FALLBACK_PORT)"
	@echo "make test   every check: lint, unit tests in both runtimes, data validation, conversation tests, end-to-end"
	@echo "make bench  throughput, latency and memory figures"
	@echo "make status / make backup / make restore BACKUP=...   running processes; database backups (docs/deployment.md)"

# ---------- install (idempotent: each venv is rebuilt only when its requirement files change) ----------
install: $(RASA_VENV)/.installed $(SVC_VENV)/.installed

$(RASA_VENV)/.installed: requirements/rasa.txt requirements/rasa-dev.txt requirements/rasa.lock
	@scripts/need_python.sh python3.10
	@test -x $(RASA_PY) || python3.10 -m venv $(RASA_VENV)
	$(RASA_PY) -m pip install -q --upgrade "pip<26" setuptools==70.3.0 wheel
	$(RASA_PY) -m pip install -q -r requirements/rasa-dev.txt -c requirements/rasa.lock
	@touch $@

$(SVC_VENV)/.installed: requirements/service.txt requirements/dev.txt
	@scripts/need_python.sh python3.11
	@test -x $(SVC_PY) || python3.11 -m venv $(SVC_VENV)
	$(SVC_PY) -m pip install -q --upgrade pip
	$(SVC_PY) -m pip install -q -r requirements/dev.txt
	@touch $@

# Debian's Chromium for the browser tests (never a browser download).
browser:
	@command -v chromium >/dev/null || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || { echo "Chromium is missing: install Debian's 'chromium' package"; exit 1; }; }

# ---------- Rasa model: trained only when training data or config changed ----------
train: $(RASA_MODEL)

$(RASA_MODEL): $(TRAINING_FILES) $(RASA_VENV)/.installed
	@mkdir -p models
	$(RASA) train --config config.yml --domain domain --data bot --out models --fixed-model-name court --quiet
	@touch $@

validate: $(RASA_VENV)/.installed
	$(RASA) data validate --config config.yml --domain domain --data bot --fail-on-warnings

migrate: $(SVC_VENV)/.installed
	@mkdir -p var
	$(SVC_VENV)/bin/alembic upgrade heads

# ---------- run: every process under supervisord, in the foreground (Ctrl-C stops them all) ----------
run: install train migrate kb
	@mkdir -p $(LOG_DIR) $(SUPERVISION_DIR)
	@echo "logs: $(LOG_DIR)/<process>.log; states: make status; health: curl localhost:$(SERVICE_PORT)/health"
	$(SVC_VENV)/bin/supervisord -c supervision/supervisord.conf

# The processes of a running `make run` (state, pid, uptime); restart one by hand: make restart-process NAME=rasa
status:
	@$(SVC_VENV)/bin/supervisorctl -c supervision/supervisord.conf status

restart-process:
	$(SVC_VENV)/bin/supervisorctl -c supervision/supervisord.conf restart $(NAME)

# ---------- test ----------
lint: $(SVC_VENV)/.installed
	$(SVC_VENV)/bin/ruff check .

test-service: install migrate kb train  # the guide-review and deploy tests need the built index and model
	$(SVC_VENV)/bin/pytest -q tests/service

test-conversation: $(RASA_VENV)/.installed
	$(RASA_VENV)/bin/pytest -q tests/conversation_runtime

test-stories: train
	$(RASA) test core --model $(RASA_MODEL) --stories tests/stories --endpoints $(RASA_ENDPOINTS) --fail-on-prediction-errors --out var/results/stories

test-e2e: install train browser
	$(SVC_VENV)/bin/pytest -q tests/e2e

test: install lint validate test-service test-conversation test-stories test-e2e test-miniprogram
	@echo "all checks passed"

bench: install train migrate
	$(SVC_PY) -m bench

clean:
	rm -rf $(RASA_VENV) $(SVC_VENV) models var .rasa

# Procedure-guide index (knowledge_base/index/): rebuilt only when the guide or the embedding model changed.
kb: $(SVC_VENV)/.installed
	$(SVC_PY) -m knowledge_base.index

# Retrieval quality: held-out test split (Recall@1/@3, MRR, out-of-scope rejection) and the 315 real questions.
eval: kb
	$(SVC_PY) -m knowledge_base.evaluate

# Re-derive the search thresholds on the dev split of the held-out set (writes knowledge_base/thresholds.yml).
calibrate: kb
	$(SVC_PY) -m knowledge_base.calibrate
# Web chat page front end: npm ci from package-lock.json, esbuild bundle into static/dist (part of install).
WEB_DIR := service_center/web
web: $(WEB_DIR)/static/dist/chat.js
install: web

$(WEB_DIR)/static/dist/chat.js: $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json $(WEB_DIR)/src/chat.js
	@command -v npm >/dev/null || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null) || { echo "npm is missing: install Debian's 'nodejs' and 'npm' packages"; exit 1; }; }
	cd $(WEB_DIR) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# The staff console's front end (ECharts; axe-core for the browser tests): its own npm package, same recipe.
CONSOLE_DIR := service_center/console
web: $(CONSOLE_DIR)/static/dist/console.js
$(CONSOLE_DIR)/static/dist/console.js: $(CONSOLE_DIR)/package.json $(CONSOLE_DIR)/package-lock.json $(wildcard $(CONSOLE_DIR)/src/*.js)
	@command -v npm >/dev/null || { echo "npm is missing: install Debian's 'nodejs' and 'npm' packages"; exit 1; }
	cd $(CONSOLE_DIR) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# Chinese fonts so browser-test screenshots show characters, not boxes (Debian's fonts-wqy-microhei).
browser-fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null) || echo "warning: no Chinese font; install Debian's fonts-wqy-microhei for readable screenshots"; }
browser: browser-fonts

# Remove the web page's npm packages and bundle (part of clean).
clean-web:
	rm -rf $(WEB_DIR)/node_modules $(WEB_DIR)/static/dist $(CONSOLE_DIR)/node_modules $(CONSOLE_DIR)/static/dist
clean: clean-web

# Day-before booking reminders by SMS (Twilio or outbox) and WeChat 订阅消息 (mini-program users who subscribed);
# run daily from cron, e.g. 17:00 court time.
remind: $(SVC_VENV)/.installed migrate
	$(SVC_PY) -m service_center.booking.remind

# The year's holiday arrangement (docs/booking.md): `make holidays FILE=knowledge_base/holidays/2027.yml BY=张三`
# validates and enters it, listing the bookings it puts on a holiday; without FILE, which years lack one.
.PHONY: holidays
holidays: $(SVC_VENV)/.installed migrate
	@if [ -n "$(FILE)" ]; then $(SVC_PY) -m service_center.booking.holidays load "$(FILE)" --by "$(BY)"; \
	else $(SVC_PY) -m service_center.booking.holidays status; fi
# Database backups (deploy/backup.py): SQLite by the online backup API, PostgreSQL by pg_dump; the newest
# BACKUP_KEEP (14) folders under BACKUP_DIR (var/backups) are kept. Run `make backup` daily from cron.
backup: $(SVC_VENV)/.installed
	$(SVC_PY) -m deploy.backup create

# Stop the processes first (Ctrl-C on make run, or systemctl stop / docker compose stop), then:
#   make restore BACKUP=var/backups/<stamp>
restore: $(SVC_VENV)/.installed
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<stamp>  (make backup-list shows them)"; exit 1; }
	$(SVC_PY) -m deploy.backup restore $(BACKUP)

backup-list: $(SVC_VENV)/.installed
	@$(SVC_PY) -m deploy.backup list
# Secrets (docs/security.md): made once per machine into var/secrets.env (mode 0600) with `?=`, so a value set in
# the environment wins. INTERNAL_SECRET: our processes' shared secret; HOTLINE_USER_KEY_SALT: key of callers' user
# keys; WECHAT_SESSION_SECRET: signs mini-program sessions. None has a built-in default outside COURT_ENV=development.
SECRETS_FILE := var/secrets.env
$(SECRETS_FILE):
	@mkdir -p var && chmod 700 var
	@umask 077 && python3 -c 'import secrets; print("\n".join(f"{n} ?= {secrets.token_urlsafe(32)}" for n in ("INTERNAL_SECRET", "HOTLINE_USER_KEY_SALT", "WECHAT_SESSION_SECRET")))' > $@
-include $(SECRETS_FILE)
export INTERNAL_SECRET HOTLINE_USER_KEY_SALT WECHAT_SESSION_SECRET

# Personal data kept only as long as needed: delete what is past its retention (RETENTION_* settings); run daily
# from cron like `make remind`.
.PHONY: purge
purge: $(SVC_VENV)/.installed migrate
	$(SVC_PY) -m service_center.security.retention
# A staff account for the console (the first 管理员 too): make staff-user USERNAME=wang ROLE=admin
# The password comes from STAFF_PASSWORD, else a prompt. Roles: admin filing_clerk mediator hotline_agent guide_editor leader
.PHONY: staff-user
staff-user: $(SVC_VENV)/.installed migrate
	@test -n "$(USERNAME)" -a -n "$(ROLE)" || { echo "usage: make staff-user USERNAME=... ROLE=admin|filing_clerk|mediator|hotline_agent|guide_editor|leader"; exit 2; }
	$(SVC_PY) -m service_center.staff.cli "$(USERNAME)" "$(ROLE)" $(if $(DISPLAY_NAME),--display-name "$(DISPLAY_NAME)")
# WeChat mini-program (miniprogram/app is what WeChat DevTools uploads): its pages and components tested in Node with
# miniprogram-simulate + jsdom (npm ci from miniprogram/package-lock.json), rendering the real connector answers
# recorded by tests/e2e/test_wechat_miniprogram.py (MINIPROGRAM_RECORD=1) in miniprogram/tests/fixtures/.
test-miniprogram:
	@command -v npm >/dev/null || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null) || { echo "npm is missing: install Debian's 'nodejs' and 'npm' packages"; exit 1; }; }
	cd miniprogram && npm ci --no-audit --no-fund --loglevel=error && npm test
clean-miniprogram:
	rm -rf miniprogram/node_modules
clean: clean-miniprogram
