"""The words for relatives: what notes call them ("my mum", "Umma", "Dad") and visitors ask after
("your mother"), each with the relative it names and whether "he" or "she" is one.

One owner for this vocabulary: follow-ups (twin.chat.referents) read from it who "she" is, the
offline answer (twin.chat.offline.declines, .particulars) which relative a question asks about.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CHILD_WORDS", "KIN", "Kin", "told_by"]


@dataclass(frozen=True)
class Kin:
    relative: str  # the relative a word names: "mum", "Umma" and "mother" are all "mother"
    gender: str  # "m" or "f": whether "he" or "she" is one; "" when either
    # A word for several relatives ("kids", "sibling"): notes tell of each by their own word ("our son Leo").
    general: bool = False


def _kin(relative: str, gender: str, said: str, *, general: bool = False) -> dict[str, Kin]:
    return dict.fromkeys(said.split(), Kin(relative, gender, general))


KIN: dict[str, Kin] = {
    # Notes written between languages call parents as at home ("Umma", "Pabbi", "mamãe").
    **_kin("mother", "f", "mother mum mom mam mama mummy mommy mamá mamãe maman mutti umma eomma amma"),
    **_kin("father", "m", "father dad daddy papa papá papai vati appa abba pabbi baba"),
    # A spouse is asked after by any of its names ("your wife", "your partner") and told of by any of them.
    **_kin("partner", "f", "wife"), **_kin("partner", "m", "husband"), **_kin("partner", "", "partner spouse"),
    **_kin("girlfriend", "f", "girlfriend"), **_kin("boyfriend", "m", "boyfriend"),
    **_kin("fiance", "m", "fiance fiancé"), **_kin("fiance", "f", "fiancee fiancée"),
    **_kin("sister", "f", "sister"), **_kin("brother", "m", "brother"),
    **_kin("son", "m", "son"), **_kin("daughter", "f", "daughter"),
    **_kin("grandmother", "f", "grandmother grandma granny gran nan nana"),
    **_kin("grandfather", "m", "grandfather grandpa granddad grandad"),
    **_kin("aunt", "f", "aunt auntie aunty"), **_kin("uncle", "m", "uncle"),
    **_kin("niece", "f", "niece"), **_kin("nephew", "m", "nephew"), **_kin("cousin", "", "cousin"),
    **_kin("stepmother", "f", "stepmother"), **_kin("stepfather", "m", "stepfather"),
    **_kin("stepdaughter", "f", "stepdaughter"), **_kin("stepson", "m", "stepson"),
    **_kin("stepsister", "f", "stepsister"), **_kin("stepbrother", "m", "stepbrother"),
    **_kin("sibling", "", "sibling", general=True), **_kin("twin", "", "twin", general=True),
    **_kin("child", "", "child kid", general=True), **_kin("parent", "", "parent", general=True),
}


def told_by(relative: str) -> list[str]:
    """Every word notes may tell of ``relative`` by ("mother": "mum", "Mamá", "Umma", ...)."""
    return [word for word, kin in KIN.items() if kin.relative == relative]


# A child is told of as "our son", "my daughter" or "Children: Fenna" as often as "my kid".
CHILD_WORDS = ("child", "children", "kid", "son", "daughter")
