"""Retrying transient failures: exponential backoff with jitter, up to a limit.

Channels make one attempt per `send`. The runtime records a RETRY result in the ledger
with `next_attempt_at = now + retry_after` (the store remembers; nothing sleeps), and
turns it into a final failure once the policy gives up. `send_with_retries` is the
same loop for callers that may block (previews, tests, the command line).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from .results import DeliveryResult, DeliveryStatus, FailureKind

if TYPE_CHECKING:
    from .message import DeliveryChannel, OutgoingMessage


class RetryPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_delay: float = Field(default=30.0, ge=0, description="seconds before the 2nd try")
    factor: float = Field(default=2.0, ge=1)
    max_delay: float = Field(default=3600.0, ge=0, description="longest wait, seconds")
    max_attempts: int = Field(default=8, ge=1, description="tries in all, the first included")
    jitter: float = Field(default=0.2, ge=0, le=1, description="± this fraction, at random")

    def delay_after(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed try number `attempt` (1 for the first)."""
        base = min(self.max_delay, self.first_delay * self.factor ** max(0, attempt - 1))
        # Jitter spreads the retries of a burst that failed together (a server restart)
        # so they do not all come back in the same second.
        spread = 1 + self.jitter * (2 * rng() - 1)
        return min(self.max_delay, base * spread)

    def gives_up(self, attempt: int) -> bool:
        return attempt >= self.max_attempts

    def after_attempt(self, result: DeliveryResult, attempt: int,
                      rng: Callable[[], float] = random.random) -> DeliveryResult:
        """What to record after try number `attempt`: final results stay as they are; a
        retry gets its wait (the provider's Retry-After when it gave one, within
        max_delay), or becomes a failure once the tries are used up."""
        if result.status != DeliveryStatus.RETRY:
            return result
        if self.gives_up(attempt):
            reason = f"gave up after {attempt} attempt{'s' * (attempt != 1)}: {result.reason}"
            return DeliveryResult(DeliveryStatus.FAILED, reason, failure=FailureKind.GAVE_UP)
        wait = (min(self.max_delay, result.retry_after) if result.retry_after is not None
                else self.delay_after(attempt, rng))
        return DeliveryResult.retry(result.reason, after=wait)


def deliver(channel: DeliveryChannel, message: OutgoingMessage) -> DeliveryResult:
    """One attempt that never raises: an unexpected error is a retry with its reason."""
    try:
        return channel.send(message)
    except Exception as error:  # a channel bug must not stop the delivery worker
        return DeliveryResult.retry(
            f"unexpected error in the {channel.name} channel: {type(error).__name__}: {error}")


def send_with_retries(channel: DeliveryChannel, message: OutgoingMessage, policy: RetryPolicy,
                      *, sleep: Callable[[float], None] = time.sleep,
                      rng: Callable[[], float] = random.random) -> DeliveryResult:
    """Try until a final result or the policy gives up, sleeping between tries."""
    attempt = 0
    while True:
        attempt += 1
        result = policy.after_attempt(deliver(channel, message), attempt, rng)
        if result.is_final:
            return result
        sleep(result.retry_after or 0.0)
