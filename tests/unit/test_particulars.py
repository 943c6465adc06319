"""Questions after one particular detail are answered only by a sentence stating it (twin.chat.offline.particulars)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from twin.chat.intents import read_topics
from twin.chat.offline import extractive_answer
from twin.chat.offline.particulars import (
    _ASKS_NAMED_KIND,
    _names_a_school,
    keep_particulars,
    states_the_age_asked,
)
from twin.chat.offline.scoring import Scored
from twin.chat.offline.sentences import sentences_in
from twin.chat.prompting import Passage, Profile

ADA = Profile(twin_id="ada", display_name="Ada Lovelace", persona="")


def _answer(question: str, *contents: str) -> tuple[bool, str]:
    passages = [Passage(number=n, document_id=f"doc-{n}", chunk_id=f"chunk-{n}", title="Notes", content=content,
                        score=1.0 / n) for n, content in enumerate(contents, start=1)]
    result = extractive_answer(question=question, passages=passages, profile=ADA, topics=read_topics(question))
    return result.answered, result.text


def _scored(content: str) -> list[Scored]:
    """Every sentence of one passage, all scored alike: which of them a particular keeps is the question."""
    notes = Passage(number=1, document_id="notes", chunk_id="c1", title="Notes", content=content, score=1.0)
    return [Scored(s, 0.5, 0.5, 0.5) for s in sentences_in([notes])]


def _kept(question: str, content: str, own_name: str = "Ada Lovelace") -> list[str]:
    return [x.sentence.text for x in keep_particulars(question, _scored(content), own_name)]


PHD = "Notes > PhD\n\nI did my PhD at NTNU in Trondheim on geothermal heat, and I defended it in 2019."
CHOIR = "Notes > Choir\n\nI sing alto in Vox Borealis, a Nordic choir in Brussels that rehearses on Tuesdays."


@pytest.mark.parametrize("question", ["Who supervised your PhD at NTNU?", "Who conducts Vox Borealis?",
                                      "What was the name of the professor who supervised your PhD?"])
def test_who_holds_a_role_the_notes_never_name_is_declined(question: str) -> None:
    assert not _answer(question, PHD, CHOIR)[0]


def test_who_holds_a_role_is_answered_by_the_sentence_naming_them() -> None:
    named = CHOIR + " Vox Borealis is conducted by Hanne Lund, who founded it in 2009."
    answered, text = _answer("Who conducts Vox Borealis?", named)
    assert answered
    assert "Hanne Lund" in text


MARATHONS = ("Notes > Running\n\nI've done 11 marathons: Madrid, Berlin, Lisbon and Porto. "
             "My best time came in Valencia in 2023: 2:58:47, my first under three hours.")


def test_a_finishing_time_needs_a_duration_in_the_race_asked_about() -> None:
    assert not _answer("What was your finishing time in Berlin?", MARATHONS)[0]
    answered, text = _answer("What was your finishing time in Valencia?", MARATHONS)
    assert answered
    assert "2:58:47" in text


KIDS = "Notes > Family\n\nOur daughter Lina was born in 2020 and started school last autumn. She loves drawing."


def test_which_school_needs_a_schools_name() -> None:
    assert not _answer("Which school does your daughter go to?", KIDS)[0]
    named = KIDS + " Our daughter goes to Eric Hamber Secondary, two streets away."
    answered, text = _answer("Which school does your daughter go to?", named)
    assert answered
    assert "Eric Hamber Secondary" in text


def test_a_school_in_another_place_does_not_answer_for_the_place_asked_about() -> None:
    lima = "Education\n\nProfessional Cookery Diploma, Instituto Culinario Pachacamac, Lima (2007 - 2009)."
    assert not _answer("Which cookery school did you attend in Madrid?", lima)[0]
    assert _answer("Which cookery school did you attend in Lima?", lima)[0]


PARTNER = ("Notes > Family\n\nMy wife Ragna is a midwife, and she works nights twice a week. "
           "We met in 2011 at a tapas bar in Granada, and I worked a summer in a ceramics studio on Crete.")


@pytest.mark.parametrize("question", ["Which hospital does your wife work at?",
                                      "What was the name of the tapas bar where you met?",
                                      "What's the name of the studio you worked at on Crete?"])
def test_a_place_the_notes_never_name_is_declined(question: str) -> None:
    assert not _answer(question, PARTNER)[0]


def test_which_hospital_is_answered_by_the_sentence_naming_it() -> None:
    named = PARTNER + " My wife has been at St Olav's Hospital in Trondheim since 2015."
    answered, text = _answer("Which hospital does your wife work at?", named)
    assert answered
    assert "St Olav's Hospital" in text


def test_someone_elses_studio_is_not_the_twins_own() -> None:
    studios = ("Notes > Work\n\nMy own workshop is Nordlys Studio, by the harbour. "
               "Ragna pots in her spare time, and sells bowls at the Saturday market.")
    assert not _answer("What's the name of Ragna's pottery studio?", studios)[0]


BOOK = "Notes > Writing\n\nMy book on glaciers, *Cold Archive*, was published in 2021 and reprinted in 2023."


def test_a_publisher_needs_a_publishers_name_not_the_books() -> None:
    assert not _answer("Which publishing house put out your book?", BOOK)[0]
    assert not _answer("Who published your book?", BOOK)[0]
    answered, text = _answer("Who published your book?",
                             BOOK + " The book was published by Gyldendal, who also did the Danish edition.")
    assert answered
    assert "Gyldendal" in text


DEGREES = ("Resume > Education\n\nMSc Glaciology, University of Bergen, 2012-2014\n"
           "Thesis: *Meltwater pulses under Nigardsbreen*\n\nBSc Geography, University of Oslo, 2009-2012")


def test_a_terse_thesis_line_answers_what_the_thesis_was_about() -> None:
    answered, text = _answer("What was your master's dissertation about?", DEGREES)
    assert answered
    assert "Meltwater pulses" in text


def test_a_thesis_the_notes_never_mention_is_declined() -> None:
    studied = "Notes > Study\n\nI studied architecture at ETSAB and finished in 2012, in the middle of the crisis."
    assert not _answer("What was your final-year project at ETSAB about?", studied)[0]


def test_the_prize_of_a_work_the_question_names_is_that_works_not_anothers() -> None:
    prizes = ("Awards\n\n2021 Honour Book, Southern Cross Picture Book Prize for Fourteen Staircases. "
              "2019 Marigold Medal for Grandmother Condor's Umbrella.")
    assert not _answer("Which prize did Otto and the Night Market win?", prizes)[0]
    answered, text = _answer("Which prize did Fourteen Staircases win?", prizes)
    assert answered
    assert "Southern Cross" in text


def test_a_grade_needs_a_grade() -> None:
    assert not _answer("What grade did you get for your master's thesis?", DEGREES)[0]
    graded = DEGREES.replace("Nigardsbreen*", "Nigardsbreen* (graded summa cum laude)")
    assert _answer("What grade did you get for your master's thesis?", graded)[0]


def test_a_founding_year_needs_a_founding_not_the_year_the_twin_joined() -> None:
    joined = "Profile > Current role\n\nEmployer: Kelda Foods\nSince: 2022-04\nTitle: Head of Quality"
    assert not _answer("When was Kelda Foods founded?", joined)[0]
    founded = joined + "\n\nKelda Foods was founded in 1998 by two bakers in Tromsø."
    answered, text = _answer("When was Kelda Foods founded?", founded)
    assert answered
    assert "1998" in text


def test_a_head_count_needs_the_number_of_people_employed() -> None:
    exchanges = "Notes > Work\n\nAt Kelda Foods I set up staff exchanges with a Lagos bakery in 2023."
    assert not _answer("How many people does Kelda Foods employ?", exchanges)[0]
    counted = exchanges + " Kelda Foods employs about 140 people across two sites."
    assert "140" in _answer("How many people does Kelda Foods employ?", counted)[1]


def test_an_address_needs_a_street_or_a_postcode() -> None:
    flat = "Notes > Home\n\nWe live in a third-floor flat in Kilimani, close to the school."
    assert not _answer("What's your exact home address?", flat)[0]
    street = "Notes > Home\n\nThe workshop is at Lindenstraße 12, 10969 Berlin, on the second floor."
    assert "Lindenstraße 12" in _answer("What's the address of the workshop?", street)[1]


def test_where_a_team_finished_needs_a_placing_at_that_event() -> None:
    tour = ("Notes > Sport\n\nI play ultimate frisbee for Bristol Mixed. We went to Windmill for the first time in "
            "2023. I graduated with a First in 2012.")
    assert not _answer("Where did your frisbee team finish at Windmill?", tour)[0]
    placed = tour + " At Windmill we finished 5th of 24 teams."
    assert "5th" in _answer("Where did your frisbee team finish at Windmill?", placed)[1]


def test_a_school_of_another_level_or_someone_elses_is_not_the_one_asked_about() -> None:
    schools = ("Notes > Growing up\n\nI went to Rotorua Girls' High School. Our daughter Aiko loves her teacher at "
               "Aiko's school. Marcus, my husband, teaches maths.")
    assert not _answer("Which primary school did you go to as a kid?", schools)[0]
    assert not _answer("What's the name of the school Aiko goes to?", schools)[0]
    assert not _answer("Which school does Marcus teach at?", schools)[0]
    assert _names_a_school("Which high school did you go to?", "I went to Rotorua Girls' High School.")
    # What came after the lycée is no lycée; a secondary school may be a college or an academy.
    assert not _names_a_school("Which lycée did you go to?", "After the bac I went to the Institut Paul Bocuse.")
    assert _names_a_school("Which secondary school did you go to?", "I went to Belvedere College in Dublin.")


def test_a_thesis_of_another_degree_or_place_does_not_answer() -> None:
    phd = ("Resume > Education\n\nPhD Glaciology, University of Bergen: thesis on meltwater pulses under "
           "Nigardsbreen. My final project at Oslo was a flood map of the Akerselva.")
    assert not _answer("What was your bachelor's thesis about?", phd)[0]
    assert not _answer("What was your final-year dissertation at Cardiff about?", phd)[0]
    assert "meltwater" in _answer("What was your PhD thesis about?", phd)[1]


def test_a_boss_is_not_the_employer_the_question_names() -> None:
    cv = "Resume > Experience\n\nBrindle Health — Senior Software Engineer, then Tech Lead Manager (2019 - 2023)."
    assert not _answer("Who was your boss at Brindle Health?", cv)[0]
    assert _answer("Who was your boss at Brindle Health?", cv + " My boss at Brindle Health was Amal Haddad.")[0]


def test_a_nationality_beside_a_relative_is_not_their_name() -> None:
    assert not _answer("What's your mum's name?", "Notes > Family\n\nMum: English, grew up in Sheffield.")[0]
    assert not _answer("Which airline was the loyalty app for?",
                       "Work > Projects\n\nLoyalty and miles app for a Turkish airline (client under NDA).")[0]


def test_a_title_needs_a_title_not_a_description() -> None:
    described = "Resume > Education\n\nMaster's thesis in number theory, University of Bergen, 1986."
    assert not _answer("What was the title of your master's thesis?", described)[0]
    writing = "Notes > Writing\n\nI'm working on the fifth novel, set on board the Hurtigruten coastal ferry."
    assert not _answer("What's the title of the novel you're working on now?", writing)[0]
    titled = writing + " The fifth novel is called *Northbound Dark*, and it is due next autumn."
    assert "Northbound Dark" in _answer("What's the title of the novel you're working on now?", titled)[1]


def test_the_age_of_a_pet_is_not_the_age_of_a_child() -> None:
    family = ("Notes > Family\n\nMarte is 35 and lives in Stavanger. I live with a grey cat called Pytagoras, "
              "who ignores me.")
    assert not _answer("How old is your cat?", family)[0]


def test_the_name_of_a_band_member_needs_the_instrument_and_a_name() -> None:
    band = "Notes > Music\n\nI play cajón in a band called Los Tres Grados, Afro-Peruvian festejo with some flamenco."
    assert not _answer("What's the name of the guitarist in your band?", band)[0]
    named = band + " The guitarist in our band is Rosa Huamán, who also writes the songs."
    assert "Rosa Huamán" in _answer("What's the name of the guitarist in your band?", named)[1]


def test_a_date_is_no_grade() -> None:
    assert not _answer("What grade did you get for your master's thesis?",
                       "Resume > Experience\n\nMaster's thesis intern, Structures Department, 03/2020 - 09/2020.")[0]


def test_a_school_named_in_one_word_is_a_schools_name() -> None:
    assert _names_a_school("Which school was that?", "Lektor in mathematics, Bergen Katedralskole, 1994-2022.")


def test_a_place_of_a_relatives_life_needs_a_sentence_about_that_relative() -> None:
    notes = ("Notes > Family\n\nMy little sister Aiko is 25. I studied mechanical engineering at the Pontificia "
             "Universidad Católica del Perú.")
    assert not _answer("Which university is your sister studying at?", notes)[0]


def _follow_up(question: str, asked: str, said: str, *contents: str) -> tuple[bool, str]:
    passages = [Passage(number=n, document_id=f"doc-{n}", chunk_id=f"chunk-{n}", title="Notes", content=content,
                        score=1.0 / n) for n, content in enumerate(contents, start=1)]
    result = extractive_answer(question=question, search_text=f"{asked} {question}", passages=passages, profile=ADA,
                               topics=read_topics(f"{asked} {question}"), said=said)
    return result.answered, result.text


PETS = ("Notes > Home\n\nInstead I got a job at Willamette Regional Transit, met my husband, adopted a dog, and here "
        "we are. Fanous knocked the cat flap off its hinges again. The kitchen is small.")


def test_their_names_after_a_question_about_pets_are_the_names_the_notes_give_them() -> None:
    said = "My cat, Fanous, supervised most of them from the top of the fridge [1]."
    answered, text = _follow_up("What are their names?", "Any animals at home?", said, PETS)
    assert answered
    assert "Fanous knocked" in text
    assert "Willamette" not in text


def test_a_name_before_the_animal_word_names_it_too() -> None:
    notes = "Notes > Home\n\nWe moved to Lisbon in 2019. Fado, our one-eyed grey tabby cat, runs the household."
    answered, text = _follow_up("What's its name?", "Any pets?", "", notes)
    assert answered
    assert "Fado" in text


@pytest.mark.parametrize(("question", "told", "named"), [
    ("Which brand of watercolour paints do you use?", "On Sunday afternoons I paint, watercolour only.",
     "I only use Winsor & Newton paints, bought in tubes."),
    ("What make is the horn you play?", "Outside work, Ada plays solo tenor horn with Manukau Tidewater Brass.",
     "My horn is a Besson Sovereign, older than me."),
    ("What brand of climbing shoes do you wear?", "One dog, one sourdough starter, too many climbing shoes.",
     "I climb in La Sportiva climbing shoes, resoled twice."),
])
def test_a_brand_is_answered_only_by_a_makers_name_beside_the_thing(question: str, told: str, named: str) -> None:
    assert _kept(question, f"Notes\n\n{told} {named}") == [named]


def test_a_question_about_what_makes_something_good_asks_no_brand() -> None:
    answered, text = _answer("In your view, what actually makes a good safety culture?",
                             "Notes\n\nA good safety culture is one where the newest person feels able to say stop.")
    assert answered
    assert "say stop" in text


def test_a_job_title_in_capitals_is_no_bosss_name() -> None:
    cv = ("Resume > Experience\n\nBrindle Health — Senior Software Engineer → Tech Lead Manager. "
          "My manager there was Amal Haddad.")
    assert _kept("Who was your boss at Brindle Health?", cv, "Bao Tran") == ["My manager there was Amal Haddad."]


@pytest.mark.parametrize(("question", "near_miss", "answer"), [
    ("Did you get a first in your undergrad?", "The median customer took 11 days to produce a first report.",
     "I graduated with a 2:1 from Galway in 2012."),
    ("Who made your grandad's fiddle, and how old is it?", "Born: 1981.",
     "The fiddle was made by Magnus Flett in Stromness."),
])
def test_a_grade_or_a_maker_is_answered_only_by_a_sentence_stating_one(question: str, near_miss: str,
                                                                      answer: str) -> None:
    assert _kept(question, f"Notes\n\n{near_miss} {answer}", "Ewan Flett") == [answer]


def test_someone_elses_mama_or_a_line_above_names_no_mother_of_the_twins() -> None:
    from twin.chat.offline.declines import unnamed_relative

    notes = Passage(number=1, document_id="notes", chunk_id="c1", title="Notes", score=1.0,
                    content='Notes\n\nNames every bee she sees "Beatrice"\nMum: English, grew up in Sheffield.\n'
                            "Egusi soup, the way Dad's cook Mama Bisi made it.")
    assert unnamed_relative("What's your mum's name?", [notes])
    named = replace(notes, content=notes.content + "\n- Umma (Lee Eun-hee) still teaches piano.")
    assert not unnamed_relative("What's your mum's name?", [named])
    assert not unnamed_relative("What's your mum's name?", [replace(notes, content="My mum Sarah is a nurse.")])


def test_a_relatives_relative_is_not_that_relative() -> None:
    from twin.chat.offline.declines import unnamed_relative

    notes = Passage(number=1, document_id="notes", chunk_id="c1", title="Notes", score=1.0,
                    content="Notes\n\nThe real reason I became a vet is my Tutu, Hannah Kealoha, my mum's mother.")
    assert unnamed_relative("What's your mum's name?", [notes])
    assert unnamed_relative("What's your mother's name?", [notes])
    assert not unnamed_relative("What's your grandma's name?",
                                [replace(notes, content="My grandmother Hannah Kealoha, my mum's mother.")])


def test_a_thesis_line_is_of_the_degree_listed_above_it() -> None:
    cv = ("CV > Education\n\n* **MSc Geographical Information Science**, Salzburg, 2018-2021.\n"
          "  Thesis: *Snowmobile trails and reindeer calving areas*.\n"
          "* **Bachelor in Animal Nursing**, Oslo, 2009-2012.")
    assert not [t for t in _kept("What was your bachelor's thesis about?", cv) if "Snowmobile" in t]
    assert [t for t in _kept("What was your master's thesis about?", cv) if "Snowmobile" in t]


def test_a_time_asked_for_one_kind_of_race_is_that_kind_of_races_time() -> None:
    notes = ("Notes > Running\n\nMy longest race is the Kaimai Crossing 62K, which took me 9 hours 41 minutes. "
             "Auckland Marathon 2019: 3:51:07, my best on the road.")
    assert _kept("What's your best time for a road marathon?", notes) == [
        "Auckland Marathon 2019: 3:51:07, my best on the road."]
    assert _kept("What was your finishing time at your first ultra?", notes) == [
        "My longest race is the Kaimai Crossing 62K, which took me 9 hours 41 minutes."]


@pytest.mark.parametrize("age", ["My grandmother is 84 and still bakes.", "My grandmother (born 1941) still bakes.",
                                 "My grandmother, 84, still bakes."])
def test_a_relatives_age_is_answered_only_by_their_age_or_birth_year(age: str) -> None:
    moved = "Notes\n\nMy grandmother moved in with my parents in Laval in 2016."
    assert _kept("How old is your grandmother?", f"{moved} {age}") == [age]
    assert _kept("How old is your grandmother?", moved) == []


def test_a_climbing_grade_is_answered_by_a_grade_of_the_kind_of_climbing_asked() -> None:
    notes = ("Notes > Climbing\n\nBouldering three times a week at Bloc. Hardest sport route: 7a+. "
             "My proudest moment: Tramuntana, a 7a+ at Siurana.")
    assert _kept("What's the hardest boulder grade you've climbed?", notes) == []
    assert _kept("What's the hardest boulder grade you've climbed?", notes + " Projecting a V5 indoors.") == [
        "Projecting a V5 indoors."]
    assert "Hardest sport route: 7a+." in _kept("What's the hardest grade you've sent?", notes)


def test_a_singles_ranking_is_not_the_doubles_one() -> None:
    notes = "Notes > Badminton\n\nCareer-high doubles ranking: No. 14. I played singles at school."
    assert _kept("What was your highest world ranking in singles?", notes) == ["I played singles at school."]


@pytest.mark.parametrize("question", ["What does Bartek do for work?", "What did Barbara study?"])
def test_a_name_that_begins_like_a_kind_of_place_asks_for_no_place(question: str) -> None:
    assert not _ASKS_NAMED_KIND.search(question)
    assert _ASKS_NAMED_KIND.search("Which bars do you go to?")


def test_a_place_the_brand_question_names_is_not_the_thing_asked_the_maker_of() -> None:
    notes = "Notes\n\nIn 2019 I cycled from Leipzig to Gliwice: 640 km in 6 days."
    assert _kept("What make of bicycle did you ride to Gliwice?", notes) == []
    assert _kept("What make of bicycle did you ride to Gliwice?", notes + " I ride a Stevens touring bicycle.") == [
        "I ride a Stevens touring bicycle."]


def test_a_kind_of_school_is_no_school_by_its_name() -> None:
    notes = "Notes\n\nI learned basic Japanese at Saturday Japanese school in Hilo."
    assert _kept("Which high school did you go to in Hilo?", notes) == []


def test_a_relative_beside_a_place_is_not_named_by_it() -> None:
    from twin.chat.offline.declines import unnamed_relative

    notes = Passage(number=1, document_id="notes", chunk_id="c1", title="Notes", score=1.0,
                    content="Notes\n\nMy older brother moved to Norway in 2010 and works offshore.")
    assert unnamed_relative("What's your older brother called?", [notes])
    assert not unnamed_relative("What's your older brother called?",
                                [replace(notes, content="My older brother Piotr moved to Norway in 2010.")])


KID = "Notes > Household\n\nPartner: Maarten\n\nChildren: Fenna\n\nNotes > Home\n\nFenna turned six in October."
STOOLS = ("Notes > Weekends\n\nI make stools. I've made 23 so far; number 17 went to my grandmother's old neighbour. "
          "Two-hundred-and-fifty-year-old timber, still doing its job.")


def test_a_childs_age_is_told_by_the_name_a_list_of_children_gives_them() -> None:
    assert _kept("How old is your kid?", KID) == ["Fenna turned six in October."]


@pytest.mark.parametrize(("question", "text", "states"), [
    ("How old are you?", "I'm 38 and I still cannot saw straight.", True),
    ("How old are you?", "Born: 1987", True),
    ("How old are you?", "I've made 23 so far; number 17 went to my grandmother's old neighbour.", False),
    ("How old are you?", "Two-hundred-and-fifty-year-old timber, still doing its job.", False),
    ("How old are you?", "Fenna turned six in October.", False),
    ("How old is your kid?", "Fenna turned six in October.", True),
    # A note's fragment says no "I": the age at a time is still the twin's.
    ("How old were you when you started work?", "- First real job was at 16, at a pâtisserie on Jean-Talon.", True),
    ("How old were you when you came over?", "name: Yaw; born: 2010-03-14", False),
    ("How old is he now?", "Stjarni, 14 years old, best tölt in the family.", None),
])
def test_the_age_asked_needs_a_statement_of_that_age(question: str, text: str, states: bool | None) -> None:
    assert states_the_age_asked(question, text) is states


def test_the_twins_own_age_is_not_answered_by_an_old_thing() -> None:
    assert not _answer("How old are you?", STOOLS)[0]


def test_a_brand_of_a_thing_is_that_things_maker_not_the_verbs() -> None:
    races = ("Notes > Weekends\n\nIn summer I crew on the skûtsje De Jonge Jan in the IFKS races. "
             "In winter I skate the lakes when they freeze.")
    assert not _answer("What make of skates do you race on?", races)[0]
    answered, text = _answer("What make of skates do you race on?", races + " I race on Viking skates.")
    assert answered
    assert "Viking" in text


@pytest.mark.parametrize(("question", "content"), [
    ("What was the name of the ship where the ladder rope snapped on you in 2019?",
     "Notes > Ladders\n\nOnce, in 2019, a side rope parted when I was four steps up the ladder of a bulk carrier."),
    ("Which developer commissioned the Barreiro warehouse conversion?",
     "Notes > Work\n\nArmazém da Corticeira, Barreiro: conversion of a 1940s cork warehouse into 62 apartments."),
])
def test_the_name_of_a_ship_or_a_client_the_notes_never_give_is_declined(question: str, content: str) -> None:
    assert not _answer(question, content)[0]


def test_a_ship_the_notes_name_answers_which_ship() -> None:
    named = "In 2019 the side rope parted on the bulk carrier Nordic Tern."
    assert _kept("What was the name of the ship where the ladder rope snapped?",
                 f"Notes > Ladders\n\nI climb a ladder onto every ship. {named}") == [named]


def test_a_relatives_children_the_notes_never_name_are_declined() -> None:
    from twin.chat.offline.declines import unnamed_relative

    notes = Passage(number=1, document_id="notes", chunk_id="c1", title="Notes", score=1.0,
                    content="Notes\n\nMy older sister Abena is a pharmacist in Accra and has twin boys; "
                            "my younger brother Yaw is a civil engineer in Toronto.")
    assert unnamed_relative("What are your sister's twins called?", [notes])
    assert unnamed_relative("What are the names of your sister's kids?", [notes])
    named = replace(notes, content=notes.content + " My sister's twins, Kwesi and Kojo, turned nine.")
    assert not unnamed_relative("What are your sister's twins called?", [named])
    # The twin's own children are told of each by its own word ("our son Leo"): not decided here.
    assert not unnamed_relative("What are your kids called?", [notes])


def test_a_daughter_is_named_by_a_list_of_children() -> None:
    from twin.chat.offline.declines import unnamed_relative

    profile = Passage(number=1, document_id="profile.json", chunk_id="c1", title="Ilse", score=1.0,
                      content="Ilse > Household\n\nPartner: Maarten\n\nChildren: Fenna")
    assert not unnamed_relative("What's your daughter's name?", [profile])
