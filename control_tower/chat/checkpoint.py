"""A LangGraph checkpointer kept in our SQL store (tables ``chat_checkpoints``/``chat_writes``).

Why our own: conversations must survive a restart and run on SQLite and PostgreSQL alike,
and ``langgraph-checkpoint-postgres`` needs psycopg (LGPL). Each checkpoint is stored whole —
channel values included — as the saver's serde typed it; a chat thread's state is small, so
one row per checkpoint is simpler than per-channel blobs and loads in one query. Async
methods run the sync ones in a worker thread (the store's sessions are per call).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    SerializerProtocol,
    get_checkpoint_id,
    get_checkpoint_metadata,
    writes_sort_key,
)
from sqlalchemy import delete, select

from control_tower.domain import now
from control_tower.store.models import ChatCheckpointRow, ChatWriteRow


def _config(thread_id: str, ns: str, checkpoint_id: str) -> RunnableConfig:
    return {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": ns,
            "checkpoint_id": checkpoint_id,
        }
    }


class StoreCheckpointSaver(BaseCheckpointSaver[str]):
    """Checkpoints of chat threads in ``store`` (a ``control_tower.store.Store``)."""

    def __init__(self, store, *, serde: SerializerProtocol | None = None) -> None:  # noqa: ANN001
        super().__init__(serde=serde)
        self.store = store

    # --- reading -------------------------------------------------------------------------
    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """The checkpoint ``config`` names, or the thread's newest one when it names none."""
        conf = config["configurable"]
        q = select(ChatCheckpointRow).where(
            ChatCheckpointRow.thread_id == conf["thread_id"],
            ChatCheckpointRow.checkpoint_ns == conf.get("checkpoint_ns", ""),
        )
        if checkpoint_id := get_checkpoint_id(config):
            q = q.where(ChatCheckpointRow.checkpoint_id == checkpoint_id)
        q = q.order_by(ChatCheckpointRow.checkpoint_id.desc()).limit(1)
        with self.store.session() as s:
            row = s.scalars(q).first()
            return self._tuple(s, row) if row else None

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints newest first; ``filter`` matches metadata keys (decoded, so in Python)."""
        q = select(ChatCheckpointRow)
        if config:
            conf = config["configurable"]
            q = q.where(ChatCheckpointRow.thread_id == conf["thread_id"])
            if conf.get("checkpoint_ns") is not None:
                q = q.where(ChatCheckpointRow.checkpoint_ns == conf["checkpoint_ns"])
            if checkpoint_id := get_checkpoint_id(config):
                q = q.where(ChatCheckpointRow.checkpoint_id == checkpoint_id)
        if before and (before_id := get_checkpoint_id(before)):
            q = q.where(ChatCheckpointRow.checkpoint_id < before_id)
        q = q.order_by(
            ChatCheckpointRow.thread_id,
            ChatCheckpointRow.checkpoint_ns,
            ChatCheckpointRow.checkpoint_id.desc(),
        )
        out: list[CheckpointTuple] = []
        with self.store.session() as s:
            for row in s.scalars(q):
                if limit is not None and len(out) >= limit:
                    break
                metadata = self.serde.loads_typed((row.metadata_type, row.metadata_blob))
                if filter and not all(metadata.get(k) == v for k, v in filter.items()):
                    continue
                out.append(self._tuple(s, row, metadata))
        yield from out

    def _tuple(self, s, row: ChatCheckpointRow, metadata=None) -> CheckpointTuple:  # noqa: ANN001
        writes = s.scalars(
            select(ChatWriteRow).where(
                ChatWriteRow.thread_id == row.thread_id,
                ChatWriteRow.checkpoint_ns == row.checkpoint_ns,
                ChatWriteRow.checkpoint_id == row.checkpoint_id,
            )
        ).all()
        writes = sorted(writes, key=lambda w: writes_sort_key(w.task_path, w.task_id, w.idx))
        if metadata is None:
            metadata = self.serde.loads_typed((row.metadata_type, row.metadata_blob))
        parent = row.parent_checkpoint_id
        return CheckpointTuple(
            config=_config(row.thread_id, row.checkpoint_ns, row.checkpoint_id),
            checkpoint=self.serde.loads_typed((row.type, row.checkpoint)),
            metadata=metadata,
            parent_config=_config(row.thread_id, row.checkpoint_ns, parent) if parent else None,
            pending_writes=[
                (w.task_id, w.channel, self.serde.loads_typed((w.type, w.value))) for w in writes
            ],
        )

    # --- writing -------------------------------------------------------------------------
    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Store ``checkpoint`` (whole) as a child of the checkpoint ``config`` names."""
        conf = config["configurable"]
        thread_id, ns = conf["thread_id"], conf.get("checkpoint_ns", "")
        type_, blob = self.serde.dumps_typed(checkpoint)
        meta_type, meta_blob = self.serde.dumps_typed(get_checkpoint_metadata(config, metadata))
        with self.store.begin() as s:
            row = s.get(ChatCheckpointRow, (thread_id, ns, checkpoint["id"]))
            if row is None:
                row = ChatCheckpointRow(
                    thread_id=thread_id, checkpoint_ns=ns, checkpoint_id=checkpoint["id"]
                )
                s.add(row)
            row.parent_checkpoint_id = conf.get("checkpoint_id")
            row.type, row.checkpoint = type_, blob
            row.metadata_type, row.metadata_blob = meta_type, meta_blob
            row.created_at = now()
        return _config(thread_id, ns, checkpoint["id"])

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Store a task's writes; a regular write is kept once, a special one (error,
        interrupt, …, negative index) replaces the earlier one, as ``InMemorySaver`` does."""
        conf = config["configurable"]
        key = (conf["thread_id"], conf.get("checkpoint_ns", ""), conf["checkpoint_id"], task_id)
        with self.store.begin() as s:
            for idx, (channel, value) in enumerate(writes):
                idx = WRITES_IDX_MAP.get(channel, idx)
                row = s.get(ChatWriteRow, (*key, idx))
                if row is not None and idx >= 0:
                    continue
                if row is None:
                    row = ChatWriteRow(
                        thread_id=key[0],
                        checkpoint_ns=key[1],
                        checkpoint_id=key[2],
                        task_id=task_id,
                        idx=idx,
                    )
                    s.add(row)
                row.channel, row.task_path = channel, task_path
                row.type, row.value = self.serde.dumps_typed(value)

    def delete_thread(self, thread_id: str) -> None:
        """Every checkpoint and write of ``thread_id``, in every namespace."""
        with self.store.begin() as s:
            s.execute(delete(ChatWriteRow).where(ChatWriteRow.thread_id == thread_id))
            s.execute(delete(ChatCheckpointRow).where(ChatCheckpointRow.thread_id == thread_id))

    def get_next_version(self, current: str | None, channel: None) -> str:
        """Monotonic string versions with a random tail, as ``InMemorySaver`` makes them."""
        if current is None:
            current_v = 0
        elif isinstance(current, int):
            current_v = current
        else:
            current_v = int(current.split(".")[0])
        return f"{current_v + 1:032}.{random.random():016}"

    # --- async twins ---------------------------------------------------------------------
    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        items = await asyncio.to_thread(
            lambda: list(self.list(config, filter=filter, before=before, limit=limit))
        )
        for item in items:
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)


__all__ = ["StoreCheckpointSaver"]
