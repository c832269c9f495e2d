"""One settings object from the environment, each field documented."""

import pytest

from pharmreg.settings import Settings, SettingsError

BASE = {"DATABASE_URL": "postgresql://u@h/db", "REDIS_URL": "redis://r:6379/0"}


def test_reads_environment_and_parses_lists() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "PHARMREG_PLACEMENTS": "west=postgresql://u@w/db, east=postgresql://u@e/db",
            "PHARMREG_DB_POOL_SIZE": "4",
        }
    )
    assert settings.placements == {"west": "postgresql://u@w/db", "east": "postgresql://u@e/db"}
    assert settings.db_pool_size == 4


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"REDIS_URL": "redis://r"}, "DATABASE_URL is not set"),
        ({**BASE, "PHARMREG_PLACEMENTS": "west"}, "not name=url"),
        ({**BASE, "PHARMREG_DB_POOL_SIZE": "0"}, ">= 1"),
        ({**BASE, "PHARMREG_DB_POOL_SIZE": "many"}, "int"),
        ({**BASE, "PHARMREG_ENV": "production"}, "PHARMREG_SECRET_KEY must be set"),
        ({**BASE, "PHARMREG_TRUSTED_PROXIES": "10.0.0.1,proxy.internal"}, "not an IP address or network"),
    ],
)
def test_refuses_bad_environment(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)


def test_development_secret_is_stable_across_processes() -> None:
    assert Settings.from_env(BASE).secret_key == Settings.from_env(BASE).secret_key


def test_every_field_is_documented() -> None:
    rows = Settings.describe()
    assert len(rows) == len(Settings.__struct_fields__)
    for env, _default, text in rows:
        assert env and text, env


def test_paths_from_environment(tmp_path) -> None:
    settings = Settings.from_env({**BASE, "PHARMREG_TENANTS_DIR": str(tmp_path)})
    assert settings.tenants_dir == tmp_path


def test_no_proxy_is_trusted_unless_named() -> None:
    assert Settings.from_env(BASE).trusted_proxies == []
    named = Settings.from_env({**BASE, "PHARMREG_TRUSTED_PROXIES": " 10.0.0.5, 10.1.0.0/24 ,"})
    assert named.trusted_proxies == ["10.0.0.5", "10.1.0.0/24"]
    _env, default, text = next(row for row in Settings.describe() if row[0] == "PHARMREG_TRUSTED_PROXIES")
    assert default == "[]" and "no proxy is trusted" in text and "X-Forwarded-For" in text
