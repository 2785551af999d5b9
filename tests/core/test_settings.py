"""sampark.toml: defaults, paths, secrets, environment overrides and every error's wording."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest

from sampark.config import EXAMPLE_PATH, PROFILES, profile_path
from sampark.core.custom_fields import CustomFieldSpec
from sampark.core.errors import ConfigError
from sampark.core.kernel import Sampark
from sampark.core.manifest import PluginManifest
from sampark.core.plugins import PluginSet
from sampark.core.settings import load_settings, normalise_database_url
from sampark.core.typed_config import build_config


def write_config(folder: Path, text: str, name: str = "sampark.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- defaults and locating the file --------------------------------------------------------


def test_an_empty_config_gives_the_defaults(tmp_path: Path) -> None:
    path = write_config(tmp_path, "")
    settings = load_settings(path, env={})
    assert settings.database_url == f"sqlite://{tmp_path.resolve() / 'sampark.db'}"
    assert settings.plugins == ()
    assert settings.phone_region is None
    assert settings.currency == "USD"
    assert settings.account_kinds == ()
    assert settings.interaction_kinds == ()
    assert settings.custom_fields == ()
    assert settings.plugin_tables == {}
    assert settings.path == path.resolve()


def test_without_a_config_file_the_database_is_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.path is None
    assert settings.database_url == f"sqlite://{tmp_path.resolve() / 'sampark.db'}"


def test_sampark_toml_in_the_working_folder_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, 'currency = "EUR"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings(env={}).currency == "EUR"


def test_sampark_config_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(tmp_path / "etc", 'currency = "GBP"\n', name="crm.toml")
    monkeypatch.setenv("SAMPARK_CONFIG", str(path))
    settings = load_settings()
    assert settings.currency == "GBP"
    assert settings.path == path.resolve()


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_a_named_config_file_that_is_missing_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=r"nope\.toml does not exist \(create it with: sampark"):
        if how == "argument":
            load_settings(missing)
        else:
            monkeypatch.setenv("SAMPARK_CONFIG", str(missing))
            load_settings()


def test_a_database_url_can_stand_in_for_a_config_file() -> None:
    settings = load_settings("postgres://crm@db.internal/crm", env={})
    assert settings.database_url == "postgres://crm@db.internal/crm"
    assert settings.path is None


# -- database URLs ---------------------------------------------------------------------------


def test_a_relative_sqlite_path_is_resolved_next_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path / "site", 'database = "sqlite://data/crm.db?busy_timeout=9000"\n')
    monkeypatch.chdir(tmp_path)  # the working folder must not matter
    settings = load_settings(path, env={})
    expected = (tmp_path / "site" / "data" / "crm.db").resolve()
    assert settings.database_url == f"sqlite://{expected}?busy_timeout=9000"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///var/lib/sampark/crm.db",
        "sqlite://:memory:",
        "postgres://crm:pw@localhost:5432/crm",
        "postgresql://crm@localhost/crm",
    ],
)
def test_absolute_and_server_urls_are_kept_as_they_are(url: str, tmp_path: Path) -> None:
    assert normalise_database_url(url, tmp_path) == url


@pytest.mark.parametrize("url", ["sqlite:///crm.db", "sqlite:///crm.db?busy_timeout=9000"])
def test_a_database_at_the_filesystem_root_is_refused_with_the_relative_form(
    url: str, tmp_path: Path
) -> None:
    """tortoise reads ``sqlite:///crm.db`` as /crm.db: almost always a relative path meant."""
    with pytest.raises(ConfigError, match=r"filesystem root \(/crm\.db\); .* sqlite://crm\.db"):
        normalise_database_url(url, tmp_path)
    path = write_config(tmp_path, f'database = "{url}"\n')
    with pytest.raises(ConfigError, match="filesystem root"):
        load_settings(path, env={})


