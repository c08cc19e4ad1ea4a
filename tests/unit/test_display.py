import pandas as pd

from vault_pandas.results import display


class FakeFormatter:
    def __init__(self):
        self.registered = {}

    def for_type(self, kind, func):
        self.registered[kind] = func


class FakeShell:
    def __init__(self):
        self.html = FakeFormatter()
        self.display_formatter = type("F", (), {"formatters": {"text/html": self.html}})()


def test_result_frames_get_a_summary_line_and_others_do_not():
    shell = FakeShell()
    assert display.register(shell)
    render = shell.html.registered[pd.DataFrame]
    out = pd.DataFrame({"name__v": ["<b>x</b>"], "vault_status": ["FAILURE"]})
    out.attrs["vault"] = {
        "operation": "upsert",
        "object": "product__v",
        "requests": 2,
        "seconds": 1.5,
    }
    html = render(out)
    assert html.startswith("<p><b>vault_pandas</b> upsert product__v: 1 FAILURE (2 requests")
    assert "&lt;b&gt;x&lt;/b&gt;" in html  # the table is pandas' own, escaped
    plain = pd.DataFrame({"a": [1]})
    assert render(plain) == plain._repr_html_()


def test_no_shell_no_registration():
    assert display.register() is False  # not running inside IPython here
