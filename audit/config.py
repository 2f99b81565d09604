"""The operator's settings, read once per command: one TOML file, the environment over it, the
command line over both.

The file is `--config FILE`, else MINHBACH_CONFIG, else `minhbach.toml` in the data folder;
`data/minhbach.example.toml` documents every key. The environment variables (read by
pydantic-settings, `Environment` below) are MINHBACH_DATA_DIR, MINHBACH_DATABASE_URL,
MINHBACH_BODIES_DIR, MINHBACH_REDIS_URL, MINHBACH_SMTP_PASSWORD and MINHBACH_WEBHOOK_SECRET.
Every value is checked by its model (pydantic); a bad key or value is one line naming the file,
the key and what is expected (`ConfigError`). The result is a frozen `Settings`, handed down
to whatever needs it: nothing reads the environment or the file again.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from minhbach.audit.words.i18n import N_, _

EXAMPLE = "data/minhbach.example.toml"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


class ConfigError(ValueError):
    """One line: the file, the key and what is wrong with it."""


# -- the values, each with what a good one is (said when a value is bad) ---------------------

def _check(test, good: str):
    def check(value):
        if not test(value):
            raise ValueError(good)
        return value
    return AfterValidator(check)


def _address(value: str) -> bool:
    return value.count("@") == 1 and " " not in value.strip()


def _timezone(value: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


Positive = Annotated[int, _check(lambda v: v > 0, "positive")]
PositiveFloat = Annotated[float, _check(lambda v: v > 0, "positive")]
NonNegative = Annotated[int, _check(lambda v: v >= 0, "non-negative")]
Url = Annotated[str, _check(lambda v: v.startswith(("http://", "https://", "mailto:")), "url")]
HttpUrlText = Annotated[str, _check(lambda v: v == "" or v.startswith(("http://", "https://")), "url")]
Address = Annotated[str, _check(_address, "address")]
RedisUrl = Annotated[str, _check(lambda v: v.startswith(("redis://", "rediss://", "unix://")), "url")]
Name = Annotated[str, _check(lambda v: bool(v.strip()), "name")]
Port = Annotated[int, _check(lambda v: 0 < v < 65536, "port")]
Seconds1 = Annotated[float, _check(lambda v: v >= 1, "seconds")]
TimeZone = Annotated[str, _check(_timezone, "timezone")]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class CrawlSettings(Section):
    page_cap: Positive | None = Field(None, description=N_("a whole number above 0"))
    time_budget: PositiveFloat | None = Field(None, description=N_("seconds, above 0"))
    download_timeout: PositiveFloat | None = Field(None, description=N_("seconds, above 0"))
    depth: NonNegative | None = Field(None, description=N_("a whole number, 0 or more"))
    concurrency: Positive | None = Field(None, description=N_("a whole number above 0"))
    allow_private: bool | None = Field(None, description=N_("true or false"))
    allow_private_hosts: list[str] | None = Field(None, description=N_("a list of HOST[:PORT]"))
    sites_at_once: Positive | None = Field(None, description=N_("a whole number above 0"))
    incremental: bool | None = Field(None, description=N_("true or false"))
    render_js: Literal["auto", "off"] | None = Field(None, description=N_("auto or off"))


class StoreSettings(Section):
    bodies_dir: str | None = Field(None, description=N_("a folder (shared by every worker of a cluster)"))
    auto_upgrade: bool = Field(True, description=N_("true or false"))


class ClusterSection(Section):
    redis_url: RedisUrl = Field("redis://127.0.0.1:6379/0", description=N_("a Redis URL such as redis://127.0.0.1:6379/0"))
    queue: Name = Field("minhbach", description=N_("a queue name"))
    distributed: bool = Field(False, description=N_("true or false"))
    concurrency: Positive = Field(4, description=N_("a whole number above 0"))
    lease_seconds: Seconds1 = Field(60.0, description=N_("seconds, 1 or more"))
    attempts: Positive = Field(3, description=N_("a whole number above 0"))
    redis_outage: PositiveFloat = Field(300.0, description=N_("seconds, above 0"))


Share = Annotated[float, _check(lambda v: 0 < v <= 1, "share")]
# Public hosts that answer anyone: when most sites fail at the network level and none of these
# answers either, the crawler itself is cut off (audit/ops/offline.py).
PROBE_URLS = ["https://www.google.com/generate_204", "https://www.cloudflare.com/cdn-cgi/trace",
              "https://chinhphu.vn/"]


class NightlySettings(Section):
    output_dir: str | None = Field(None, description=N_("a folder"))
    offline_share: Share = Field(0.8, description=N_("a share above 0 and at most 1, such as 0.8"))
    probe_urls: list[HttpUrlText] = Field(default_factory=lambda: list(PROBE_URLS),
                                          description=N_("a list of http(s):// addresses"))


class NotifySettings(Section):
    email_to: list[Address] = Field(default_factory=list, description=N_("a list of e-mail addresses"))
    agency_email: dict[str, list[Address]] = Field(default_factory=dict,
                                                         description=N_('a table of agency code = ["address", ...]'))
    email_from: Address = Field("minhbach@localhost", description=N_("an e-mail address"))
    smtp_host: str = Field("127.0.0.1", description=N_("a host name or address"))
    smtp_port: Port = Field(25, description=N_("a port number, 1-65535"))
    smtp_starttls: bool = Field(False, description=N_("true or false"))
    smtp_username: str = Field("", description=N_("a login name"))
    smtp_password: str = Field("", description=N_("a password (or set MINHBACH_SMTP_PASSWORD)"))
    webhook_url: HttpUrlText = Field("", description=N_("an http(s):// address"))
    webhook_secret: str = Field("", description=N_("a shared secret (or set MINHBACH_WEBHOOK_SECRET)"))
    operator_email: list[Address] = Field(default_factory=list, description=N_("a list of e-mail addresses"))
    language: Literal["vi", "en"] = Field("vi", description=N_("vi or en"))


class RetentionSettings(Section):
    nights: Positive = Field(14, description=N_("a whole number, 1 or more"))
    weekly_months: NonNegative = Field(6, description=N_("a whole number of months, 0 or more"))
    monthly: bool = Field(True, description=N_("true or false"))


class ReportSettings(Section):
    """Who sends the monthly report, to whom and under whose signature: the letterhead of an
    administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I). Empty means the Vietnamese
    default of audit/reports/monthly/letterhead.py (the province's name where it is one)."""

    issuer: str = Field("", description=N_("the reporting department, e.g. Sở Khoa học và Công nghệ"))
    superior: str = Field("", description=N_("the body above it, e.g. UBND tỉnh Hòa Sơn"))
    abbreviation: str = Field("", description=N_("the department's abbreviation in the number, e.g. SKHCN"))
    place: str = Field("", description=N_("the place written before the date, e.g. Hòa Sơn"))
    recipients: list[str] = Field(default_factory=list, description=N_(
        'a list of recipients, e.g. ["UBND tỉnh (để báo cáo)", "Lưu: VT"]'))
    signer_authority: str = Field("", description=N_("the line above the signer's title, e.g. KT. GIÁM ĐỐC"))
    signer_title: str = Field("", description=N_("the signer's title, e.g. GIÁM ĐỐC"))
    signer_name: str = Field("", description=N_("the signer's name (empty: left for the signer to write)"))
    csv_dialect: Literal["comma", "semicolon"] = Field("comma", description=N_(
        "comma (`,` and decimal point) or semicolon (`;` and decimal comma, for a spreadsheet set to Vietnamese)"))


def _ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_network(value, strict=False)
        return True
    except ValueError:
        return False


class WebSettings(Section):
    session_hours: PositiveFloat = Field(12.0, description=N_("hours, above 0 (a session ends this long after login)"))
    idle_minutes: PositiveFloat = Field(60.0, description=N_("minutes, above 0 (a session unused this long ends)"))
    trusted_proxies: list[Annotated[str, _check(_ip, "address")]] = Field(default_factory=list, description=N_(
        "a list of the reverse proxies' addresses (their X-Forwarded-For is believed)"))
    base_url: HttpUrlText = Field("", description=N_("the dashboard's address, such as https://minhbach.tinh.gov.vn"))


class Settings(Section):
    """Everything the operator may set. `source` is the file it was read from (None: no file)."""

    data_dir: Path = Field(default_factory=lambda: _default_data_dir(), description=N_("a folder"))
    database_url: str | None = Field(None, description=N_(
        "an SQLAlchemy URL such as postgresql+psycopg://user@host/minhbach"))
    default_rubric: str | None = Field(None, description=N_("a rubric id, such as nd224-2026"))
    contact_url: Url | None = Field(None, description=N_(
        "an http(s):// or mailto: address where site owners reach you"))
    timezone: TimeZone = Field(DEFAULT_TIMEZONE, description=N_(
        "a time zone name such as Asia/Ho_Chi_Minh (the province's: it dates the nights)"))
    crawl: CrawlSettings = CrawlSettings()
    store: StoreSettings = StoreSettings()
    cluster: ClusterSection = ClusterSection()
    nightly: NightlySettings = NightlySettings()
    notify: NotifySettings = NotifySettings()
    retention: RetentionSettings = RetentionSettings()
    report: ReportSettings = ReportSettings()
    web: WebSettings = WebSettings()
    source: Path | None = Field(None, exclude=True)

    # -- what is derived from the values -------------------------------------------------

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # stored pages, accounts, the secret
        return self.data_dir

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'minhbach.sqlite'}"

    @property
    def bodies_dir(self) -> Path:
        """The stored bodies: `data_dir/bodies`, or a folder every worker of a cluster mounts."""
        return Path(self.store.bodies_dir).expanduser() if self.store.bodies_dir else self.data_dir / "bodies"

    @property
    def nightly_dir(self) -> Path:
        return Path(self.nightly.output_dir).expanduser() if self.nightly.output_dir else self.data_dir / "nightly"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    def keys(self) -> set[str]:
        """The dotted keys the file set ("crawl.page_cap"), for documentation checks."""
        return _dotted(self.model_dump(exclude_unset=True, exclude={"source"}))


