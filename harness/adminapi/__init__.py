"""An httpx client for the Atlas App Services Admin API v3, as the harness needs it.

Login and session renewal, bounded retries, typed errors that never carry a
key or token, and the operations a documented procedure is checked with:
service config and sync, drafts, deployments. The transport is pluggable
(live service, vcrpy recordings, the local emulator).
"""

from harness.adminapi.client import ATLAS_SERVICE_TYPE, AdminClient
from harness.adminapi.errors import (
    AdminApiError,
    AdminClientError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    DeploymentError,
    DeploymentFailed,
    DeploymentTimeout,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from harness.adminapi.models import (
    App,
    DeployConfig,
    Deployment,
    Draft,
    DraftDiff,
    Exchange,
    Service,
)
from harness.adminapi.resources import Record, Resource, load_resources, resource
from harness.adminapi.retry import RetryPolicy, parse_retry_after
from harness.adminapi.session import DEFAULT_TIMEOUT, ExchangeHook
from harness.adminapi.settings import DEFAULT_BASE_URL, Credentials, Target, from_env
from harness.adminapi.sync import SyncState, sync_state_from_config

__all__ = [
    "ATLAS_SERVICE_TYPE",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "AdminApiError",
    "AdminClient",
    "AdminClientError",
    "App",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "Credentials",
    "DeployConfig",
    "Deployment",
    "DeploymentError",
    "DeploymentFailed",
    "DeploymentTimeout",
    "Draft",
    "DraftDiff",
    "Exchange",
    "ExchangeHook",
    "NotFoundError",
    "RateLimitedError",
    "Record",
    "Resource",
    "RetryPolicy",
    "ServerError",
    "Service",
    "SyncState",
    "Target",
    "TransportError",
    "from_env",
    "load_resources",
    "parse_retry_after",
    "resource",
    "sync_state_from_config",
]
