"""The shipped source registry: it loads, it covers every federal subject once, and users can extend it.

The registry ships inside the package (``crawler/registry/sources.yaml``, package data: a wheel carries it) and
must load with the project's own validation (``load_sources``/``load_config``), with unique ids, real IANA zones,
one entry for each of the 85 federal subjects plus the State Duma; ``config/sources.yaml`` includes it as
``dumawatch:registry``; a user's file can ``include:`` it, switch entries off with ``enabled: false``, override and
add entries; ``--source`` and ``--region`` narrow the selection.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from crawler.commands.runner import select_sources
from crawler.config import REGISTRY, REGISTRY_INCLUDE, SOURCE_ID, load_config, load_sources
from crawler.errors import ConfigError

from conftest import REPO

SHIPPED = REGISTRY
DEFAULT_SOURCES = REPO / "config" / "sources.yaml"

REPUBLICS = [
    "Республика Адыгея", "Республика Алтай", "Республика Башкортостан", "Республика Бурятия",
    "Республика Дагестан", "Республика Ингушетия", "Кабардино-Балкарская Республика", "Республика Калмыкия",
    "Карачаево-Черкесская Республика", "Республика Карелия", "Республика Коми", "Республика Крым",
    "Республика Марий Эл", "Республика Мордовия", "Республика Саха (Якутия)",
    "Республика Северная Осетия – Алания", "Республика Татарстан", "Республика Тыва", "Удмуртская Республика",
    "Республика Хакасия", "Чеченская Республика", "Чувашская Республика",
]
KRAIS = [
    "Алтайский край", "Забайкальский край", "Камчатский край", "Краснодарский край", "Красноярский край",
    "Пермский край", "Приморский край", "Ставропольский край", "Хабаровский край",
]
OBLASTS = [
    "Амурская область", "Архангельская область", "Астраханская область", "Белгородская область",
    "Брянская область", "Владимирская область", "Волгоградская область", "Вологодская область",
    "Воронежская область", "Ивановская область", "Иркутская область", "Калининградская область",
    "Калужская область", "Кемеровская область – Кузбасс", "Кировская область", "Костромская область",
    "Курганская область", "Курская область", "Ленинградская область", "Липецкая область",
    "Магаданская область", "Московская область", "Мурманская область", "Нижегородская область",
    "Новгородская область", "Новосибирская область", "Омская область", "Оренбургская область",
    "Орловская область", "Пензенская область", "Псковская область", "Ростовская область",
    "Рязанская область", "Самарская область", "Саратовская область", "Сахалинская область",
    "Свердловская область", "Смоленская область", "Тамбовская область", "Тверская область",
    "Томская область", "Тульская область", "Тюменская область", "Ульяновская область",
    "Челябинская область", "Ярославская область",
]
FEDERAL_CITIES = ["Москва", "Санкт-Петербург", "Севастополь"]
AUTONOMOUS = [
    "Еврейская автономная область", "Ненецкий автономный округ", "Ханты-Мансийский автономный округ – Югра",
    "Чукотский автономный округ", "Ямало-Ненецкий автономный округ",
]
FEDERAL_SUBJECTS = REPUBLICS + KRAIS + OBLASTS + FEDERAL_CITIES + AUTONOMOUS
ANNEXED_2022 = ["Донецкая Народная Республика", "Луганская Народная Республика", "Запорожская область",
                "Херсонская область"]


@pytest.fixture(scope="module")
def shipped():
    return load_sources(SHIPPED)


def test_the_list_of_subjects_in_this_test_is_right():
    assert len(FEDERAL_SUBJECTS) == 85
    assert (len(REPUBLICS), len(KRAIS), len(OBLASTS), len(FEDERAL_CITIES), len(AUTONOMOUS)) == (22, 9, 46, 3, 5)
    assert len(set(FEDERAL_SUBJECTS)) == 85


def test_shipped_registry_loads_with_unique_ids_and_real_zones(shipped):
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["sources"]
    ids = [entry["id"] for entry in raw]
    assert len(ids) == len(set(ids)) == len(shipped) == 86
    for source in shipped:
        assert SOURCE_ID.match(source.id)
        assert source.name and source.region and source.url.startswith(("http://", "https://"))
        assert ZoneInfo(source.timezone).key == source.timezone
        assert source.enabled
    for entry in raw:  # facts only: the evidence of the shared registry stays out of the project's config
        assert not {"verified", "evidence"} & set(entry), entry["id"]


def test_every_federal_subject_is_present_exactly_once(shipped):
    regions = Counter(source.region for source in shipped)
    assert regions.pop("Российская Федерация") == 1
    assert sorted(regions) == sorted(FEDERAL_SUBJECTS)
    assert set(regions.values()) == {1}
    by_id = {source.id: source for source in shipped}
    assert by_id["gosduma"].name.startswith("Государственная Дума")
    assert by_id["mosgorduma"].name == "Московская городская Дума" and by_id["mosgorduma"].region == "Москва"


def test_capitals_time_zones_spot_checks(shipped):
    zone = {source.region: source.timezone for source in shipped}
    assert zone["Калининградская область"] == "Europe/Kaliningrad"
    assert zone["Камчатский край"] == "Asia/Kamchatka"
    assert zone["Кемеровская область – Кузбасс"] == "Asia/Novokuznetsk"
    assert zone["Волгоградская область"] == "Europe/Volgograd"
    assert zone["Республика Саха (Якутия)"] == "Asia/Yakutsk"
    assert zone["Чукотский автономный округ"] == "Asia/Anadyr"


def test_2022_territories_are_a_commented_out_section_and_crimea_carries_a_note(shipped):
    text = SHIPPED.read_text(encoding="utf-8")
    regions = {source.region for source in shipped}
    for region in ANNEXED_2022:
        assert region not in regions
        assert f"#    region: {region}" in text, region
    lines = text.splitlines()
    for sid in ("crimea_gs", "sevzakon"):
        at = lines.index(f"  - id: {sid}")
        comment = " ".join(line.strip("# ") for line in lines[at - 3:at] if line.lstrip().startswith("#"))
        assert "2014" in comment and "Ukraine" in comment, sid


def write_user_sources(tmp_path, entries: list[dict]):
    """A user's dumawatch.yaml whose sources.yaml includes the shipped registry and adds ``entries``."""
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(
        {"include": [REGISTRY_INCLUDE], "sources": entries}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "watchlist.yaml").write_text("names: []\ntopics: []\n", encoding="utf-8")
    (tmp_path / "dumawatch.yaml").write_text(
        "sources: sources.yaml\nwatchlist: watchlist.yaml\nstate: data/state.sqlite3\nfeeds: feeds\n",
        encoding="utf-8")
    return load_config(tmp_path / "dumawatch.yaml")


