"""The guide as the service center holds it: one immutable snapshot (entries, index, searcher) behind a reference.

The snapshot is loaded once per process at startup, in a background thread (the index is built first if it is
missing or stale). `reload()` builds a new snapshot aside while searches keep using the old one, then swaps the
reference in one assignment: no request ever sees half an index.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from fastapi import HTTPException

from knowledge_base import legal_texts
from knowledge_base.embedding import Embedder, make_embedder
from knowledge_base.guide import load_guide, render_text
from knowledge_base.index import load_or_build, load_out_of_scope
from knowledge_base.schema import GuideEntry
from knowledge_base.search import Searcher, load_thresholds
from service_center.config import Settings
from service_center.court.profile import load_profile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    searcher: Searcher
    loaded_at: dt.datetime
    rebuilt: bool
    seconds: float

    @property
    def index(self):
        return self.searcher.index

    def entry(self, entry_id: str) -> GuideEntry | None:
        return self.searcher.index.by_id.get(entry_id)


class GuideHolder:
    """Owns the current snapshot for one configuration (embedder, model, guide, index folder)."""

    def __init__(self, settings: Settings):
        self.backend, self.model = settings.kb_embedder, settings.kb_model
        self.guide_dir, self.index_dir = settings.kb_guide_dir, settings.kb_index_dir
        self.out_of_scope_path = settings.kb_out_of_scope_path
        self.thresholds_path = settings.kb_thresholds_path
        self.ready_timeout = settings.kb_ready_timeout
        self._current: Snapshot | None = None
        self._error: str | None = None
        self._ready = threading.Event()
        self._build_lock = threading.Lock()
        self._embedder: Embedder | None = None
        self._loader: threading.Thread | None = None

    # ---------- loading ----------
    def _embedder_instance(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.backend, self.model)
        return self._embedder

    def _build(self, force: bool = False) -> Snapshot:
        started = time.perf_counter()
        embedder = self._embedder_instance()
        entries, attached = with_attached_questions(load_guide(self.guide_dir))
        # With staff-attached questions the index is kept beside the plain one, so `make kb` (guide files only)
        # and the running service never rebuild each other's index.
        index_dir = self.index_dir.with_name(self.index_dir.name + "-reviewed") if attached else self.index_dir
        index, rebuilt = load_or_build(embedder, entries, index_dir, force=force,
                                       topics=load_out_of_scope(self.out_of_scope_path))
        searcher = Searcher(index, embedder, load_thresholds(embedder.name, self.thresholds_path))
        return Snapshot(searcher, dt.datetime.now(dt.UTC), rebuilt, round(time.perf_counter() - started, 2))

    def _load_once(self) -> None:
        try:
            with self._build_lock:
                if self._current is None:
                    self._current = self._build()
                    m = self._current.index.manifest
                    log.info("guide ready: %s entries, %s, %s in %.1f s", m["entries"], m["embedder"],
                             "index rebuilt" if self._current.rebuilt else "index loaded", self._current.seconds)
        except Exception as exc:  # reported by get() and /api/kb/status; the app keeps serving other domains
            log.exception("the procedure guide could not be loaded")
            self._error = f"{type(exc).__name__}: {exc}"
        finally:
            self._ready.set()

    def start(self) -> None:
        """Begins loading in the background (once)."""
        if self._loader is None and self._current is None:
            self._loader = threading.Thread(target=self._load_once, name="kb-loader", daemon=True)
            self._loader.start()

    def get(self) -> Snapshot:
        """The current snapshot, waiting for the first load if needed; 503 in Chinese if it is not available."""
        current = self._current
        if current is not None:
            return current
        self.start()
        if not self._ready.wait(self.ready_timeout) or self._current is None:
            raise HTTPException(status_code=503, detail="办事指南正在加载或暂时不可用，请稍后再试")
        return self._current

    def reload(self, force: bool = False) -> Snapshot:
        """Builds a new snapshot from the current guide files aside, then swaps it in."""
        with self._build_lock:
            legal_texts.reload()
            load_profile.cache_clear()
            fresh = self._build(force=force)
            self._current = fresh  # one reference assignment: atomic for readers
            self._error = None
            self._ready.set()
        return fresh

    def status(self) -> dict:
        current = self._current
        if current is None:
            return {"status": "error" if self._error else "loading", "error": self._error}
        t = current.searcher.thresholds
        return {"status": "ready", "manifest": current.index.manifest, "loaded_at": current.loaded_at.isoformat(),
                "rebuilt": current.rebuilt, "seconds": current.seconds, "thresholds": t.public()}


def with_attached_questions(entries: list[GuideEntry]) -> tuple[list[GuideEntry], int]:
    """The entries with the sample questions staff attached in the unanswered-question loop (guide_review)."""
    from service_center.guide_review.service import attached_questions

    extra = attached_questions()
    merged, added = [], 0
    for entry in entries:
        new = [q for q in dict.fromkeys(extra.get(entry.id, [])) if q not in entry.questions]
        added += len(new)
        merged.append(entry.model_copy(update={"questions": entry.questions + new}) if new else entry)
    return merged, added


_holders: dict[tuple, GuideHolder] = {}
_holders_lock = threading.Lock()


def holder_for(settings: Settings) -> GuideHolder:
    """One holder per configuration, shared by every app instance in the process (tests make many apps)."""
    key = (settings.kb_embedder, settings.kb_model, str(settings.kb_guide_dir), str(settings.kb_index_dir),
           str(settings.kb_thresholds_path), str(settings.kb_out_of_scope_path))
    with _holders_lock:
        if key not in _holders:
            _holders[key] = GuideHolder(settings)
        return _holders[key]


# ---------- presenting entries ----------
def render(text: str) -> str:
    """Court placeholders filled from the court profile (unconfirmed facts say 请以法院公告为准)."""
    return render_text(text, load_profile())


def basis_of(entry: GuideEntry) -> list[dict]:
    items = []
    for b in entry.basis:
        text = legal_texts.article_text(b.law, b.article)
        items.append({"law": b.law, "article": b.article, "quote": b.quote or text, "text": text})
    return items


def entry_url(settings: Settings, entry_id: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/guide/{entry_id}"


def entry_payload(snapshot: Snapshot, entry: GuideEntry, settings: Settings) -> dict:
    related = [{"id": r, "title": snapshot.entry(r).title} for r in entry.related if snapshot.entry(r)]
    return {
        "id": entry.id,
        "title": entry.title,
        "category": entry.category,
        "short_answer": render(entry.short_answer),
        "details": render(entry.details),
        "questions": entry.questions,
        "basis": basis_of(entry),
        "related": related,
        "checked": entry.checked.isoformat(),
        "url": entry_url(settings, entry.id),
    }

