"""Fixtures for unit tests: the sample objects as the metadata JSON Vault returns."""

from __future__ import annotations

from typing import Any

import pytest


def _field(name: str, type_: str, *, required=False, editable=True, unique=False, **extra: Any):
    label = name.split("__")[0].replace("_", " ").title()
    return {
        "name": name,
        "label": label,
        "type": type_,
        "required": required,
        "editable": editable,
        "unique": unique,
        **extra,
    }


def _system(name: str, type_: str, **extra: Any) -> dict[str, Any]:
    return _field(name, type_, editable=False, **extra)


PRODUCT_METADATA: dict[str, Any] = {
    "responseStatus": "SUCCESS",
    "object": {
        "name": "product__v",
        "label": "Product",
        "label_plural": "Products",
        "prefix": "00P",
        "fields": [
            _system("id", "ID", unique=True),
            _field(
                "name__v",
                "String",
                required=True,
                unique=True,
                max_length=128,
                system_managed_name=False,
            ),
            _field("external_id__v", "String", unique=True, max_length=100),
            _field("generic_name__vs", "String", max_length=255),
            _field("description__c", "LongText", max_length=32000),
            _field(
                "product_family__c",
                "Picklist",
                required=True,
                picklist="product_family__c",
                multi_value=False,
            ),
            _field(
                "therapeutic_areas__c",
                "Picklist",
                picklist="therapeutic_area__c",
                multi_value=True,
            ),
            _field("unit_price__c", "Number", scale=2, min_value=0, max_value=1000000),
            _field("pack_size__c", "Number", scale=0, min_value=1, max_value=10000),
            _field("launch_date__c", "Date"),
            _field("last_reviewed__c", "DateTime"),
            _field("active__c", "Boolean"),
            _system("lifecycle__v", "String", max_length=255),
            _system("state__v", "String", max_length=255),
            _system("created_date__v", "DateTime"),
            _system("modified_date__v", "DateTime"),
        ],
        "relationships": [],
    },
}

SITE_METADATA: dict[str, Any] = {
    "responseStatus": "SUCCESS",
    "object": {
        "name": "site__c",
        "label": "Site",
        "label_plural": "Sites",
        "prefix": "0SI",
        "fields": [
            _system("id", "ID", unique=True),
            _system("name__v", "String", unique=True, max_length=128, system_managed_name=True),
            _field("site_code__c", "String", required=True, unique=True, max_length=20),
            _field(
                "product__c",
                "Object",
                object={"name": "product__v", "url": "/api/v25.2/metadata/vobjects/product__v"},
                relationship_name="product__cr",
            ),
            _field("city__c", "String", max_length=80),
            _field("enrollment__c", "Number", scale=0, min_value=0, max_value=100000),
            _field("start_date__c", "Date"),
            _system("created_date__v", "DateTime"),
            _system("modified_date__v", "DateTime"),
        ],
        "relationships": [
            {
                "field": "product__c",
                "relationship_name": "product__cr",
                "relationship_type": "reference_outbound",
                "object": {"name": "product__v"},
            }
        ],
    },
}

PICKLISTS: dict[str, dict[str, str]] = {
    "product_family__c": {
        "small_molecule__c": "Small Molecule",
        "biologic__c": "Biologic",
        "vaccine__c": "Vaccine",
        "device__c": "Device",
    },
    "therapeutic_area__c": {
        "oncology__c": "Oncology",
        "cardiology__c": "Cardiology",
        "neurology__c": "Neurology",
        "immunology__c": "Immunology",
        "rare_disease__c": "Rare Disease",
    },
}


@pytest.fixture
def product_metadata() -> dict[str, Any]:
    return PRODUCT_METADATA


@pytest.fixture
def site_metadata() -> dict[str, Any]:
    return SITE_METADATA


@pytest.fixture
def picklists() -> dict[str, dict[str, str]]:
    return PICKLISTS
