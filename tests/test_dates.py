"""Dates as the tables print them: per-table day/month order, two-digit year pivot, precision."""

import pytest
from rdflib.namespace import XSD

from mandato.ingest.dates import (
    DAY_FIRST,
    MONTH_FIRST,
    DateProblem,
    PartialDate,
    decide_order,
    full_year,
    parse_cell,
    parse_spanish,
)


def test_order_is_decided_from_unambiguous_values():
    assert decide_order([(4, 5), (23, 6)]) == DAY_FIRST
    assert decide_order([(7, 5), (11, 13)]) == MONTH_FIRST


def test_order_cannot_be_decided_without_an_unambiguous_value():
    with pytest.raises(DateProblem, match="cannot be decided"):
        decide_order([(4, 5), (7, 12)])


def test_a_table_mixing_orders_is_refused():
    with pytest.raises(DateProblem, match="mixes"):
        decide_order([(23, 6), (11, 13)])


@pytest.mark.parametrize(
    ("digits", "year"),
    [("50", 1950), ("57", 1957), ("99", 1999), ("00", 2000), ("11", 2011), ("49", 2049), ("1959", 1959)],
)
def test_two_digit_years_pivot_at_1950(digits, year):
    assert full_year(digits) == year


def test_the_same_cell_reads_differently_in_each_order():
    assert parse_cell("07/05/95", MONTH_FIRST).iso() == "1995-07-05"
    assert parse_cell("07/05/95", DAY_FIRST).iso() == "1995-05-07"
    assert parse_cell("04 /05/ 1959", DAY_FIRST).iso() == "1959-05-04"


def test_a_year_alone_keeps_year_precision():
    date = parse_cell("2000", DAY_FIRST)
    assert date == PartialDate(2000)
    assert date.literal().datatype == XSD.gYear
    assert parse_cell("04 /05/ 1959", DAY_FIRST).literal().datatype == XSD.date


@pytest.mark.parametrize("text", ["31/02/2004", "29/02/2001", "00/01/2000", "12/13/2000"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(DateProblem):
        parse_cell(text, DAY_FIRST)


def test_spanish_prose_dates():
    assert parse_spanish("29 de setiembre de 2003").iso() == "2003-09-29"
    assert parse_spanish("9 de noviembre de 2011").iso() == "2011-11-09"
    with pytest.raises(DateProblem):
        parse_spanish("31 de junio de 2003")
