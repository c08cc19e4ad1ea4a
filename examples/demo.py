"""The main job, end to end against the sandbox Vault: create, fix, upsert, act, read back.

Run it with ``python examples/demo.py``. Point it at a real vault by setting VAULT_DNS,
VAULT_USERNAME and VAULT_PASSWORD and passing ``--real`` (it then writes real records).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import vault_pandas
from vault_pandas import sandbox

HERE = Path(__file__).parent
RESULT_COLUMNS = ["external_id__v", "name__v", "vault_id", "vault_status", "vault_error"]
APPROVE = "Objectlifecyclestateuseraction.product__v.draft_state__c.approve__c"

pd.set_option("display.width", 200)
pd.set_option("display.max_colwidth", 90)


def show(title: str, frame: pd.DataFrame, columns: list[str]) -> None:
    print(f"\n== {title} ==")
    print(frame[[c for c in columns if c in frame.columns]].to_string())


def main(client: vault_pandas.VaultClient) -> None:
    products = pd.read_csv(HERE / "products.csv")
    out = products.vault.create("product__v", progress=False)
    show("create: one outcome per row", out, RESULT_COLUMNS)

    # Fix the rejected rows in pandas and send only them again (vault_* columns are ignored).
    fix = out[out["vault_status"] == "INVALID"].copy()
    fix["product_family__c"] = fix["product_family__c"].replace({"Vaccine": "vaccine__c"})
    fix["product_family__c"] = fix["product_family__c"].fillna("small_molecule__c")
    fix["unit_price__c"] = fix["unit_price__c"].clip(upper=1_000_000)
    fix["launch_date__c"] = fix["launch_date__c"].replace({"2024-02-30": "2024-02-29"})
    again = fix.vault.create("product__v", progress=False)
    show("the fixed rows, sent again", again, RESULT_COLUMNS)

    revised = pd.read_csv(HERE / "products_revised.csv")
    up = revised.vault.upsert("product__v", id_param="external_id__v", progress=False)
    show("upsert of a revised file", up, [*RESULT_COLUMNS, "vault_event"])

    created = pd.concat([out, again])
    ids = created.loc[created["vault_status"] == "SUCCESS", ["vault_id"]]
    approved = ids.rename(columns={"vault_id": "id"}).vault.action(APPROVE, progress=False)
    show("lifecycle action: approve", approved, ["id", "vault_status", "vault_error"])

    counts = pd.concat([out, again, up, approved])["vault_status"].value_counts()
    print("\nall outcomes:", counts.to_dict())


if __name__ == "__main__":
    if "--real" in sys.argv:
        main(vault_pandas.connect())
    else:
        with sandbox.run() as vault:
            print(f"sandbox Vault at {vault.url}")
            main(vault_pandas.connect(vault.url, username=vault.username, password=vault.password))
