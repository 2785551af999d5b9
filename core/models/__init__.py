"""The core records (tortoise app ``core``)."""

from sampark.core.models.accounts import Account, AccountKind
from sampark.core.models.audit import AuditEntry
from sampark.core.models.auth import ApiToken, LoginAttempt, WebSession
from sampark.core.models.channels import EmailAddress, PhoneNumber, PostalAddress
from sampark.core.models.contacts import Contact
from sampark.core.models.interactions import Interaction, InteractionParticipant
from sampark.core.models.links import ContactAccountLink
from sampark.core.models.tags import Tag
from sampark.core.models.users import User

__all__ = [
    "Account",
    "AccountKind",
    "ApiToken",
    "AuditEntry",
    "Contact",
    "ContactAccountLink",
    "EmailAddress",
    "Interaction",
    "InteractionParticipant",
    "LoginAttempt",
    "PhoneNumber",
    "PostalAddress",
    "Tag",
    "User",
    "WebSession",
]
