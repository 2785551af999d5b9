"""Read sampark.toml: defaults, secrets by reference, and environment overrides."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sampark.core.custom_fields import ENTITIES, FIELD_TYPES, CustomFieldSpec
from sampark.core.errors import ConfigError
from sampark.core.permissions import BUILTIN_ROLES, Role

CONFIG_FILENAME = "sampark.toml"
DEFAULT_DATABASE_FILENAME = "sampark.db"
TOP_LEVEL_KEYS = {
    "database",
    "plugins",
    "phone_region",
    "currency",
    "account_kinds",
    "interaction_kinds",
    "custom_fields",
    "plugin",
    "roles",
    "web",
}
_CUSTOM_FIELD_KEYS = {"type", "label", "choices", "required", "help"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_WEB_KEYS = {"secret_key", "allowed_hosts", "https_only", "max_body_bytes"}
MIN_SECRET_KEY_LENGTH = 32


@dataclass(frozen=True)
class WebSettings:
    """The ``[web]`` table: what ``sampark serve`` needs to serve browsers safely."""

    # Signs cookies; every worker of one deployment must share it. None: cannot serve.
    secret_key: str | None = None
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
    # True behind TLS: cookies get Secure and the __Host- prefix, and HSTS is sent.
    https_only: bool = False
    max_body_bytes: int = 1024 * 1024

    @property
    def session_cookie(self) -> str:
        return "__Host-sampark" if self.https_only else "sampark_session"


@dataclass(frozen=True)
class Settings:
    """Everything the kernel needs to know before it touches a database."""

    database_url: str
    plugins: tuple[str, ...] = ()
    phone_region: str | None = None
    currency: str = "USD"
    account_kinds: tuple[str, ...] = ()
    interaction_kinds: tuple[str, ...] = ()
    custom_fields: tuple[CustomFieldSpec, ...] = ()
    plugin_tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    roles: tuple[Role, ...] = ()
    web: WebSettings = field(default_factory=WebSettings)
    path: Path | None = None


def find_config_path(
    explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The config file to use: the one given, else ``$SAMPARK_CONFIG``, else ./sampark.toml."""
    if explicit is not None:
        return Path(explicit)
    env_path = (os.environ if env is None else env).get("SAMPARK_CONFIG")
    return Path(env_path) if env_path else Path.cwd() / CONFIG_FILENAME


