"""The journey document: plain data, JSON in and out, one source of truth.

The canvas, the validator, export and the runtime all read these models; a published
version is an immutable snapshot of them.
"""

from .attributes import (
    BUILTIN_CONTACT_ATTRIBUTES,
    BUILTIN_RECORD_TABLES,
    AttributeDef,
    AttributeType,
    RecordTable,
)
from .builtin_triggers import (
    BUILTIN_TRIGGERS,
    CONTACT_MADE,
    CONTACT_TRIGGERS,
    INTERACTIONS,
    interaction_trigger_name,
)
from .bundle import (
    Bundle,
    bundle_from_data,
    dump_bundle,
    dump_json,
    load_bundle,
    load_journey,
    parse_json,
    read_bundle,
    to_data,
)
from .catalog import Catalog
from .catalog_items import (
    SPECIAL_ATTRIBUTES,
    Channel,
    Content,
    ContentStatus,
    EmailContent,
    Purpose,
    PushContent,
    RecordAction,
    RecordSource,
    Segment,
    SmsContent,
    TriggerDefinition,
    TriggerKind,
    TriggerState,
)
from .conditions import (
    MAX_GROUP_DEPTH,
    OP_LABELS,
    OPS_BY_TYPE,
    Condition,
    ConditionContext,
    ConditionGroup,
    Op,
    Source,
    evaluate,
    resolve_path,
)
from .durations import Duration, format_duration, humanize_duration, parse_duration
from .errors import BundleError, DocumentError
from .journey import (
    MAX_ENTRY_CONDITIONS,
    SCHEMA_VERSION,
    Edge,
    ExitRule,
    Goal,
    GoalTarget,
    Journey,
    JourneyType,
    LifecycleState,
    ReEntry,
    Schedule,
    StartSettings,
)
from .people import ConsentRecord, Contact
from .summary import KIND_TITLES, tile_summary, tile_title
from .tiles import (
    BRANCH_KINDS,
    DEFAULT_SEND_TO,
    MESSAGE_KINDS,
    TILE_CLASSES,
    Arm,
    AttributeBranchTile,
    Branch,
    EmailTile,
    ExitTile,
    Expiry,
    Interaction,
    Port,
    PushTile,
    SmsTile,
    SplitTile,
    Tile,
    TileKind,
    TriggerTile,
    WaitForTile,
    WaitMode,
    WaitTile,
    output_ports,
    port_label,
)
