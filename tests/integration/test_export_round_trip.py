"""Every export loads back with ``update`` and changes nothing.

For every writable object of the sandbox, with every field type it has (text with commas,
quotes, line breaks, backslashes and look-alikes of missing values, numbers at their limits,
dates and datetimes far apart, booleans, single and multi-value picklists, references,
lookups, formulas, object types, a raw object), records are seeded, exported with
``vault-pandas export`` (CSV and Parquet) and loaded back by ``vault-pandas update`` (by
``id``): every row must come back ``WARNING`` with ``NO_DATA_CHANGES`` (Vault's answer to a
row whose values equal the stored ones) and every stored field must be what it was. The
same holds in memory: ``read`` then ``df.vault.update``. ``object_type__v`` is left out: no
write may change its records (Vault refuses the request whatever its values).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from vault_pandas import cli
from vault_pandas.read.vql import read

OBJECTS = ("product__v", "site__c", "bicycle__c", "event_log__c")
UNCHANGED = "NO_DATA_CHANGES"

PRODUCTS: list[dict[str, str]] = [
    {  # every field given, in awkward forms
        "name__v": 'Cholecap, "the" one',
        "external_id__v": "007",
        "generic_name__vs": " spaced ",
        "description__c": 'line 1\r\nline 2, "quoted" \\ back\\\\slash ünï€😀\nend',
        "product_family__c": "biologic__c",
        "therapeutic_areas__c": "cardiology__c,oncology__c",
        "unit_price__c": "0.01",
        "pack_size__c": "10000",
        "launch_date__c": "9999-12-31",
        "last_reviewed__c": "2024-01-02T03:04:05.000Z",
        "active__c": "false",
    },
    {  # text that looks like a missing value, a number, a boolean or a list
        "name__v": "NA",
        "external_id__v": "null",
        "generic_name__vs": "['a__c']",
        "description__c": "TRUE",
        "product_family__c": "vaccine__c",
        "therapeutic_areas__c": "neurology__c",
        "unit_price__c": "1000000",
        "pack_size__c": "1",
        "launch_date__c": "1900-01-01",
        "last_reviewed__c": "1970-01-01T00:00:00.000Z",
        "active__c": "true",
        "status__v": "inactive__v",
    },
    {  # numbers with decimals, every multi-value name
        "name__v": "nan",
        "product_family__c": "device__c",
        "therapeutic_areas__c": (
            "oncology__c,cardiology__c,neurology__c,immunology__c,rare_disease__c"
        ),
        "unit_price__c": "123456.78",
        "pack_size__c": "250",
        "launch_date__c": "2024-02-29",
        "last_reviewed__c": "9999-12-31T23:59:59.000Z",  # beyond pandas 2's nanoseconds
    },
    {  # the first day of Vault's years; only what is required besides
        "name__v": "None",
        "product_family__c": "small_molecule__c",
        "launch_date__c": "0001-01-01",
        "last_reviewed__c": "0001-01-01T00:00:00.000Z",
    },
]


def _seed(vault) -> None:
    products = vault.seed("product__v", PRODUCTS)
    vault.seed(
        "site__c",
        [
            {"site_code__c": "S-001", "product__c": products[0], "city__c": "Zürich, CH",
             "enrollment__c": "0", "start_date__c": "2023-05-05"},
            {"site_code__c": "0042", "product__c": products[1], "country_code__c": "FR",
             "enrollment__c": "100000"},
            {"site_code__c": "S-003"},  # no product: the lookup field is blank too
        ],
    )  # fmt: skip
    vault.seed(
        "bicycle__c",
        [
            {"name__v": "Base", "frame_size__c": "54", "color__c": "green__c",
             "external_id__c": "B-1"},
            {"name__v": "Road", "object_type__v.api_name__v": "road_bike__c",
             "frame_size__c": "-3", "color__c": "blue__c"},
            {"name__v": "Bare"},
        ],
    )  # fmt: skip
    vault.seed(
        "event_log__c",
        [{"event_key__c": "K-1", "message__c": 'a,b\n"c"'}, {"event_key__c": "K-2"}],
    )


@pytest.fixture
def seeded(vault, monkeypatch) -> Any:
    """The sandbox with records of every object; the command line's credentials set."""
    _seed(vault)
    monkeypatch.setenv("VAULT_USERNAME", vault.username)
    monkeypatch.setenv("VAULT_PASSWORD", vault.password)
    for name in ("VAULT_SESSION_ID", "VAULT_OAUTH_TOKEN", "VAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return vault


def _stored(vault, object_name: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in vault.records(object_name)}


def _assert_unchanged(result: pd.DataFrame, before: dict, after: dict) -> None:
    assert len(result) == len(before)
    statuses = result["vault_status"].tolist()
    assert statuses == ["WARNING"] * len(result), result["vault_error"].tolist()
    assert result["vault_error"].str.startswith(UNCHANGED).all(), result["vault_error"].tolist()
    assert sorted(result["vault_id"]) == sorted(before)
    for rid, record in before.items():
        changed = {k: (v, after[rid].get(k)) for k, v in record.items() if after[rid].get(k) != v}
        assert not changed, (rid, changed)


@pytest.mark.parametrize("options", [[], ["--nulls", "clear", "--json"]], ids=["keep", "clear"])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("object_name", OBJECTS)
def test_an_export_loads_back_unchanged(
    seeded, tmp_path: Path, object_name: str, suffix: str, options: list[str]
):
    before = _stored(seeded, object_name)
    exported = tmp_path / f"{object_name}{suffix}"
    common = ["--vault", seeded.url, "--no-progress"]
    assert cli.main(["export", object_name, "-o", str(exported), *common]) == 0
    result_path = tmp_path / "result.csv"
    args = ["update", str(exported), object_name, "-o", str(result_path), *common, *options]
    code = cli.main(args)  # warns of the columns left out: system, lookup and formula fields
    result = pd.read_csv(result_path, dtype=str, keep_default_na=False)
    _assert_unchanged(result, before, _stored(seeded, object_name))
    assert code == cli.EXIT_OK


def test_a_csv_export_writes_multi_value_picklists_as_vault_text(seeded, tmp_path: Path):
    exported = tmp_path / "products.csv"
    fields = "id,therapeutic_areas__c,active__c,unit_price__c,launch_date__c,last_reviewed__c"
    args = ["export", "product__v", "--fields", fields, "-o", str(exported)]
    assert cli.main([*args, "--vault", seeded.url, "--no-progress"]) == 0
    text = pd.read_csv(exported, dtype=str, keep_default_na=False)
    assert text["therapeutic_areas__c"].tolist() == [
        "cardiology__c,oncology__c",
        "neurology__c",
        "oncology__c,cardiology__c,neurology__c,immunology__c,rare_disease__c",
        "",
    ]
    assert text["active__c"].tolist() == ["false", "true", "", ""]
    assert text["launch_date__c"].tolist()[2:] == ["2024-02-29", "0001-01-01"]
    assert text["unit_price__c"].tolist() == ["0.01", "1000000", "123456.78", ""]
    assert text["last_reviewed__c"].tolist() == [
        "2024-01-02T03:04:05.000Z",
        "1970-01-01T00:00:00.000Z",
        "9999-12-31T23:59:59.000Z",
        "0001-01-01T00:00:00.000Z",
    ]


@pytest.mark.parametrize("object_name", OBJECTS)
def test_a_read_frame_updates_back_unchanged(seeded, client, object_name: str):
    before = _stored(seeded, object_name)
    frame = read(object_name, client=client, progress=False)
    with pytest.warns(Warning, match="left out"):
        result = frame.vault.update(object_name, progress=False)
    _assert_unchanged(result, before, _stored(seeded, object_name))


@pytest.mark.parametrize("operation", ["create", "update", "upsert"])
@pytest.mark.parametrize("body_format", ["csv", "json"])
def test_multi_value_picklists_as_text_or_lists(vault, client, operation, body_format):
    forms = [
        "cardiology__c,oncology__c",  # Vault's own text form, as a CSV export writes it
        ["cardiology__c", "oncology__c"],
        ("cardiology__c", "oncology__c"),
        np.array(["cardiology__c", "oncology__c"]),  # as read from Parquet
        "neurology__c",
    ]
    n = len(forms)
    frame = pd.DataFrame({"therapeutic_areas__c": pd.Series(forms, dtype=object)})
    options: dict[str, Any] = {"progress": False, "body_format": body_format}
    if operation == "create":
        frame = frame.assign(name__v=[f"P{i}" for i in range(n)], product_family__c="device__c")
        out = frame.vault.create("product__v", **options)
    else:
        rows = [{"name__v": f"P{i}", "external_id__v": f"E{i}", "product_family__c": "device__c"}
                for i in range(n)]  # fmt: skip
        ids = vault.seed("product__v", rows)
        if operation == "update":
            out = frame.assign(id=ids).vault.update("product__v", **options)
        else:
            keyed = frame.assign(
                external_id__v=[f"E{i}" for i in range(n)],
                name__v=[f"P{i}" for i in range(n)],
                product_family__c="device__c",
            )
            out = keyed.vault.upsert("product__v", "external_id__v", **options)
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].tolist()
    stored = [vault.record("product__v", i)["therapeutic_areas__c"] for i in out["vault_id"]]
    assert stored == [["cardiology__c", "oncology__c"]] * 4 + [["neurology__c"]]
    as_text = pd.DataFrame(
        {
            "name__v": ["T"],
            "product_family__c": ["device__c"],
            "therapeutic_areas__c": pd.Series(forms[:1], dtype="string"),  # a text dtype
        }
    )
    checked = as_text.vault.create("product__v", dry_run=True, progress=False)
    assert checked["vault_status"].tolist() == ["VALID"], checked["vault_error"].tolist()
