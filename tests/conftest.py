"""Shared pytest configuration and fixtures."""
import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes tens of seconds (builds and installs the wheel); runs by default, "
                                       "deselect with -m 'not slow'")


@pytest.fixture(scope="session")
def spec_table(tmp_path_factory):
    """spec_table(yaml_text) -> the symbol table of that spec, loaded by the real loader."""
    from derive.spec import load_spec

    def make(text):
        path = tmp_path_factory.mktemp("spec") / "spec.yaml"
        path.write_text(text)
        return load_spec(path).table

    return make


@pytest.fixture(scope="session")
def problems():
    """problems(id) -> that bank problem derived and prepared for the checker, once per session."""
    from derive.check.batch import prepare_problem

    cache = {}

    def get(pid):
        if pid not in cache:
            cache[pid] = prepare_problem(pid)
        return cache[pid]

    return get
