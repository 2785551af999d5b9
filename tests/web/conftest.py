"""Web fixtures particular to core's suite; the app, its users and clients come from
``sampark.testing`` (``web_crm``, ``app``, ``anonymous``, ``browser``, ``admin``)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from sampark.core.kernel import Sampark
from sampark.core.settings import WebSettings


@pytest.fixture(autouse=True)
def _quick_password_hashes(quick_password_hashes: None) -> None:
    """These tests sign in a lot: cheap hashes for all of them."""


class Web:
    """The ``clients`` helpers under the names the web tests use (the ``web`` fixture)."""

    def __init__(self, clients: Any) -> None:
        self.password = clients.password
        self.csrf_of = clients.csrf_of
        self.client = clients.browser
        self.sign_in = clients.sign_in

    @staticmethod
    def settings(kernel: Sampark, **changes: Any) -> WebSettings:
        return dataclasses.replace(kernel.settings.web, **changes)


@pytest.fixture
def web(clients: Any) -> Web:
    """Helpers for tests that build their own app."""
    return Web(clients)
