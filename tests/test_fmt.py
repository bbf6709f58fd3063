"""Dutch number formatting (socvit.fmt)."""

import math

import numpy as np
import pandas as pd
import pytest

from socvit import fmt


@pytest.mark.parametrize("value, decimals, expected", [
    (7.56, 1, "7,6"),
    (7.0, 1, "7,0"),
    (3412, 0, "3.412"),
    (1234567.891, 2, "1.234.567,89"),
    (-0.04, 1, "0,0"),          # no "-0,0"
    (-2.35, 2, "-2,35"),
    (np.float64(0.125), 3, "0,125"),
    (np.int64(12), 0, "12"),
])
def test_getal(value, decimals, expected):
    assert fmt.getal(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, np.nan, math.inf])
def test_missing_values_get_a_dash_or_the_given_text(missing):
    assert fmt.getal(missing) == "–"
    assert fmt.procent(missing, na=fmt.NIET_GETOOND) == "niet getoond"
    assert fmt.interval(missing, 3.0) == "–"


def test_procent_has_no_space_and_rounds():
    assert fmt.procent(0.7234) == "72%"
    assert fmt.procent(0.7251, decimals=1) == "72,5%"
    assert fmt.procent(1) == "100%"
    assert fmt.procent(0.031, sign=True) == "+3%"
    assert fmt.procent(-0.031, sign=True) == "-3%"


def test_sign_only_for_positive_nonzero():
    assert fmt.getal(0.4, sign=True) == "+0,4"
    assert fmt.getal(0.01, sign=True) == "0,0"
    assert fmt.getal(-0.4, sign=True) == "-0,4"


def test_aantal_and_report_mark():
    assert fmt.aantal(3412) == "3.412"
    assert fmt.aantal(12.0) == "12"
    assert fmt.getal(7.56, decimals=1) == "7,6"


def test_interval():
    assert fmt.interval(7.41, 7.83) == "7,4 tot 7,8"
    assert fmt.interval(0.68, 0.76, percent=True) == "68% tot 76%"
    assert fmt.interval(-0.31, 0.2) == "-0,3 tot 0,2"


def test_text_is_rejected():
    with pytest.raises(TypeError, match="'7,5'"):
        fmt.getal("7,5")


def test_tick_formatters_write_decimal_commas():
    f = fmt.comma_formatter()
    assert f(2.5, 0) == "2,5"
    assert f(3.0, 0) == "3"
    assert f(1000, 0) == "1.000"
    assert fmt.comma_formatter(1)(3, 0) == "3,0"
    assert fmt.percent_formatter()(0.25, 0) == "25%"


def test_tabel_escapes_and_formats():
    frame = pd.DataFrame({"kern": ["<script>alert(1)</script>", "Appingedam"],
                          "aandeel": [0.7234, np.nan], "n": [31, 1200]})
    out = fmt.tabel(frame, formats={"aandeel": fmt.procent, "n": fmt.aantal},
                    headers={"kern": "Dorp of wijk", "aandeel": "Aandeel"}, caption="Tabel 1. Test",
                    note="Bron: <voorbeeld>")
    assert isinstance(out, fmt.Html) and out._repr_html_() == str(out)
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "72%" in out and "1.200" in out and "–" in out
    assert "Dorp of wijk" in out and "Tabel 1. Test" in out and "Bron: &lt;voorbeeld&gt;" in out
    assert "<th" in out and out.count("<tr>") == 3           # header + 2 rows, no index column