class Environment(BaseSettings):
    """The environment variables that win over the file (pydantic-settings reads them)."""

    model_config = SettingsConfigDict(env_prefix="MINHBACH_", extra="ignore", frozen=True)
    config: str | None = None
    data_dir: str | None = None
    database_url: str | None = None
    bodies_dir: str | None = None
    redis_url: str | None = None
    smtp_password: str | None = None
    webhook_secret: str | None = None

    def overrides(self) -> dict[str, Any]:
        """The nested keys these variables set, as the file would."""
        where = {"data_dir": ("data_dir",), "database_url": ("database_url",), "bodies_dir": ("store", "bodies_dir"),
                 "redis_url": ("cluster", "redis_url"), "smtp_password": ("notify", "smtp_password"),
                 "webhook_secret": ("notify", "webhook_secret")}
        values: dict[str, Any] = {}
        for name, path in where.items():
            value = getattr(self, name)
            if value:
                _set(values, path, value)
        return values


def all_keys(model: type[BaseModel] = Settings, prefix: str = "") -> set[str]:
    """Every key a settings file may set, dotted ("crawl.page_cap")."""
    keys = set()
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys |= all_keys(annotation, f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


# -- loading -------------------------------------------------------------------------------

def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "minhbach"


def config_path(explicit: Path | None = None, environment: Environment | None = None) -> Path | None:
    """`--config FILE`, else MINHBACH_CONFIG, else minhbach.toml in the data folder (if any)."""
    environment = environment or Environment()
    if explicit is not None:
        return Path(explicit).expanduser()
    if environment.config:
        return Path(environment.config).expanduser()
    data = Path(environment.data_dir).expanduser() if environment.data_dir else _default_data_dir()
    candidate = data / "minhbach.toml"
    return candidate if candidate.is_file() else None


def read_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(_("{path}: configuration file not found").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(_("{path}: cannot be read ({error})").format(path=path, error=error)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_("{path}: not valid TOML: {error}").format(path=path, error=error)) from None


def load(config_file: Path | None = None, *, use_environment: bool = True, **overrides: Any) -> Settings:
    """The settings of one command: the file, then the environment, then `overrides` (the
    command line's, as nested keys: data_dir=..., crawl={"page_cap": 4})."""
    environment = Environment() if use_environment else Environment.model_construct()
    path = config_path(config_file, environment) if use_environment or config_file else None
    values = read_file(path) if path is not None else {}
    where = str(path) if path is not None else _("settings")
    for source in (environment.overrides() if use_environment else {}, overrides):
        values = _merged(values, source)
    if "data_dir" in values and isinstance(values["data_dir"], str):
        values["data_dir"] = Path(values["data_dir"]).expanduser()
    try:
        return Settings.model_validate({**values, "source": path})
    except ValidationError as error:
        raise ConfigError(_message(where, values, error.errors()[0])) from None


def _message(where: str, values: dict, problem: ErrorDetails) -> str:
    """One line for pydantic's first problem: the key as the file writes it, what a good value is."""
    model: type[BaseModel] | None = Settings
    parts, field = [], None
    for part in problem["loc"]:   # down the fields; an index or a table key ends the key
        field = model.model_fields.get(str(part)) if model is not None else None
        if field is None:
            break
        parts.append(str(part))
        annotation = field.annotation
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    key = ".".join(parts) or ".".join(str(p) for p in problem["loc"])
    if problem["type"] == "extra_forbidden":
        return _("{path}: {key}: unknown key (see {example})").format(
            path=where, key=".".join(str(p) for p in problem["loc"]), example=EXAMPLE)
    field = _field(key)
    described = _(field.description) if field is not None and field.description else problem["msg"]
    return _("{path}: {key}: {good}, not {value!r}").format(path=where, key=key, good=described,
                                                          value=_value_at(values, key))


def _field(key: str):
    model: type[BaseModel] = Settings
    field = None
    for part in key.split("."):
        field = model.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return field


def _value_at(values: dict, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(values, dict) or part not in values:
            return None
        values = values[part]
    return str(values) if isinstance(values, Path) else values


def _merged(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _set(values: dict, path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        values = values.setdefault(part, {})
    values[path[-1]] = value


def _dotted(values: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, value in values.items():
        if isinstance(value, dict) and key not in ("agency_email",):
            keys |= _dotted(value, f"{prefix}{key}.")
        else:
            keys.add(f"{prefix}{key}")
    return keys
