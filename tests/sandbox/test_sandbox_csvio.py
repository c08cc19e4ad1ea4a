"""Vault-flavoured CSV: quoting, backslash escapes, line endings and the bare-CR rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sandbox_client import error_types, rows_of

from vault_pandas.sandbox.csvio import CsvError, parse_csv
from vault_pandas.sandbox.values import strip_xml_invalid


def test_quoted_commas_doubled_quotes_and_newlines():
    header, rows = parse_csv(b'a,b,c\n"x, y","say ""hi""","two\nlines"\n')
    assert header == ["a", "b", "c"]
    assert rows == [["x, y", 'say "hi"', "two\nlines"]]


def test_lf_crlf_and_missing_final_newline():
    assert parse_csv(b"a,b\r\n1,2\r\n3,4")[1] == [["1", "2"], ["3", "4"]]
    assert parse_csv(b'a\n"x\r\ny"\n')[1] == [["x\ny"]]  # CRLF inside a value reads as LF


def test_empty_and_doubled_quote_fields_are_blank():
    assert parse_csv(b'a,b,c\n,"",x\n')[1] == [["", "", "x"]]


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        (r"C:\\dir", "C:\\dir"),  # doubled backslash: one backslash
        (r"C:\dir", "C:dir"),  # lone backslash vanishes (opencsv)
        (r'"C:\\dir\\"', "C:\\dir\\"),
        (r'"a\"b"', 'a"b'),  # backslash-quote is a quote
        (r'"\\n"', "\\n"),
        (r"end\\", "end\\"),
    ],
)
def test_backslash_is_an_escape(cell, value):
    assert parse_csv(f"a\n{cell}\n".encode())[1] == [[value]]


def test_backslash_before_comma_does_not_escape_it():
    assert parse_csv(b"a,b\nx\\,y\n")[1] == [["x", "y"]]


@pytest.mark.parametrize(
    "body",
    [
        b"a\nx\ry\n",  # bare CR in a value
        b'a\n"x\ry"\n',  # ...even quoted
        b"a,b\r1,2\r",  # CR line endings
        b'a\n"abc"def\n',
        b'a\nab"c\n',
        b'a\n"unterminated\n',
        b'a\n"C:\\dir\\"\n',  # the closing quote is escaped by the single backslash
        b"a,b\n1\n",
        b"a,a\n1,2\n",
        b"\n",
        b"a\n\xff\n",
    ],
)
def test_malformed_bodies_raise(body):
    with pytest.raises(CsvError):
        parse_csv(body)


def test_bom_blank_lines_and_xml_invalid_characters():
    header, rows = parse_csv("\ufeffa,b\n\n1,x\x00y\x0b\n\n".encode())
    assert header == ["a", "b"]
    assert rows == [["1", "xy"]]


def _vault_cell(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '""') + '"'


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_TEXT, min_size=3, max_size=3), min_size=1, max_size=5))
def test_round_trip_of_a_correct_writer(rows):
    body = "a,b,c\n" + "".join(",".join(_vault_cell(v) for v in row) + "\n" for row in rows)
    assert parse_csv(body.encode())[1] == [[strip_xml_invalid(v) for v in row] for row in rows]


def test_backslashes_over_http_are_stored_as_vault_reads_them(api, vault):
    body = (
        "name__v,product_family__c,generic_name__vs,description__c\n"
        'A,biologic__c,C:\\\\dir,"multi\nline, with \\"quotes\\" and ""more"""\n'
        "B,biologic__c,C:\\dir,plain\n"
    )
    rows_of(api.csv("product__v", body))
    a, b = vault.records("product__v")
    assert a["generic_name__vs"] == "C:\\dir"
    assert a["description__c"] == 'multi\nline, with "quotes" and "more"'
    assert b["generic_name__vs"] == "C:dir"  # a client that forgets to double is caught


def test_bare_cr_fails_the_whole_request(api, vault):
    body = api.csv("product__v", 'name__v,product_family__c\nA,biologic__c\n"B\rC",biologic__c\n')
    assert body["responseStatus"] == "FAILURE"
    assert body["errors"][0]["type"] == "INVALID_DATA"
    assert vault.records("product__v") == []


def test_multi_value_picklist_in_one_quoted_cell(api, vault):
    body = (
        "name__v,product_family__c,therapeutic_areas__c\n"
        'A,biologic__c,"oncology__c,neurology__c"\n'
        'B,biologic__c,"oncology__c, neurology__c"\n'  # names joined with no space, as documented
    )
    a, b = rows_of(api.csv("product__v", body))
    assert a["responseStatus"] == "SUCCESS"
    assert error_types(b) == ["INVALID_DATA"]
    assert vault.records("product__v")[0]["therapeutic_areas__c"] == ["oncology__c", "neurology__c"]
