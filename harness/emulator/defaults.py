"""The emulator's fixed ids and keys, apart from the server: a replayed run and a
recording's scrubber need them without starting (or importing) the web stack.

The keys open nothing but the local emulator, so they are published, not secret.
"""

DEFAULT_PUBLIC_KEY = "emulator-public-key"
DEFAULT_PRIVATE_KEY = "emulator-private-key-0000"
DEFAULT_GROUP_ID = "5f0a1b2c3d4e5f6a7b8c9d01"
DEFAULT_APP_ID = "5f0a1b2c3d4e5f6a7b8c9d02"