def load_settings(
    source: str | os.PathLike[str] | None = None,
    *,
    plugins: list[str] | tuple[str, ...] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Settings from a config file or a bare database URL, with environment overrides applied.

    ``source`` may be a path to a TOML file, a database URL (``sqlite:///crm.db``,
    ``postgres://…``) or None to use ``$SAMPARK_CONFIG`` or ./sampark.toml when present.
    """
    env = os.environ if env is None else env
    if source is not None and is_database_url(str(source)):
        raw: dict[str, Any] = {"database": str(source)}
        path = None
        base_dir = Path.cwd()
    else:
        path = find_config_path(source, env).resolve()
        explicit = source is not None or bool(env.get("SAMPARK_CONFIG"))
        if path.exists():
            raw = _read_toml(path)
        elif explicit:
            raise ConfigError(f"config file {path} does not exist (create it with: sampark init)")
        else:
            raw, path = {}, None
        base_dir = path.parent if path else Path.cwd()
    raw = _resolve_secrets(raw, env, where="")
    if env.get("SAMPARK_DATABASE_URL"):
        raw["database"] = env["SAMPARK_DATABASE_URL"]
    if "SAMPARK_PLUGINS" in env:
        raw["plugins"] = [
            name.strip() for name in env["SAMPARK_PLUGINS"].split(",") if name.strip()
        ]
    if plugins is not None:
        raw["plugins"] = list(plugins)
    return _build(raw, path, base_dir)


def is_database_url(text: str) -> bool:
    """Whether ``text`` is a database URL rather than a file path."""
    return "://" in text


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: line {line}: not valid UTF-8 text (byte 0x{exc.object[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None


def _resolve_secrets(value: Any, env: Mapping[str, str], where: str) -> Any:
    """Replace ``{ "$env" = "NAME" }`` tables by the variable's value, failing if it is unset."""
    if isinstance(value, dict):
        if set(value) == {"$env"}:
            name = value["$env"]
            if name not in env:
                raise ConfigError(f"{where or 'config'}: environment variable {name} is not set")
            return env[name]
        return {
            key: _resolve_secrets(item, env, f"{where}.{key}" if where else key)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_resolve_secrets(item, env, f"{where}[{i}]") for i, item in enumerate(value)]
    return value


def _build(raw: dict[str, Any], path: Path | None, base_dir: Path) -> Settings:
    where = str(path) if path else "settings"
    unknown = sorted(set(raw) - TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting {unknown[0]!r} "
            f"(known settings: {', '.join(sorted(TOP_LEVEL_KEYS))})"
        )
    database = raw.get("database") or f"sqlite://{DEFAULT_DATABASE_FILENAME}"
    if not isinstance(database, str):
        raise ConfigError(f"{where}: database must be a URL string (got {database!r})")
    plugins = _string_list(raw.get("plugins", []), f"{where}: plugins")
    phone_region = raw.get("phone_region")
    if phone_region is not None:
        phone_region = _phone_region(phone_region, where)
    currency = raw.get("currency", "USD")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise ConfigError(f"{where}: currency must be an ISO 4217 code like EUR (got {currency!r})")
    plugin_tables = raw.get("plugin", {})
    if not isinstance(plugin_tables, dict) or not all(
        isinstance(table, dict) for table in plugin_tables.values()
    ):
        raise ConfigError(f"{where}: [plugin.<name>] entries must be tables")
    return Settings(
        database_url=normalise_database_url(database, base_dir),
        plugins=tuple(dict.fromkeys(plugins)),
        phone_region=phone_region,
        currency=currency,
        account_kinds=tuple(_string_list(raw.get("account_kinds", []), f"{where}: account_kinds")),
        interaction_kinds=tuple(
            _string_list(raw.get("interaction_kinds", []), f"{where}: interaction_kinds")
        ),
        custom_fields=_custom_fields(raw.get("custom_fields", {}), where),
        plugin_tables=plugin_tables,
        roles=_roles(raw.get("roles", {}), where),
        web=_web(raw.get("web", {}), where),
        path=path,
    )


def _roles(value: Any, where: str) -> tuple[Role, ...]:
    """Roles from ``[roles.NAME]`` tables: ``permissions`` (wildcards allowed) and ``scope``."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: roles must be a table of [roles.NAME] tables")
    roles = []
    for name, options in value.items():
        at = f"{where}: roles.{name}"
        if name in BUILTIN_ROLES:
            raise ConfigError(f"{at}: {name!r} is a built-in role; choose another name")
        if not isinstance(options, dict):
            raise ConfigError(f"{at} must be a table with permissions and scope")
        unknown = sorted(set(options) - {"permissions", "scope"})
        if unknown:
            raise ConfigError(f"{at}: unknown option {unknown[0]!r} (use permissions, scope)")
        scope = options.get("scope", "all")
        if scope not in ("all", "own"):
            raise ConfigError(f"{at}.scope: must be 'all' or 'own' (got {scope!r})")
        grants = _string_list(options.get("permissions", []), f"{at}.permissions")
        roles.append(Role(name, tuple(grants), scope))
    return tuple(roles)


def _web(value: Any, where: str) -> WebSettings:
    """The ``[web]`` table, each option checked by name."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: web must be a table ([web])")
    unknown = sorted(set(value) - _WEB_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: web: unknown option {unknown[0]!r} (known: {', '.join(sorted(_WEB_KEYS))})"
        )
    defaults = WebSettings()
    secret_key = value.get("secret_key")
    if secret_key is not None and (
        not isinstance(secret_key, str) or len(secret_key) < MIN_SECRET_KEY_LENGTH
    ):
        raise ConfigError(
            f"{where}: web.secret_key must be a random text of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters (`sampark init` writes one)"
        )
    hosts = _string_list(
        value.get("allowed_hosts", list(defaults.allowed_hosts)), f"{where}: web.allowed_hosts"
    )
    if not hosts:
        raise ConfigError(f"{where}: web.allowed_hosts must name at least one host")
    https_only = value.get("https_only", defaults.https_only)
    if not isinstance(https_only, bool):
        raise ConfigError(f"{where}: web.https_only must be true or false (got {https_only!r})")
    max_body = value.get("max_body_bytes", defaults.max_body_bytes)
    if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 1024:
        raise ConfigError(
            f"{where}: web.max_body_bytes must be a whole number of bytes, at least 1024 "
            f"(got {max_body!r})"
        )
    return WebSettings(
        secret_key=secret_key,
        allowed_hosts=tuple(hosts),
        https_only=https_only,
        max_body_bytes=max_body,
    )


def _string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of names (got {value!r})")
    return value


def _phone_region(value: Any, where: str) -> str:
    import phonenumbers

    region = str(value).upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(
            f"{where}: phone_region must be a two-letter country code such as IN or DE "
            f"(got {value!r})"
        )
    return region


def _custom_fields(value: Any, where: str) -> tuple[CustomFieldSpec, ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: custom_fields must be a table")
    specs: list[CustomFieldSpec] = []
    for entity, fields in value.items():
        if entity not in ENTITIES:
            raise ConfigError(
                f"{where}: custom_fields.{entity}: unknown record type "
                f"(use {' or '.join(ENTITIES)})"
            )
        if not isinstance(fields, dict):
            raise ConfigError(f"{where}: custom_fields.{entity} must be a table")
        for name, options in fields.items():
            specs.append(_custom_field(entity, name, options, f"{where}: custom_fields.{entity}"))
    return tuple(specs)


def _custom_field(entity: str, name: str, options: Any, where: str) -> CustomFieldSpec:
    if not name.isidentifier():
        raise ConfigError(f"{where}.{name}: a field name must be letters, digits and _")
    if isinstance(options, str):
        options = {"type": options}
    if not isinstance(options, dict):
        raise ConfigError(f'{where}.{name}: must be a table such as {{ type = "text" }}')
    unknown = sorted(set(options) - _CUSTOM_FIELD_KEYS)
    if unknown:
        raise ConfigError(f"{where}.{name}: unknown option {unknown[0]!r}")
    field_type = options.get("type", "text")
    if field_type not in FIELD_TYPES:
        raise ConfigError(
            f"{where}.{name}.type: must be one of {', '.join(FIELD_TYPES)} (got {field_type!r})"
        )
    choices = options.get("choices", [])
    if field_type == "choice" and not choices:
        raise ConfigError(f"{where}.{name}.choices: a choice field needs a list of choices")
    return CustomFieldSpec(
        entity=entity,
        name=name,
        type=field_type,
        label=str(options.get("label", "")),
        choices=tuple(_string_list(choices, f"{where}.{name}.choices")),
        required=bool(options.get("required", False)),
        help=str(options.get("help", "")),
    )


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """The ``sqlite://`` URL of a SQLite file given as a plain path (relative: to the cwd)."""
    return normalise_database_url("sqlite://" + str(Path(path).resolve()), Path.cwd())


def normalise_database_url(url: str, base_dir: Path) -> str:
    """Make a relative SQLite path absolute (relative to the config file's folder).

    tortoise reads everything after ``sqlite://`` as the path, so ``sqlite://crm.db`` is
    relative and ``sqlite:///crm.db`` is ``/crm.db``. A file at the filesystem root is
    refused: it is almost always a relative path written with three slashes.
    """
    if url.startswith("sqlite://"):
        location = url[len("sqlite://") :]
        path_part, _, query = location.partition("?")
        if path_part == ":memory:":
            return url
        if not path_part.startswith("/"):
            path_part = str((base_dir / path_part).resolve())
        if Path(path_part).parent == Path("/"):
            name = Path(path_part).name
            raise ConfigError(
                f"database: {url} would put the database at the filesystem root "
                f"(/{name}); for {name} in this folder write sqlite://{name} (two slashes: "
                "a relative path) or give the plain path; three slashes start an absolute "
                f"path such as sqlite:///var/lib/sampark/{name}"
            )
        return "sqlite://" + path_part + (f"?{query}" if query else "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    raise ConfigError(
        f"database: unsupported database URL {url!r} "
        "(use sqlite:///path/to/file.db or postgres://user@host/dbname)"
    )


def redact_url(url: str) -> str:
    """The database URL with its password replaced by ***, for messages and displays."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url
