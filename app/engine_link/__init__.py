"""The engine link: the only way the studio's views reach a running engine."""

from .activity_feed import ActivityBatch, ActivityFilter
from .journey_watch import PeopleQuery, RunningTest
from .link import EngineLink
from .outbox_feed import OutboxBatch, OutboxItem, OutboxUpdate
from .probe import ActivityItem, EngineFigures, StoreChanges, StoreProbe
from .sides import PortInUseError, next_free_port
from .status import ContactSave, EngineMode, EngineStatus, FireResult, RecordChange
from .tracking_requests import TrackResult
