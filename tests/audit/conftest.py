from __future__ import annotations

from itertools import count

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.audit.helpers import make_tenant

_slugs = count()


@pytest.fixture
def tenant(session_factory: sessionmaker[Session]) -> str:
    return make_tenant(session_factory, f"acme{next(_slugs)}")


@pytest.fixture
def other_tenant(session_factory: sessionmaker[Session]) -> str:
    return make_tenant(session_factory, f"globex{next(_slugs)}")
