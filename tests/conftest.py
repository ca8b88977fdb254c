"""Shared pytest configuration."""


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes tens of seconds (builds and installs the wheel); runs by default, "
                                       "deselect with -m 'not slow'")
