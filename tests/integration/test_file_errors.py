"""load_file with files it cannot read as they are, and files it must read all the same.

A file it cannot read is a FrameError naming the file, the line and why, before anything is
sent (the sandbox stores nothing and gets no write); once chunks were loaded it is a
PartialLoadError whose result holds the rows read but not sent (SKIPPED), the result file
ending with them. A value larger than the reader's 4 MiB block is read exactly; ``encoding=``
reads latin-1, cp1252 and UTF-16 files.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest

import vault_pandas
from vault_pandas.errors import ConfigurationError, FrameError, PartialLoadError
from vault_pandas.sandbox import SandboxVault

HEADER = "name__v,product_family__c,description__c\n"
BLOCK = 1 << 22  # the reader's block


def load(path: Path, **options) -> pd.Series:
    return vault_pandas.load_file(path, "product__v", progress=False, **options)


def stored(vault: SandboxVault) -> dict[str, str | None]:
    return {r["name__v"]: r.get("description__c") for r in vault.records("product__v")}


def writes(vault: SandboxVault) -> list:
    """The record writes the sandbox received (logins and metadata reads are not writes)."""
    return [e for e in vault.requests_log if e.method != "GET" and "/vobjects/" in e.path]


def result_file(path: Path) -> Path:
    return path.with_name(f"{path.stem}.result.csv")


def refused(vault: SandboxVault, path: Path, *expected: str, **options) -> str:
    """load_file refuses the file with a FrameError holding ``expected``; nothing is sent."""
    with pytest.raises(FrameError) as info:
        load(path, **options)
    message = str(info.value)
    assert type(info.value) is FrameError, type(info.value)  # not a load stopped part-way
    for text in expected:
        assert text in message, message
    assert message.startswith(path.name), message
    assert writes(vault) == [] and vault.records("product__v") == []
    assert not result_file(path).exists()
    return message


def wide_rows(path: Path, n: int, bad: dict[int, bytes] | None = None, tail: bytes = b"") -> None:
    """``n`` rows of about 1 KB (a 4 MiB block holds about 4,000), row i replaced by bad[i]."""
    bad = bad or {}
    with open(path, "wb") as file:
        file.write(HEADER.encode())
        for i in range(n):
            file.write(bad.get(i, b"N%d,biologic__c,%s\n" % (i, b"x" * 990)))
        file.write(tail)


# -- values larger than a block ---------------------------------------------------------------


@pytest.mark.parametrize("quoted", [True, False], ids=["quoted", "unquoted"])
def test_a_value_larger_than_the_block_is_read_exactly(vault, client, tmp_path, quoted):
    huge = "z" * (2 * BLOCK + (1 << 20))  # 9 MiB: over two 4 MiB blocks, and Vault's limit
    src = tmp_path / "huge.csv"
    cell = f'"{huge}"' if quoted else huge
    src.write_text(f"{HEADER}H0,biologic__c,ok\nH1,biologic__c,{cell}\nH2,biologic__c,ok2\n")
    counts = load(src)
    assert counts.to_dict() == {"SUCCESS": 2, "INVALID": 1}  # H1 too long for the field
    result = pd.read_csv(result_file(src), dtype=str, keep_default_na=False)
    assert result["name__v"].tolist() == ["H0", "H1", "H2"]
    assert result["description__c"].tolist() == ["ok", huge, "ok2"]  # read exactly
    assert result["vault_status"].tolist() == ["SUCCESS", "INVALID", "SUCCESS"]
    assert stored(vault) == {"H0": "ok", "H2": "ok2"}


def test_a_row_with_an_extra_field_after_a_huge_value_names_its_line(vault, client, tmp_path):
    src = tmp_path / "after_huge.csv"
    big = "z" * (2 * BLOCK + 1000)
    src.write_text(f'{HEADER}H0,biologic__c,"{big}\nsecond line"\n\nH1,biologic__c,ok,extra\n')
    refused(vault, src, "after_huge.csv, line 5: 4 fields where the header has 3", "'H1,")


# -- encodings ----------------------------------------------------------------------------------

TEXT = "name__v,product_family__c,description__c\nL1,biologic__c,café “smart” – quotes\n"
ENCODED = {
    "latin-1": TEXT.replace("“smart” – ", "").encode("latin-1"),
    "cp1252": TEXT.encode("cp1252"),
    "utf-16": TEXT.encode("utf-16"),  # a BOM, little-endian
    "utf-16-be-bom": codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    "utf-8-sig": TEXT.encode("utf-8-sig"),
}


@pytest.mark.parametrize("name", list(ENCODED))
def test_encoding_reads_the_file_as_pandas_would(vault, client, tmp_path, name):
    src = tmp_path / "enc.csv"
    src.write_bytes(ENCODED[name])
    encoding = "utf-16" if name == "utf-16-be-bom" else name
    assert load(src, encoding=encoding).to_dict() == {"SUCCESS": 1}
    expected = pd.read_csv(src, encoding=encoding, dtype=str)["description__c"][0]
    assert stored(vault) == {"L1": expected}
    assert "café" in expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("latin-1", "enc.csv, line 2: byte 0xE9 (offset 59) cannot be read as UTF-8"),
        ("cp1252", "enc.csv, line 2: byte 0xE9 (offset 59) cannot be read as UTF-8"),
        ("utf-16", "enc.csv, line 1: the file starts with a UTF-16 byte order mark"),
        ("utf-16-be-bom", "enc.csv, line 1: the file starts with a UTF-16 byte order mark"),
    ],
)
def test_a_file_that_is_not_utf8_is_refused_with_its_line(vault, client, tmp_path, name, expected):
    src = tmp_path / "enc.csv"
    src.write_bytes(ENCODED[name])
    message = refused(vault, src, expected)
    assert "encoding" in message


def test_a_byte_the_given_encoding_cannot_decode_names_its_line(vault, client, tmp_path):
    src = tmp_path / "cp.csv"
    src.write_bytes(HEADER.encode() + b"A,biologic__c,ok\nB,biologic__c,\x81\n")  # no cp1252
    refused(
        vault,
        src,
        "cp.csv, line 3: byte 0x81 (offset",
        "cannot be read as cp1252",
        encoding="cp1252",
    )


def test_an_unknown_encoding_is_refused_before_anything_is_sent(vault, client, tmp_path):
    src = tmp_path / "x.csv"
    src.write_text(f"{HEADER}A,biologic__c,ok\n")
    with pytest.raises(ConfigurationError, match="unknown encoding 'klingon'"):
        load(src, encoding="klingon")
    assert writes(vault) == []


@pytest.mark.parametrize("checkpoint", [False, True])
def test_a_latin1_byte_in_a_utf8_file_names_its_line(vault, client, tmp_path, checkpoint):
    src = tmp_path / "mixed.csv"
    lines = [f"M{i},biologic__c,ok {i}\n" for i in range(3000)]
    src.write_bytes(
        (HEADER + "".join(lines)).encode() + b"M3000,biologic__c,caf\xe9\nM3001,biologic__c,x\n"
    )
    options = {"checkpoint": tmp_path / "mixed.ckpt"} if checkpoint else {}
    refused(vault, src, "mixed.csv, line 3002: byte 0xE9", chunk_rows=1000, **options)
    assert list(tmp_path.glob("mixed.ckpt*")) == []


# -- rows and quotes -----------------------------------------------------------------------------


def test_a_row_with_an_extra_field_is_refused_with_its_line(vault, client, tmp_path):
    src = tmp_path / "ragged.csv"
    src.write_text("name__v,product_family__c\nR1,biologic__c\nR2,biologic__c,extra\n")
    refused(
        vault, src, "ragged.csv, line 3: 3 fields where the header has 2", "'R2,biologic__c,extra'"
    )


def test_a_row_with_too_few_fields_is_refused_with_its_physical_line(vault, client, tmp_path):
    src = tmp_path / "short.csv"
    src.write_bytes(
        HEADER.encode()
        + b'A,biologic__c,"two\r\nlines"\r\n\r\nB,biologic__c\r\nC,biologic__c,x\r\n'
    )
    refused(vault, src, "short.csv, line 5: 2 fields where the header has 3", "fewer")


@pytest.mark.parametrize(
    "content", [b"", b"\n\n", b"\xef\xbb\xbf"], ids=["0 bytes", "blank", "BOM"]
)
def test_an_empty_file_is_refused(vault, client, tmp_path, content):
    src = tmp_path / "empty.csv"
    src.write_bytes(content)
    refused(vault, src, "empty.csv is empty")


def test_an_unterminated_quote_is_refused_with_the_line_it_opened_on(vault, client, tmp_path):
    src = tmp_path / "unterminated.csv"
    src.write_text(f'{HEADER}T1,biologic__c,"never closed\nT2,biologic__c,x\nT3,biologic__c,y\n')
    refused(vault, src, "unterminated.csv, line 2: a quote opened here is never closed", "EOF")


def test_an_unterminated_quote_in_a_middle_column_is_refused(vault, client, tmp_path):
    src = tmp_path / "middle.csv"
    src.write_text(f'{HEADER}T0,biologic__c,ok\nT1,"biologic__c,x\nT2,biologic__c,y\n')
    refused(vault, src, "middle.csv, line 3: a quote opened here is never closed")


def test_a_value_that_is_one_quote_is_not_an_unterminated_quote(vault, client, tmp_path):
    src = tmp_path / "quote.csv"
    src.write_text(f'{HEADER}Q1,biologic__c,""""\n')
    assert load(src).to_dict() == {"SUCCESS": 1}
    assert stored(vault) == {"Q1": '"'}


