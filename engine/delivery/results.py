"""What a channel reports after one attempt to deliver a message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DeliveryStatus(StrEnum):
    SENT = "sent"              # handed over: the server or provider accepted it
    DELIVERED = "delivered"    # it reached its destination (the outbox: stored)
    RETRY = "retry"            # a transient failure: try again later
    FAILED = "failed"          # permanent: never retried


class FailureKind(StrEnum):
    BOUNCED = "bounced"        # the recipient does not exist or refuses mail
    REJECTED = "rejected"      # the server or provider refused the message or the request
    GAVE_UP = "gave_up"        # transient failures until the retry limit


@dataclass(frozen=True)
class DeliveryResult:
    status: DeliveryStatus
    reason: str = ""
    failure: FailureKind | None = None
    retry_after: float | None = None   # seconds, when status is RETRY
    provider_id: str | None = None     # the provider's own id for the message, if any

    @property
    def is_final(self) -> bool:
        return self.status != DeliveryStatus.RETRY

    @classmethod
    def sent(cls, reason: str = "", provider_id: str | None = None) -> DeliveryResult:
        return cls(DeliveryStatus.SENT, reason, provider_id=provider_id)

    @classmethod
    def delivered(cls, reason: str = "") -> DeliveryResult:
        return cls(DeliveryStatus.DELIVERED, reason)

    @classmethod
    def retry(cls, reason: str, after: float | None = None) -> DeliveryResult:
        return cls(DeliveryStatus.RETRY, reason, retry_after=after)

    @classmethod
    def bounced(cls, reason: str) -> DeliveryResult:
        return cls(DeliveryStatus.FAILED, reason, failure=FailureKind.BOUNCED)

    @classmethod
    def rejected(cls, reason: str) -> DeliveryResult:
        return cls(DeliveryStatus.FAILED, reason, failure=FailureKind.REJECTED)

    def describe(self) -> str:
        label = self.failure.value if self.failure else self.status.value
        return f"{label}: {self.reason}" if self.reason else label
