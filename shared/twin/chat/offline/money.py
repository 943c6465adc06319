"""Questions about money, which only a stated sum answers.

"How much did the pilot cost?" is not answered by "The pilot ran for two years", nor "How much do
you earn now?" by the salary someone hopes for in their next role: the near miss reads like an
answer, so an extractive twin must decline instead of quoting it.
"""

from __future__ import annotations

import re

__all__ = ["asks_current_pay", "asks_for_a_sum", "states_a_sum", "states_an_expectation"]

_SUM_QUESTION = re.compile(
    r"\bhow much\b.*\b(?:cost|costs|costed|price|priced|charge|charges|pay|paid|earn|earns|make|made|money|"
    r"revenue|raise|raised|funding|budget|spend|spent|worth|sell|sold for|invest|invested|fee|fees)\b|"
    r"\bhow much money\b|\bwhat (?:did|does|do|was|is) (?:it|that|the \w+(?: \w+)?) cost\b|"
    r"\b(?:your|her|his|the|its|their) (?:(?:total|annual|overall|yearly) )?"
    r"(?:day rate|hourly rate|salary|budget|price|revenue|turnover)\b",
    re.IGNORECASE)
# A currency sign or code beside a number, a number with k/m, or a number of a named currency.
_SUM = re.compile(
    r"[£$€¥₹₩]\s?\d|\d\s?[£$€]|\b(?:USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|INR|KES|NGN|ZAR|JPY)\s?\d|"
    r"\d\s?(?:USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|INR|KES|NGN|ZAR|JPY)\b|"
    r"\b\d[\d,.]*\s?(?:k|K|m|M|bn)\b(?!\s*(?:m|km|mi|metres|meters|miles))|"
    r"\b\d[\d,.]*\s?(?:thousand|million|billion)?\s?(?:dollars|euros|pounds|francs|kronor|kroner|krona|"
    r"złoty|zloty|rupees|shillings|naira|rand|yen|dirhams?|dinars?|pesos|reais|lira|rubles|roubles|baht|ringgit|"
    r"rupiah|forint|cedis|birr)\b|\bsix figures\b|\bfive figures\b",
    re.IGNORECASE)
# "What do you earn now?", "your salary at Kitebox", "paid right now": today's pay, not a hope.
_CURRENT_PAY = re.compile(
    r"\b(?:earn|earning|earns|paid|salary|pay|make|making)\b.*\b(?:now|currently|current|at the moment|today|"
    r"these days|at (?-i:[A-Z])\w+)|\b(?:current|present|existing) (?:salary|pay|compensation|package)\b|"
    r"\bsalary at (?-i:[A-Z])|\bare you (?:paid|earning|making)\b|\bhow much do you (?:earn|make|get paid)\b",
    re.IGNORECASE)
_HOPED_FOR = re.compile(r"\b(?:expect|expected|expecting|expectations?|hope|hoping|hoped|looking for|after|want|"
                        r"wanted|would|seeking|target|targeting|aim|aiming|ask|asking|next role|in my next)\b",
                        re.IGNORECASE)
_EXPECTATION = re.compile(r"\b(?:expect\w*|hoping|looking for|target\w*|asking|seeking|would (?:want|need|"
                          r"expect|consider|accept)|next role|range i|minimum|negotiable|open to offers)\b",
                          re.IGNORECASE)


# "How much money did that save?" is answered by "cut costs by 60 percent" as well as by a sum.
_RELATIVE = re.compile(r"\b(?:save|saved|saving|savings|cut|reduce|reduced|lower|lowered|increase|increased)\b",
                       re.IGNORECASE)


# "How much venture money has it raised?" is answered by a sum raised, not "sent 6,200 kroner to the RNLI".
_SUM_KINDS = (
    (re.compile(r"\b(?:raise[ds]?|raising|funding|funded|invest\w*|venture|seed|valuation)\b", re.IGNORECASE),
     re.compile(r"\b(?:rais\w*|fund\w*|invest\w*|round|seed|series [a-d]|valuation|valued|venture|backers?|grants?)\b",
                re.IGNORECASE)),
    (re.compile(r"\bbudget\b", re.IGNORECASE),
     re.compile(r"\b(?:budget\w*|fund\w*|cost\w*|financ\w*|invest\w*|worth|spend\w*|allocat\w*)\b", re.IGNORECASE)),
)


def asks_for_a_sum(question: str) -> bool:
    """Whether only a stated sum of money answers ``question``."""
    return bool(_SUM_QUESTION.search(question)) and not _RELATIVE.search(question)


def states_a_sum(text: str, question: str = "") -> bool:
    """``text`` states a sum, of the kind ``question`` asks for when it names one (raised, a budget)."""
    if not _SUM.search(text):
        return False
    return all(said.search(text) for asked, said in _SUM_KINDS if asked.search(question))


def asks_current_pay(question: str) -> bool:
    """"How much are you paid at Kitebox right now?", not "What salary are you hoping for?"."""
    return bool(_CURRENT_PAY.search(question)) and not _HOPED_FOR.search(question)


def states_an_expectation(text: str) -> bool:
    """A sum someone wants ("I'm looking for £58-65k", under "Salary expectations"), not one they get."""
    return bool(_EXPECTATION.search(text))
