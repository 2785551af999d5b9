"""The pytest plugin: every ``sampark.testing`` fixture, registered by the ``pytest11`` entry point.

Nothing here is autouse: the fixtures only act in tests that ask for them, so projects that
merely have Sampark installed see no change. A project's own fixture of the same name wins.
"""

pytest_plugins = [
    "sampark.testing.databases",
    "sampark.testing.clients",
    "sampark.testing.cli",
    "sampark.testing.queries",
    "sampark.testing.served",
    "sampark.testing.browser",
]