OWN = {"id": "volgograd_gorduma", "name": "Волгоградская городская Дума", "region": "Волгоградская область",
       "url": "https://volgsovet.ru/", "timezone": "Europe/Volgograd"}


def test_include_extends_overrides_and_switches_off(tmp_path, shipped):
    config = write_user_sources(tmp_path, [
        {"id": "gosduma", "enabled": False},
        {"id": "zskuzbass", "listing": ["https://zskuzbass.ru/press-czentr/novosti/novosti-parlamenta/"]},
        OWN,
    ])
    by_id = {source.id: source for source in config.sources}
    assert len(config.sources) == len(shipped) + 1
    assert not by_id["gosduma"].enabled and by_id["gosduma"].url == "http://duma.gov.ru/"
    assert "gosduma" not in {source.id for source in config.enabled_sources}
    assert by_id["zskuzbass"].listing == ("https://zskuzbass.ru/press-czentr/novosti/novosti-parlamenta/",)
    assert by_id["zskuzbass"].timezone == "Asia/Novokuznetsk"   # the rest of the shipped entry is kept
    assert by_id["volgograd_gorduma"].name == "Волгоградская городская Дума"
    assert len(config.enabled_sources) == len(shipped)


def test_source_and_region_select(tmp_path):
    config = write_user_sources(tmp_path, [{"id": "gosduma", "enabled": False}, OWN])
    assert [s.id for s in select_sources(config, ["volgoduma", "zskuzbass"])] == ["volgoduma", "zskuzbass"]
    assert [s.id for s in select_sources(config, ["gosduma"])] == ["gosduma"]  # named: checked even if off
    assert {s.id for s in select_sources(config, regions=["волгоград"])} == {"volgoduma", "volgograd_gorduma"}
    assert [s.id for s in select_sources(config, regions=["Российская"])] == []   # switched off
    kuzbass_or_crimea = select_sources(config, regions=["Кузбасс", "Крым"])
    assert {s.id for s in kuzbass_or_crimea} == {"zskuzbass", "crimea_gs"}
    with pytest.raises(ConfigError, match="no source with id 'nosuch'"):
        select_sources(config, ["nosuch"])


def test_shipped_default_config_loads():
    config = load_config(REPO / "config" / "dumawatch.yaml")
    assert len(config.enabled_sources) >= 86


def test_the_default_config_and_an_include_of_it_give_the_whole_registry(shipped, tmp_path):
    """``config/sources.yaml`` includes the packaged registry; a user's file written for the layout before it
    (``include: [../config/sources.yaml]``) still gets every entry."""
    assert [s.id for s in load_sources(DEFAULT_SOURCES)] == [s.id for s in shipped]
    user = tmp_path / "mine"
    user.mkdir()
    relative = Path(os.path.relpath(DEFAULT_SOURCES, user))
    (user / "sources.yaml").write_text(yaml.safe_dump({"include": [str(relative)], "sources": [
        {"id": "gosduma", "enabled": False}]}), encoding="utf-8")
    loaded = {s.id: s for s in load_sources(user / "sources.yaml")}
    assert len(loaded) == 86 and not loaded["gosduma"].enabled


@pytest.mark.e2e
def test_a_wheel_carries_the_registry(tmp_path):
    """Built as users install it: the wheel holds the registry, the migrations and the demo sites."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path), str(REPO)], check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("dumawatch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packaged = [n for n in names if n.endswith("registry/sources.yaml")]
    assert packaged, sorted(names)[:20]
    assert zipfile.ZipFile(wheel).read(packaged[0]) == SHIPPED.read_bytes()
    assert any(n.endswith("versions/0001_baseline.py") for n in names)
    assert any("demo_sites/" in n for n in names)