def test_an_unsupported_database_is_refused_with_the_forms_that_work(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'database = "mysql://crm@localhost/crm"\n')
    with pytest.raises(ConfigError, match=r"unsupported database URL 'mysql://.*sqlite:///"):
        load_settings(path, env={})


def test_a_database_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path, "database = 5\n")
    with pytest.raises(ConfigError, match=r"database must be a URL string \(got 5\)"):
        load_settings(path, env={})


# -- secrets and environment overrides -------------------------------------------------------


def test_env_tables_are_replaced_by_the_variables_value(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        'database = { "$env" = "CRM_DB" }\n'
        'plugins = [{ "$env" = "FIRST_PLUGIN" }]\n'
        '[plugin.mailer]\npassword = { "$env" = "MAIL_PASSWORD" }\n',
    )
    env = {
        "CRM_DB": "postgres://crm:s3cret@db/crm",
        "FIRST_PLUGIN": "mailer",
        "MAIL_PASSWORD": "hunter2",
    }
    settings = load_settings(path, env=env)
    assert settings.database_url == "postgres://crm:s3cret@db/crm"
    assert settings.plugins == ("mailer",)
    assert settings.plugin_tables == {"mailer": {"password": "hunter2"}}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('database = { "$env" = "CRM_DB" }\n', "database"),
        ('[plugin.mailer]\npassword = { "$env" = "CRM_DB" }\n', "plugin.mailer.password"),
        ('plugins = ["a", { "$env" = "CRM_DB" }]\n', r"plugins\[1\]"),
    ],
)
def test_an_unset_secret_names_the_setting_and_the_variable(
    tmp_path: Path, text: str, where: str
) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError, match=rf"^{where}: environment variable CRM_DB is not set$"):
        load_settings(path, env={})


def test_sampark_database_url_replaces_the_configured_database(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'database = "sqlite://crm.db"\n')
    settings = load_settings(path, env={"SAMPARK_DATABASE_URL": "postgres://ci@localhost/ci"})
    assert settings.database_url == "postgres://ci@localhost/ci"


def test_sampark_database_url_is_read_from_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path, "")
    monkeypatch.setenv("SAMPARK_DATABASE_URL", "sqlite://relative.db")
    # A relative override is resolved like the file's own setting: next to the file.
    assert load_settings(path).database_url == f"sqlite://{tmp_path.resolve() / 'relative.db'}"


def test_sampark_plugins_replaces_the_list_and_ignores_blanks(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'plugins = ["tickets"]\n')
    settings = load_settings(path, env={"SAMPARK_PLUGINS": " hello, ,invoices,hello "})
    assert settings.plugins == ("hello", "invoices")


def test_an_empty_sampark_plugins_switches_every_plugin_off(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'plugins = ["tickets"]\n')
    assert load_settings(path, env={"SAMPARK_PLUGINS": ""}).plugins == ()


def test_the_plugins_argument_wins_over_config_and_environment(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'plugins = ["tickets"]\n')
    settings = load_settings(path, plugins=["hello"], env={"SAMPARK_PLUGINS": "invoices"})
    assert settings.plugins == ("hello",)


# -- top-level settings ----------------------------------------------------------------------


def test_an_unknown_setting_is_named_with_the_known_ones(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'databse = "sqlite://x.db"\n')
    with pytest.raises(
        ConfigError, match=r"unknown setting 'databse' \(known settings: .*database"
    ):
        load_settings(path, env={})


@pytest.mark.parametrize("value", ['"usd"', '"EURO"', "978"])
def test_a_bad_currency_is_refused(tmp_path: Path, value: str) -> None:
    path = write_config(tmp_path, f"currency = {value}\n")
    with pytest.raises(ConfigError, match=r"currency must be an ISO 4217 code like EUR \(got "):
        load_settings(path, env={})


def test_phone_region_is_upper_cased(tmp_path: Path) -> None:
    assert load_settings(write_config(tmp_path, 'phone_region = "in"\n'), env={}).phone_region == (
        "IN"
    )


