"""The JSON Schema shipped for editors agrees with the loader: every bundled spec validates, and
specs the loader rejects for their shape are rejected by the schema too."""
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from derive.bank import spec_files

SCHEMA = json.loads((Path(__file__).parents[1] / "derive" / "spec.schema.json").read_text())


@pytest.mark.parametrize("path", spec_files(), ids=lambda p: p.stem)
def test_bundled_specs_validate(path):
    jsonschema.validate(yaml.safe_load(path.read_text()), SCHEMA)


@pytest.mark.parametrize("mutate", [
    lambda s: s.pop("title"),
    lambda s: s["symbols"].update({"q": {"kind": "vectr"}}),
    lambda s: s["parts"][0].update({"goal": {"minimise": "x"}}),
    lambda s: s["parts"][0].update({"answr": "x"}),
    lambda s: s.update({"id": "Ridge FGM"}),
])
def test_malformed_specs_fail_the_schema(mutate):
    spec = yaml.safe_load(spec_files()[0].read_text())
    mutate(spec)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(spec, SCHEMA)
