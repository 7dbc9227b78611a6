"""The engine link: the only way the studio's views reach a running engine."""

from .journey_watch import PeopleQuery, RunningTest
from .link import EngineLink
from .probe import ActivityItem, EngineFigures, OutboxItem, StoreChanges, StoreProbe
from .sides import PortInUseError, next_free_port
from .status import EngineMode, EngineStatus, FireResult