@pytest.mark.parametrize("value", ['"XX"', '"India"', "91"])
def test_a_bad_phone_region_is_refused(tmp_path: Path, value: str) -> None:
    path = write_config(tmp_path, f"phone_region = {value}\n")
    with pytest.raises(ConfigError, match=r"phone_region must be a two-letter country code"):
        load_settings(path, env={})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('plugins = "hello"\n', r"plugins must be a list of names \(got 'hello'\)"),
        ("account_kinds = [1]\n", r"account_kinds must be a list of names"),
        ('interaction_kinds = "visit"\n', r"interaction_kinds must be a list of names"),
        ("plugin = { hello = 5 }\n", r"\[plugin.<name>\] entries must be tables"),
    ],
)
def test_lists_and_tables_of_the_wrong_shape_are_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(write_config(tmp_path, text), env={})


def test_kinds_and_plugins_are_kept_in_order_without_repeats(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        'plugins = ["b", "a", "b"]\naccount_kinds = ["reseller"]\n'
        'interaction_kinds = ["whatsapp", "site_visit"]\n',
    )
    settings = load_settings(path, env={})
    assert settings.plugins == ("b", "a")
    assert settings.account_kinds == ("reseller",)
    assert settings.interaction_kinds == ("whatsapp", "site_visit")


def test_configured_kinds_join_the_core_kinds(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'account_kinds = ["reseller", "customer"]\n')
    kernel = Sampark(load_settings(path, env={}), PluginSet([], available={}))
    assert kernel.account_kinds[-1] == "reseller"
    assert kernel.account_kinds.count("customer") == 1


def test_a_file_that_is_not_toml_is_refused_with_its_path(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'database = "sqlite://x.db\nplugins = [\n')
    with pytest.raises(ConfigError, match=r"sampark\.toml: not valid TOML: "):
        load_settings(path, env={})


# -- custom fields ---------------------------------------------------------------------------