# -- problems after chunks were loaded ------------------------------------------------------------


def test_a_bad_byte_after_the_first_blocks_stops_the_load_with_its_result(vault, client, tmp_path):
    src = tmp_path / "late.csv"
    wide_rows(src, 10_000, {9000: b"N9000,biologic__c,caf\xe9\n"})  # in the third block
    assert src.stat().st_size > 2 * BLOCK
    with pytest.raises(PartialLoadError) as info:
        load(src, chunk_rows=1000)
    message = str(info.value)
    assert message.startswith("late.csv, line 9002: byte 0xE9"), message
    assert isinstance(info.value.__cause__, FrameError)
    skipped = info.value.result
    assert len(skipped) and (skipped["vault_status"] == "SKIPPED").all()
    assert skipped["vault_id"].isna().all()
    result = pd.read_csv(result_file(src), dtype=str, keep_default_na=False)
    loaded = result[result["vault_status"] == "SUCCESS"]
    assert len(loaded) >= 1000 and len(loaded) % 1000 == 0  # whole chunks
    assert len(result) == len(loaded) + len(skipped) < 9000  # the file's first rows, in order
    assert result["name__v"].tolist() == [f"N{i}" for i in range(len(result))]
    assert skipped["name__v"].tolist() == result["name__v"].tolist()[len(loaded) :]
    assert sorted(stored(vault)) == sorted(loaded["name__v"])
    assert f"the file's first {len(result):,} rows" in message


