"""The app's long-lived objects, created on first use and shared by all requests.

Held on ``app.state.services`` so tests can build as many independent apps as they like.
"""

from __future__ import annotations

import threading
from functools import cached_property

from control_tower.settings import Settings


class Services:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        # the one-time /setup page: two submissions at once must not both create an admin
        self.setup_lock = threading.Lock()

    @cached_property
    def store(self):
        from control_tower.store import open_store

        with self._lock:
            return open_store(self.settings)

    @cached_property
    def index(self):
        from control_tower.index import open_index

        with self._lock:
            return open_index(self.settings, background_refresh=True)

    @cached_property
    def retriever(self):
        from control_tower.retrieval import Retriever

        return Retriever(self.settings, index=self.index)

    @cached_property
    def jobs(self):
        """The job service (Huey queue + ``jobs`` table); its consumer runs from the lifespan."""
        from control_tower.jobs import JobService

        return JobService(self)  # not under self._lock: it opens self.store, which takes it

    @cached_property
    def chat(self):
        """The chat assistant (control_tower.chat.service.ChatService), on the configured LLM."""
        from control_tower.chat.service import ChatService, default_model_factory

        return ChatService(
            self.settings,
            self.store,
            self.retriever,
            model_factory=default_model_factory(self.settings),
        )