def test_custom_fields_are_declared_per_record_type(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        "[custom_fields.contact]\n"
        'anniversary = "date"\n'
        'tier = { type = "choice", choices = ["gold", "silver"], required = true }\n'
        "[custom_fields.account]\n"
        'gstin = { label = "GSTIN", help = "15 characters" }\n',
    )
    fields = {(spec.entity, spec.name): spec for spec in load_settings(path, env={}).custom_fields}
    assert fields[("contact", "anniversary")] == CustomFieldSpec("contact", "anniversary", "date")
    tier = fields[("contact", "tier")]
    assert (tier.type, tier.choices, tier.required, tier.label) == (
        "choice",
        ("gold", "silver"),
        True,
        "Tier",
    )
    gstin = fields[("account", "gstin")]
    assert (gstin.type, gstin.label, gstin.help, gstin.source) == (
        "text",
        "GSTIN",
        "15 characters",
        "config",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('custom_fields = "tier"\n', r"custom_fields must be a table"),
        ("[custom_fields.lead]\nx = 'text'\n", r"custom_fields\.lead: unknown record type"),
        ("[custom_fields]\ncontact = 5\n", r"custom_fields\.contact must be a table"),
        (
            "[custom_fields.contact]\nx = 'colour'\n",
            r"custom_fields\.contact\.x\.type: must be one of text, number, .* \(got 'colour'\)",
        ),
        (
            "[custom_fields.contact]\ntier = { type = 'choice' }\n",
            r"custom_fields\.contact\.tier\.choices: a choice field needs a list of choices",
        ),
        (
            "[custom_fields.contact]\ntier = { type = 'text', colour = 'red' }\n",
            r"custom_fields\.contact\.tier: unknown option 'colour'",
        ),
        (
            "[custom_fields.contact]\n'first-visit' = 'date'\n",
            r"custom_fields\.contact\.first-visit: a field name must be letters, digits and _",
        ),
        ("[custom_fields.contact]\nx = 5\n", r"custom_fields\.contact\.x: must be a table"),
        (
            "[custom_fields.contact]\nx = { type = 'choice', choices = [1, 2] }\n",
            r"custom_fields\.contact\.x\.choices must be a list of names",
        ),
    ],
)
def test_bad_custom_field_declarations_name_the_field(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(write_config(tmp_path, text), env={})


# -- plugin tables checked against the plugin's schema ---------------------------------------


@dataclasses.dataclass(frozen=True)
class MailerConfig:
    host: str
    port: int = 587
    tls: bool = True
    mode: Literal["smtp", "api"] = "smtp"
    retry_after_seconds: float = 30.0
    cc: list[str] = dataclasses.field(default_factory=list)
    signature: str | None = None


MAILER = PluginManifest(label="mailer", name="Mailer", version="1.0", config_schema=MailerConfig)
BARE = PluginManifest(label="bare", name="Bare", version="1.0")


def plugin_set(tmp_path: Path, text: str, plugins: list[str]) -> PluginSet:
    settings = load_settings(write_config(tmp_path, text), plugins=plugins, env={})
    return PluginSet(
        settings.plugins, settings.plugin_tables, available={"mailer": MAILER, "bare": BARE}
    )


def test_a_plugin_table_becomes_the_plugins_config_object(tmp_path: Path) -> None:
    plugins = plugin_set(
        tmp_path,
        '[plugin.mailer]\nhost = "smtp.example.in"\nretry_after_seconds = 5\ncc = ["a@x.in"]\n',
        ["mailer"],
    )
    assert plugins.configs["mailer"] == MailerConfig(
        host="smtp.example.in", retry_after_seconds=5.0, cc=["a@x.in"]
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('host = "h"\nhots = "x"', r"plugin\.mailer: unknown setting 'hots' \(known settings: cc,"),
        ("port = 25", r"plugin\.mailer\.host: is required"),
        ('host = "h"\nport = "25"', r"plugin\.mailer\.port: must be a whole number \(got '25'\)"),
        ('host = "h"\nport = true', r"plugin\.mailer\.port: must be a whole number \(got True\)"),
        ('host = "h"\ntls = "yes"', r"plugin\.mailer\.tls: must be true or false \(got 'yes'\)"),
        ('host = "h"\nmode = "pop"', r"plugin\.mailer\.mode: must be one of 'smtp', 'api'"),
        ('host = "h"\ncc = "a@x.in"', r"plugin\.mailer\.cc: must be a list \(got 'a@x.in'\)"),
        ('host = "h"\ncc = ["a", 2]', r"plugin\.mailer\.cc\[1\]: must be text \(got 2\)"),
        ('host = "h"\nsignature = 3', r"plugin\.mailer\.signature: 3 is not "),
    ],
)
def test_a_bad_plugin_setting_names_the_key(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        plugin_set(tmp_path, f"[plugin.mailer]\n{table}\n", ["mailer"])


def test_a_table_for_a_plugin_that_is_not_installed_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"plugin\.mailr: no plugin with that name is installed"):
        plugin_set(tmp_path, '[plugin.mailr]\nhost = "h"\n', [])


def test_a_table_for_a_plugin_without_settings_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"plugin\.bare: plugin bare takes no settings"):
        plugin_set(tmp_path, "[plugin.bare]\nx = 1\n", ["bare"])


def test_a_table_of_a_disabled_plugin_is_kept_but_not_built(tmp_path: Path) -> None:
    plugins = plugin_set(tmp_path, '[plugin.mailer]\nhost = "h"\n', [])
    assert plugins.configs == {}


@dataclasses.dataclass
class Pricing:
    rate: Decimal = Decimal("0")
    discounts: dict[str, int] = dataclasses.field(default_factory=dict)
    tiers: tuple[str, ...] = ()