def test_an_unterminated_quote_after_loaded_chunks_keeps_every_row_before_it(
    vault, client, tmp_path
):
    src = tmp_path / "late_quote.csv"
    wide_rows(src, 10_000, {9990: b'N9990,biologic__c,"never closed\n'})
    with pytest.raises(PartialLoadError) as info:
        load(src, chunk_rows=1000)
    assert str(info.value).startswith("late_quote.csv, line 9992: a quote opened here")
    result = pd.read_csv(result_file(src), dtype=str, keep_default_na=False)
    assert result["name__v"].tolist() == [f"N{i}" for i in range(9990)]  # every row before it
    skipped = info.value.result
    assert (skipped["vault_status"] == "SKIPPED").all()
    assert (result["vault_status"] == "SUCCESS").sum() == 9990 - len(skipped)
    assert len(stored(vault)) == 9990 - len(skipped)
    assert "N9990" not in stored(vault)


def test_a_chunk_refused_before_it_is_sent_after_loaded_chunks_keeps_the_result(
    vault, client, tmp_path
):
    src = tmp_path / "invalid_late.csv"
    rows = [f"N{i},biologic__c" for i in range(6)]
    rows[4] = "N4,not_a_family__c"  # in the third chunk of two rows
    src.write_text("name__v,product_family__c\n" + "\n".join(rows) + "\n")
    with pytest.raises(PartialLoadError) as info:
        load(src, chunk_rows=2, on_invalid="raise")
    assert str(info.value).startswith("chunk 3 could not be sent"), str(info.value)
    assert isinstance(info.value.__cause__, vault_pandas.ValidationError)
    late = info.value.result
    assert late["name__v"].tolist() == ["N4", "N5"]
    assert late["vault_status"].tolist() == ["INVALID", "SKIPPED"]
    result = pd.read_csv(result_file(src), dtype=str, keep_default_na=False)
    assert result["name__v"].tolist() == [f"N{i}" for i in range(6)]
    assert sorted(stored(vault)) == [f"N{i}" for i in range(4)]
