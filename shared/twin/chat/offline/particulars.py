"""Questions that ask for one particular kind of detail, which only a sentence stating it answers:
who holds a role ("Who supervised your PhD?"), a finishing time ("What was your time in Berlin?"),
the name of a school ("Which school does your daughter go to?"). Notes often tell of the thing
without that detail ("I did my PhD at NTNU", "I've run Berlin", "Lina started school in 2024"),
and quoting them reads like an answer that is not there; with no sentence left, the twin declines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from twin.chat.offline.scoring import Scored

__all__ = ["keep_particulars"]

# "Who supervised your thesis?", "Who conducts Vox Borealis?", "the professor who supervised...",
# "Who was your boss at Brindle?": the role, by the stem every statement of it holds.
_ROLES = {
    "supervis": "supervis", "conduct": "conduct", "coach": "coach", "boss": r"boss|manager|report(?:ed|s)? to",
    "manager": r"manager|boss|report(?:ed|s)? to", "mentor": "mentor", "advis": "advis",
    "surgeon": "surgeon|operat", "editor": "editor|edited", "examiner": "examin",
}
_ASKS_ROLE_HOLDER = re.compile(
    r"\bwho (?:is |was |were |has been )?(?:your |the |my )?(?:(?:phd|doctoral|thesis|line|first|current|old) )?"
    rf"(?P<role>{'|'.join(_ROLES)})\w*|"
    r"\bname of (?:the |your )?(?:\w+ )?(?:professor |person |doctor )?who "
    r"(?P<verb>supervis|conduct|coach|mentor|advis)",
    re.IGNORECASE)
_PERSON_NAME = re.compile(r"\b(?:Prof(?:essor)?\.?|Dr\.?|Dame|Sir)\s+[A-Z]|\b[A-Z][a-z\u00e0-\u00ff'-]+\s+[A-Z][a-z]")

# "What was your finishing time in Berlin?", "What's your best time for a marathon?": a duration.
_ASKS_TIME = re.compile(r"\b(?:finishing|finish|best|fastest|personal best|race|marathon|half[- ]marathon) time\b|"
                        r"\bwhat time did you (?:run|finish|do|get|clock)\b|\bhow fast did you (?:run|finish)\b|"
                        r"\b(?:your )?(?:pb|personal best|personal record|pr)\b (?:for|in|at)\b", re.IGNORECASE)
_DURATION = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b|\b\d+\s*(?:h|hrs?|hours?)\s*\d*\s*(?:m|min|mins|minutes)?\b",
                       re.IGNORECASE)

# "Which school does your daughter go to?", "What's the name of Lina's school?", "Which lycée...?":
# a school by its name ("Eric Hamber Secondary", "Lycée du Parc", "St Mary's Primary").
_SCHOOL_WORDS = (r"school|primary|secondary|high|lyc[eé]e|kindergarten|nursery|preschool|pre-school|gymnasium|"
                 r"academy|daycare|day care|cr[eè]che|college")
_ASKS_SCHOOL = re.compile(rf"\b(?:which|what|name of)\b(?:\W+\w+){{0,3}}?\W+(?:{_SCHOOL_WORDS})\b", re.IGNORECASE)
# Its name may call it in its own language ("Deniz Koleji", "Escola ..."); not a university, which
# answers no question about a child's school.
_NAMED_SCHOOL_WORDS = (rf"{_SCHOOL_WORDS}|koleji|okulu|lisesi|schule|escola|colegio|col[eé]gio|liceo|[eé]cole|"
                       r"instituto|institut")
_SCHOOL_NAME = re.compile(
    rf"\b[A-Z][\w'\u2019.-]*(?:\s+(?:[A-Z][\w'\u2019.-]*|of|de|du|la|le))*\s+(?i:{_NAMED_SCHOOL_WORDS})\b|"
    rf"\b(?i:{_NAMED_SCHOOL_WORDS})\s+"
    r"(?:(?:of|de|du|des|do|da|del|la|le|am|an)\s+)*[A-Z]")
# A place the school question names ("Which cookery school did you attend in Madrid?") must be the answer's.
_IN_PLACE = re.compile(r"\b(?:in|at|for) (?:the )?([A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019-]+)*)")


_ROLE_SAID = {role: re.compile(rf"\b(?:{said})", re.IGNORECASE) for role, said in _ROLES.items()}


def _holds_role(role: str, text: str) -> bool:
    return bool(_ROLE_SAID[role].search(text)) and bool(_PERSON_NAME.search(text))


def keep_particulars(question: str, scored: Sequence[Scored]) -> list[Scored]:
    """The sentences that may answer ``question``: when it asks for a role's holder, a finishing
    time or a school's name, only those that state one (all of them otherwise)."""
    kept = list(scored)
    role = _ASKS_ROLE_HOLDER.search(question)
    if role:
        asked = (role.group("role") or role.group("verb")).casefold()  # one of _ROLES, as the pattern names them
        kept = [x for x in kept if _holds_role(asked, x.sentence.text)]
    if _ASKS_TIME.search(question):
        kept = _in_the_place_named(question, [x for x in kept if _DURATION.search(x.sentence.text)])
    if _ASKS_SCHOOL.search(question):
        kept = _in_the_place_named(question, [x for x in kept if _SCHOOL_NAME.search(x.sentence.text)])
    return kept


def _in_the_place_named(question: str, scored: list[Scored]) -> list[Scored]:
    """Berlin's time is not London's, nor a school in Lima one in Madrid: the place asked of is the answer's."""
    place = _IN_PLACE.search(question)
    if place is None:
        return scored
    named = place.group(1).split()[0].casefold()
    return [x for x in scored if named in x.sentence.text.casefold()]