def test_build_config_handles_decimals_and_nested_tables() -> None:
    built = build_config(
        Pricing, {"rate": "18.5", "discounts": {"gold": 10}, "tiers": ["a", "b"]}, "plugin.x"
    )
    assert built == Pricing(Decimal("18.5"), {"gold": 10}, ("a", "b"))
    with pytest.raises(ConfigError, match=r"plugin\.x\.rate: must be a decimal number"):
        build_config(Pricing, {"rate": "lots"}, "plugin.x")
    with pytest.raises(ConfigError, match=r"plugin\.x\.discounts\.gold: must be a whole number"):
        build_config(Pricing, {"discounts": {"gold": "ten"}}, "plugin.x")
    with pytest.raises(ConfigError, match=r"plugin\.x\.discounts: must be a table"):
        build_config(Pricing, {"discounts": [1]}, "plugin.x")


# -- the shipped example and profiles --------------------------------------------------------


PROFILE_PLUGINS = {"nonprofit": (), "servicedesk": ("tickets", "contracts"), "shop": ("pipeline",)}


@pytest.mark.parametrize("name", PROFILES)
def test_each_profile_is_a_valid_config(name: str) -> None:
    path = profile_path(name)
    settings = load_settings(path, env={})
    # The installed plugins check the profile's [plugin.*] tables as a start would.
    kernel = Sampark(settings, PluginSet(settings.plugins, settings.plugin_tables))
    assert settings.plugins == PROFILE_PLUGINS[name]
    assert settings.phone_region and settings.currency
    assert settings.account_kinds and settings.interaction_kinds
    assert kernel.custom_fields["contact"] and kernel.custom_fields["account"]
    assert settings.database_url == f"sqlite://{path.parent / 'sampark.db'}"


def test_the_example_config_is_valid_and_shows_every_setting() -> None:
    settings = load_settings(EXAMPLE_PATH, env={})
    Sampark(settings, PluginSet(settings.plugins, settings.plugin_tables, available={}))
    text = EXAMPLE_PATH.read_text(encoding="utf-8")
    from sampark.core.settings import TOP_LEVEL_KEYS

    for key in TOP_LEVEL_KEYS:
        shown = (f"\n{key} = ", f"[{key}.", f"# [{key}.", f"[{key}]", f"# [{key}]")
        assert any(form in text for form in shown), key


def test_profiles_are_found_by_name_and_unknown_names_list_the_choices() -> None:
    assert profile_path("shop").name == "shop.toml"
    assert all(profile_path(name).is_file() for name in PROFILES)
    with pytest.raises(ConfigError, match=r"unknown profile 'school' \(available profiles: "):
        profile_path("school")
    shipped = sorted(path.stem for path in profile_path("shop").parent.glob("*.toml"))
    assert shipped == sorted(PROFILES)


def test_sampark_config_in_the_given_environment_chooses_the_file(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text('currency = "EUR"\n', encoding="utf-8")
    settings = load_settings(env={"SAMPARK_CONFIG": str(config)})
    assert settings.currency == "EUR"
    assert settings.path == config.resolve()


def test_roles_from_config_with_wildcards_and_scope(tmp_path: Path) -> None:
    config = tmp_path / "sampark.toml"
    config.write_text(
        '[roles.fundraiser]\npermissions = ["contacts.*", "accounts.read"]\nscope = "own"\n',
        encoding="utf-8",
    )
    (role,) = load_settings(config).roles
    assert (role.name, role.scope) == ("fundraiser", "own")
    assert role.permissions(["contacts.read", "contacts.delete", "accounts.write"]) == {
        "contacts.read",
        "contacts.delete",
    }


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[roles.admin]\npermissions = ["*"]\n', "roles.admin: 'admin' is a built-in role"),
        ('[roles.x]\nscope = "mine"\n', "roles.x.scope: must be 'all' or 'own'"),
        ('[roles.x]\ncolour = "red"\n', "roles.x: unknown option 'colour'"),
    ],
)
def test_bad_roles_are_named(tmp_path: Path, table: str, message: str) -> None:
    config = tmp_path / "sampark.toml"
    config.write_text(table, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(config)
