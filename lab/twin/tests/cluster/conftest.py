"""Fixtures for the control plane's pure tests: the Calico release's own files, when this machine has built it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bgp_lb_twin.components import locate
from bgp_lb_twin.errors import TwinError


@pytest.fixture(scope="session")
def calico_data() -> Path:
    """manifests/ and confd/ of the Calico release the twin built (`make setup` builds it; CI always has it)."""
    try:
        return locate().calico_data
    except TwinError as error:
        pytest.skip(str(error))
