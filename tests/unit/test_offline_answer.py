"""Offline (no-model) answers: quoted, cited, relevant sentences in the twin's own voice."""

from __future__ import annotations

import re

import pytest

from twin.chat.intents import Intent, read_topics
from twin.chat.offline import extractive_answer, introduce, jobs_in
from twin.chat.offline.declines import asks_about_an_unheld_subject, asks_about_the_unmentioned
from twin.chat.offline.scoring import Scored
from twin.chat.offline.sentences import sentences_in, terms
from twin.chat.prompting import Passage, Profile, no_context_answer
from twin.ingest.chunking import chunk_document

ADA = Profile(twin_id="ada", display_name="Ada Lovelace", persona="")


def passage(number: int, content: str, *, title: str | None = "CV",
            heading_path: tuple[str, ...] = ()) -> Passage:
    return Passage(number=number, document_id=f"doc-{number}", chunk_id=f"chunk-{number}", title=title,
                   content=content, score=1.0 / number, heading_path=heading_path)


def answer(question: str, *contents: str, profile: Profile = ADA, max_sentences: int = 3) -> str:
    passages = [passage(n, content) for n, content in enumerate(contents, start=1)]
    return extractive_answer(question=question, passages=passages, profile=profile,
                             max_sentences=max_sentences).text


EDUCATION = ("CV > Education\n\nI studied computer science at the University of Edinburgh from 2012 to 2016. "
             "I rowed for the university team.")
WORK = "CV > Work\n\nI worked at Acme Corp as a data engineer. Before that I was an intern at Initech."


def test_offline_answer_contains_the_fact_and_its_citation() -> None:
    result = answer("Where did you study?", EDUCATION)
    assert "University of Edinburgh" in result
    assert "from 2012 to 2016 [1]." in result


def test_offline_answer_has_no_lead_the_mode_field_says_it_is_quoted() -> None:
    assert answer("Where did you study?", EDUCATION).startswith("I studied computer science")


def test_offline_answer_cites_the_passage_it_quotes() -> None:
    result = answer("Where did you work as a data engineer?", EDUCATION, WORK)
    assert "Acme Corp as a data engineer [2]." in result
    assert "[1]" not in result
    assert "Edinburgh" not in result


def test_each_quoted_sentence_carries_its_own_passage_number() -> None:
    result = answer("Which university team did you row for, and where did you work as an engineer?",
                    EDUCATION, WORK, max_sentences=2)
    assert "I rowed for the university team [1]." in result
    assert "I worked at Acme Corp as a data engineer [2]." in result


def test_relevance_beats_passage_rank() -> None:
    result = answer("Where were you an intern?", EDUCATION, WORK, max_sentences=1)
    assert result == "Before that I was an intern at Initech [2]."


def test_passage_rank_breaks_ties() -> None:
    result = answer("Tell me about tea.", "Notes\n\nI drink tea daily.", "Notes\n\nI grow tea at home.",
                    max_sentences=1)
    assert result == "I drink tea daily [1]."


def test_passages_are_ranked_by_citation_number_not_input_order() -> None:
    passages = [passage(2, "Notes\n\nI grow tea at home."), passage(1, "Notes\n\nI drink tea daily.")]
    result = extractive_answer(question="Tea?", passages=passages, profile=ADA, max_sentences=1).text
    assert result.endswith("[1].")


def test_max_sentences_limits_the_answer() -> None:
    text = "Notes\n\nI like tea. I brew tea. I sell tea. I grow tea."
    assert len(re.findall(r"\[1\]", answer("Tea?", text, max_sentences=2))) == 2
    assert len(re.findall(r"\[1\]", answer("Tea?", text))) == 3


def test_sentences_keep_their_original_order_within_a_passage() -> None:
    text = ("Notes\n\nI started baking bread in 2010. Cats are great. "
            "Later I opened a small bread bakery selling sourdough bread.")
    result = answer("Tell me about your bread bakery", text, max_sentences=2)
    assert result.index("started baking bread") < result.index("opened a small bread bakery")
    assert "Cats" not in result


def test_breadcrumb_heading_line_is_not_quoted() -> None:
    breadcrumb_only_match = "Ada Lovelace > Rowing\n\nI competed for Edinburgh in 2014."
    result = answer("rowing", breadcrumb_only_match)
    assert "Ada Lovelace > Rowing" not in result
    assert ">" not in result


def test_breadcrumb_is_recognised_from_heading_path() -> None:
    crumb = passage(1, "Projects > Engines\n\nI designed an engine.", title=None,
                    heading_path=("Projects", "Engines"))
    result = extractive_answer(question="engines projects", passages=[crumb], profile=ADA).text
    assert result == "I designed an engine [1]."


def test_repeated_sentences_from_overlapping_chunks_are_quoted_once() -> None:
    shared = "I studied computer science at the University of Edinburgh."
    result = answer("Where did you study?", f"CV\n\n{shared}", f"CV\n\n{shared} I graduated.")
    assert result.count("University of Edinburgh") == 1


# --- first person ----------------------------------------------------------------------------


def test_offline_answer_speaks_in_first_person_about_the_twin() -> None:
    result = answer("What did you study?", "Bio\n\nAda Lovelace studied mathematics in London.")
    assert result == "I studied mathematics in London [1]."


def test_first_name_and_present_tense_verbs_become_first_person() -> None:
    result = answer("Where do you live and work?",
                    "Bio\n\nAda lives in Berlin and works at Acme. Ada is a data engineer.", max_sentences=1)
    # The short first sentence brings the one after it (a lead-in's substance often follows it).
    assert result == "I live in Berlin and work at Acme [1]. I am a data engineer [1]."


def test_a_short_best_sentence_brings_the_next_one_of_its_section() -> None:
    notes = "Notes\n\nCLIMBING\nMy real hobby, my therapy, my social life. Bouldering three times a week at Bloc.\n"
    result = answer("What is your real hobby?", notes)
    assert result.startswith("My real hobby")
    assert "Bouldering three times a week" in result


def test_a_long_best_sentence_stands_alone() -> None:
    notes = ("Notes\n\nMy real hobby is climbing at the bouldering gym near the studio three evenings a week "
             "with my friends. The gym opened in 2019.\n")
    result = answer("What is your real hobby?", notes)
    assert "climbing" in result
    assert "2019" not in result


def test_decorated_lines_are_headings_not_sentences() -> None:
    notes = "Notes\n\n== the district I grew up in ==\nBusan, Yeongdo district, two streets up from the harbour.\n"
    result = answer("Which district did you grow up in?", notes)
    assert "Busan" in result
    assert "==" not in result
    assert "the district I grew" not in result


def test_possessive_name_becomes_my() -> None:
    result = answer("What is your favourite language?", "Bio\n\nAda's favourite language is Rust.")
    assert result == "My favourite language is Rust [1]."


def test_name_as_object_becomes_me() -> None:
    result = answer("Which award did you win?", "Bio\n\nThe Turing award was given to Ada Lovelace in 2020.")
    assert result == "The Turing award was given to me in 2020 [1]."


def test_the_name_a_name_field_states_makes_a_third_person_bio_first_person_without_a_profile() -> None:
    nobody = Profile(twin_id="t", display_name="", persona="")
    fields = passage(1, "Profile\n\nname: Thandiwe Asanda Mabandla; born: 1988.")
    bio = passage(2, "Bio\n\nThandiwe Mabandla grew up in Mthatha, where her mother was a nurse.")
    result = extractive_answer(question="Where did you grow up?", passages=[fields, bio], profile=nobody).text
    assert "I grew up in Mthatha, where my mother was a nurse" in result
    # A title is no name field: "First Light" is a post, and "First real job" stays as written.
    titled = Passage(number=1, document_id="post.md", chunk_id="p1", title="First Light: My Telescope",
                     content="First real job was at 16, at a pâtisserie.", score=1.0)
    assert "First real job" in extractive_answer(question="What was your first real job?", passages=[titled],
                                                 profile=nobody).text


def test_a_name_quoted_labelled_or_inside_a_longer_name_stays_as_written() -> None:
    kwame = Profile(twin_id="k", display_name="Kwame Asante", persona="")
    assert 'what "Kwame" means' in answer("What does your name mean?", 'Bio\n\nKwame Asante was born on a '
                                          'Saturday, which is what "Kwame" means.', profile=kwame)
    thu = Profile(twin_id="a", display_name="Trần Anh Thư", persona="")
    assert "Anh Thư Trần is a chemist" in answer("Who is Anh Thư Trần?", "Bio\n\nAnh Thư Trần is a chemist.",
                                                 profile=thu)
    marit = Profile(twin_id="m", display_name="Marit Tveiten", persona="")
    assert "Marit Tveiten · Tromsø" in answer("Where are the maps from?", "Maps\n\nMarit Tveiten · Tromsø · Maps "
                                              "made with open data.", profile=marit)


def test_pronouns_become_first_person_when_the_passage_is_about_the_twin() -> None:
    text = "Bio\n\nAda Lovelace is an engineer. She teaches at Oxford and her students build engines."
    result = answer("Where do you teach?", text)
    assert "I teach at Oxford and my students build engines [1]." in result
    assert "She" not in result
    assert "her " not in result


def test_pronouns_about_someone_else_are_left_alone() -> None:
    result = answer("Who writes Go?", "Team\n\nBob joined in 2019. He writes Go every day.")
    assert "He writes Go every day [1]." in result


def test_pronouns_stay_when_the_passage_mentions_two_genders() -> None:
    text = "Team\n\nAda hired Bob in 2019. He writes Go and she reviews it."
    assert "He writes Go and she reviews it [1]." in answer("Who writes Go?", text)


def test_pronouns_stay_in_a_passage_written_in_the_first_person() -> None:
    text = "Notes\n\nI met Ada Lovelace's mentor in 2019. He taught me engines."
    assert "He taught me engines [1]." in answer("Who taught engines?", text)


def test_sentences_already_in_first_person_are_kept_verbatim() -> None:
    result = answer("What is your name?", "About\n\nMy name is Ada Lovelace and I write about engines.")
    assert result == "My name is Ada Lovelace and I write about engines [1]."


def test_a_namesake_is_not_rewritten() -> None:
    result = answer("Who is Ada Smith?", "Family\n\nAda Smith is a painter in Leeds.")
    assert "Ada Smith is a painter in Leeds [1]." in result


def test_honorific_in_the_profile_still_matches_the_plain_name() -> None:
    doctor = Profile(twin_id="ada", display_name="Dr. Ada Lovelace", persona="")
    result = answer("What do you research?", "Bio\n\nAda Lovelace researches engines.", profile=doctor)
    assert result == "I research engines [1]."


# --- fallbacks -------------------------------------------------------------------------------


def test_without_overlap_the_twin_says_its_notes_do_not_hold_the_answer() -> None:
    passages = [passage(1, WORK), passage(2, EDUCATION)]
    result = extractive_answer(question="What is your favourite colour?", passages=passages, profile=ADA)
    assert result.answered is False
    assert result.text == no_context_answer(ADA)


def topical_answer(question: str, *contents: str) -> tuple[bool, str]:
    passages = [passage(n, content) for n, content in enumerate(contents, start=1)]
    result = extractive_answer(question=question, passages=passages, profile=ADA, topics=read_topics(question))
    return result.answered, result.text


def test_a_paraphrased_question_is_answered_by_the_words_its_topic_uses() -> None:
    answered, text = topical_answer("Are you married?", WORK, "Bio\n\nI live in Berlin with my husband, Tom.")
    assert answered
    assert "Tom" in text


def test_without_a_semantic_model_a_topic_question_needs_a_topic_word() -> None:
    # "many" is all the two share: word matching must not take "how many riders" for "how many kids".
    answered, _ = topical_answer("How many kids do you have?", "Notes\n\nHow many riders does a bus lane add?")
    assert answered is False


def test_a_sentence_opening_on_a_reference_back_brings_the_one_it_refers_to() -> None:
    text = answer("Which shelter was it?", "Pets\n\nTusse is our cat. We adopted him from a shelter in Voss.")
    assert text.startswith("Tusse is our cat")
    assert "shelter in Voss" in text


def test_a_figure_is_never_answered_by_a_near_miss() -> None:
    answered, _ = topical_answer("What is your salary?", WORK, "Notes\n\nI don't take paid consulting work.")
    assert answered is False
    answered, text = topical_answer("What salary are you hoping for?", "Notes\n\nMy salary expectation is 90k.")
    assert answered
    assert "90k" in text


def test_a_birthday_needs_a_date_not_only_the_word() -> None:
    answered, _ = topical_answer("When is your birthday?", "Studio\n\nI print birthday cards and gig posters.")
    assert answered is False
    answered, text = topical_answer("When is your birthday?", "Bio\n\nMy birthday is in May, on the 14th.")
    assert answered
    assert "14th" in text


def test_the_answer_names_the_passages_it_cites() -> None:
    result = extractive_answer(question="Where were you an intern?", passages=[passage(1, EDUCATION),
                               passage(2, WORK)], profile=ADA, max_sentences=1)
    assert result.cited == frozenset({2})
    assert "[2]" in result.text


@pytest.mark.parametrize(("question", "notes"), [
    ("What breed is your cat?", "Pets\n\nTusse is our cat. We adopted him from a shelter in Voss in 2020."),
    ("Which climbing gym are you a member of?", "Hobbies\n\nI climb indoors twice a week and outdoors in Sintra."),
    ("Who was your boss at Initech?", WORK),
    ("What was your PhD about?", "Education\n\nI did a master's in structural engineering at NTNU."),
    ("What's your best 10K time?", "Running\n\nMy half-marathon best is 1:41:22 and my 5K best is 21:30."),
    ("Which AWS certifications do you hold?", "Skills\n\nInfrastructure: Kubernetes, Terraform and AWS."),
    ("What's your dog called?", "Pets\n\nWe share our home with Bunsen, a leopard tortoise of about forty."),
])
def test_a_question_about_what_the_notes_leave_out_of_what_they_mention_is_declined(question: str,
                                                                                     notes: str) -> None:
    answered, _ = topical_answer(question, notes)
    assert answered is False


def test_a_verb_after_the_subject_is_not_taken_for_what_is_asked_about() -> None:
    answered, text = topical_answer("Have any of your books picked up awards?",
                                    "Awards\n\nMy second book won the Marigold Medal in 2019.")
    assert answered
    assert "Marigold Medal" in text


def test_the_same_question_is_answered_when_the_notes_hold_its_subject() -> None:
    answered, text = topical_answer("What breed is your cat?", "Pets\n\nTusse is our cat, a Norwegian Forest breed.")
    assert answered
    assert "Norwegian Forest" in text
    # "programming" is not in the notes, but it only qualifies "languages", which is.
    answered, text = topical_answer("Which programming languages do you know?",
                                    "Skills\n\nLanguages I know: Go, Python and SQL.")
    assert answered
    assert "Go, Python" in text


def test_a_bare_figure_answers_under_a_heading_that_names_its_topic() -> None:
    passages = [Passage(number=1, document_id="faq.json#4", chunk_id="c1", title="What are your salary expectations?",
                        content="What are your salary expectations?\n\nBetween 75,000 and 85,000 euros gross.",
                        score=1.0)]
    result = extractive_answer(question="What kind of pay are you after?", passages=passages, profile=ADA,
                               topics=read_topics("What kind of pay are you after?"))
    assert result.answered
    assert "75,000" in result.text


def test_a_section_name_is_never_quoted_as_an_answer() -> None:
    passages = [Passage(number=1, document_id="about.html", chunk_id="c1", title="About",
                        content="About > About me > Where I am now\n\nI live in Leslieville, in east Toronto.",
                        score=1.0, heading_path=("About", "About me", "Where I am now"))]
    result = extractive_answer(question="Where do you live these days?", passages=passages, profile=ADA,
                               topics=read_topics("Where do you live these days?"))
    assert "Where I am now" not in result.text
    assert "Leslieville" in result.text


def test_a_follow_up_asking_for_more_is_not_answered_with_what_was_just_said() -> None:
    notes = ("CV\n\nI work at Acme as a data engineer. I mentor two juniors at Acme.",
             "Earlier\n\nBefore that I worked at Globex as an analyst.")
    passages = [passage(n, content) for n, content in enumerate(notes, start=1)]
    said = "I work at Acme as a data engineer [1]. I mentor two juniors at Acme [1]."
    result = extractive_answer(question="And before that?", search_text="Where do you work? And before that?",
                               passages=passages, profile=ADA, said=said)
    assert "Globex" in result.text
    assert "Acme as a data engineer" not in result.text


def test_what_was_said_is_repeated_when_nothing_new_answers_the_follow_up() -> None:
    said = "I worked at Acme Corp as a data engineer [1]. Before that I was an intern at Initech [1]."
    result = extractive_answer(question="And before that?", search_text="Where did you work? And before that?",
                               passages=[passage(1, WORK)], profile=ADA, said=said)
    assert result.answered  # without the fallback every sentence was said, and it would decline
    assert "Acme Corp" in result.text


def test_a_how_long_question_prefers_the_sentence_with_a_date() -> None:
    answered, text = topical_answer("How long have you lived in Lisbon?",
                                    "Home\n\nI have lived in Lisbon, a city of hills and trams.",
                                    "Move\n\nI have lived in Lisbon since 2018.")
    assert answered
    assert text.startswith("I have lived in Lisbon since 2018")


def test_the_sentence_naming_someone_brings_the_next_one_about_them() -> None:
    text = answer("Who are you married to?", "Family\n\nI'm married to Rhodri, who is Welsh. "
                  "He's a bicycle mechanic in Stockport. Our garden is small.")
    assert "Rhodri" in text
    assert "bicycle mechanic" in text
    assert "garden" not in text


def test_a_name_that_only_sets_the_scene_does_not_decline_the_question() -> None:
    answered, text = topical_answer("Our team is in Berlin, would you need a work permit?",
                                    "Work rights\n\nI'm an EU citizen, so I need no work permit anywhere in the EU.")
    assert answered
    assert "EU citizen" in text


def test_a_name_of_several_words_is_asked_about_as_a_whole() -> None:
    passages = [passage(1, "Work\n\nOne day I joined Shamba Signal, a start-up in Nairobi.")]
    result = extractive_answer(question="What did you do at One Acre Fund?", passages=passages, profile=ADA)
    assert result.answered is False


def test_question_about_a_name_the_notes_never_mention_is_declined() -> None:
    passages = [passage(1, WORK)]
    result = extractive_answer(question="What was it like working at Google as a data engineer?",
                               passages=passages, profile=ADA)
    assert result.answered is False


def test_a_compass_word_before_a_name_the_notes_hold_is_no_unknown_name() -> None:
    passages = [passage(1, "Moving\n\nI swapped Bavaria for Holland in 2016 because Joris lived in Rotterdam.")]
    result = extractive_answer(question="Why did you swap Bavaria for South Holland?", passages=passages, profile=ADA)
    assert result.answered is True
    assert "Joris" in result.text
    unheld = extractive_answer(question="Why did you swap Bavaria for South Carolina?", passages=passages, profile=ADA)
    assert unheld.answered is False


def test_a_short_form_of_what_notes_spell_out_is_no_unknown_name() -> None:
    passages = [passage(1, "Work\n\nI worked outside Scotland once: three months in Cuxhaven, Germany.")]
    result = extractive_answer(question="Have you ever worked outside the UK?", passages=passages, profile=ADA)
    assert result.answered is True
    assert "Cuxhaven" in result.text


def test_who_are_you_is_answered_from_the_profile_and_the_introductory_passage() -> None:
    passages = [passage(1, "Bio\n\nAda Lovelace is a data engineer in Berlin."), passage(2, WORK)]
    result = introduce(intent=Intent.INTRODUCTION, passages=passages, profile=ADA, query_vector=None, embed=None)
    assert result.answered is True
    assert result.text.startswith("I'm Ada Lovelace.")
    assert "I am a data engineer in Berlin [1]." in result.text


def test_name_comes_from_the_notes_when_the_profile_has_none() -> None:
    nameless = Profile(twin_id="t", display_name="", persona="")
    passages = [passage(1, "About me\n\nI'm Sofía Valderrama, a transit data scientist.")]
    result = introduce(intent=Intent.NAME, passages=passages, profile=nameless, query_vector=None, embed=None)
    assert result.text == "My name is Sofía Valderrama."


def test_greeting_introduces_the_twin_instead_of_declining() -> None:
    result = introduce(intent=Intent.GREETING, passages=[passage(1, WORK)], profile=ADA, query_vector=None,
                       embed=None)
    assert result.answered is True
    assert result.text.startswith("Hi! I'm Ada Lovelace.")


@pytest.mark.parametrize("contents", [(), ("CV > Empty\n\n",)])
def test_no_usable_passage_gives_the_no_context_answer(contents: tuple[str, ...]) -> None:
    assert answer("Where did you study?", *contents) == no_context_answer(ADA)


# --- end to end with the real chunker --------------------------------------------------------


def test_answers_from_real_chunks_skip_breadcrumbs_and_cite_the_right_chunk() -> None:
    document = (
        "# Ada Lovelace\n\nAda Lovelace is a data engineer in Berlin. She writes about streaming.\n\n"
        "## Education\n\nI studied computer science at the University of Edinburgh from 2012 to 2016.\n"
        "My dissertation was about stream processing.\n\n"
        "## Experience\n\n- 2016-2019: Data engineer at Acme Corp.\n- 2019-now: Staff engineer at Streamly.\n"
    )
    chunks = chunk_document(document, title="Ada Lovelace", max_chars=200, overlap_chars=50, min_chars=20)
    passages = [Passage(number=i, document_id="cv", chunk_id=f"c{i}", title="Ada Lovelace",
                        content=c.content, score=0.5, heading_path=tuple(c.heading_path))
                for i, c in enumerate(chunks, start=1)]
    education = next(p.number for p in passages if "Education" in p.heading_path)
    result = extractive_answer(question="Where did you study?", passages=passages, profile=ADA).text
    assert "University of Edinburgh" in result
    assert f"[{education}]" in result
    assert "Ada Lovelace >" not in result
    intro = extractive_answer(question="What do you write about?", passages=passages, profile=ADA).text
    assert intro == "I write about streaming [1]."


PODCAST = "Notes > Podcast\n\nI host a podcast about databases. There are 94 episodes now. About 2,000 people listen."


def test_how_many_of_something_is_answered_by_a_count_of_that_thing_only() -> None:
    assert answer("How many episodes of your podcast are there?", PODCAST).startswith("There are 94 episodes")
    assert answer("How many downloads does each podcast episode get?", PODCAST) == no_context_answer(ADA)


def test_a_count_may_follow_the_sentence_naming_what_it_counts() -> None:
    stools = ("Notes > Weekends\n\nI make stools from green ash at a shared workshop in Marvila. "
              "I've made 23 so far; the first one wobbled.")
    assert "23" in answer("How many stools have you made so far?", stools)
    # "four years" counts years, not engineers.
    sre = ("Notes > Work\n\nI lead the platform engineers at Lakeshore. "
           "I then spent four years on the payments platform.")
    assert answer("How many engineers are on your team?", sre) == no_context_answer(ADA)


def test_how_many_languages_is_answered_by_the_list_of_them() -> None:
    languages = passage(1, "CV > Languages\n\n- Twi — native\n- English — fluent\n- French — basic",
                        heading_path=("CV", "Languages"))
    question = "How many languages do you speak?"
    result = extractive_answer(question=question, passages=[languages], profile=ADA, topics=read_topics(question)).text
    assert "Twi" in result


def test_a_field_line_is_a_fact_and_stays_a_record() -> None:
    profile = passage(1, "Ada Lovelace\n\nName: Ada Lovelace\n\nNotice period: 6 weeks\n\nWork rights: UK citizen")
    result = extractive_answer(question="What is your notice period?", passages=[profile], profile=ADA).text
    assert "Notice period: 6 weeks [1]" in result
    assert "Name: I" not in extractive_answer(question="What is your full name?", passages=[profile],
                                              profile=ADA).text


def test_a_why_question_prefers_the_sentence_that_gives_a_reason() -> None:
    move = ("Notes > Moving\n\nI moved to Montréal in 2013. The winters there are long. "
            "I moved to Montréal because Lyon felt small.")
    assert answer("Why did you move to Montréal?", move, max_sentences=1).startswith("I moved to Montréal because")


def test_a_salary_question_about_the_current_job_is_not_answered_by_the_job_title_and_its_year() -> None:
    cv = "CV > Work\n\nIn 2018 I left the classroom for a data analyst job at a housing association."
    question = "What are you earning in your current job?"
    result = extractive_answer(question=question, passages=[passage(1, cv)], profile=ADA, topics=read_topics(question))
    assert not result.answered


def test_a_doctorate_the_notes_never_mention_is_declined_even_beside_a_masters_thesis() -> None:
    masters = "CV > Education\n\nMy master's thesis was about monitor alarms in intensive care."
    assert answer("Tell me about your doctoral research.", masters) == no_context_answer(ADA)
    assert "monitor alarms" in answer("What was your thesis about?", masters)


def test_an_animal_the_twin_does_not_have_is_declined_even_where_one_passes_by() -> None:
    running = "Notes > Running\n\nWe run side by side, and I call out kerbs, turns and the odd dog."
    assert answer("What's your dog called?", running) == no_context_answer(ADA)
    pets = "Notes > Home\n\nOur dog is Poivre, an Australian shepherd mix we adopted in 2020."
    assert "Poivre" in answer("What's your dog called?", pets)


def test_an_introduction_says_what_the_twin_does_not_where_its_name_merely_appears() -> None:
    passages = [passage(1, "Talk > Speaker\n\nSummit 2024 — Speaker profile: Ada Lovelace. We meet Ada Lovelace at a "
                           "bus stop on a wet morning."),
                passage(2, "Profile\n\nHeadline: Senior Analyst at Babbage & Co | mathematician"),
                passage(3, "Bio\n\nMy brother Tom is a carpenter in Leeds.")]
    result = introduce(intent=Intent.INTRODUCTION, passages=passages, profile=ADA, query_vector=None, embed=None)
    assert result.text.startswith("I'm Ada Lovelace. Senior Analyst at Babbage & Co | mathematician [2]")
    assert "bus stop" not in result.text


def test_a_name_found_in_capitals_is_said_in_ordinary_case() -> None:
    nameless = Profile(twin_id="x", display_name="", persona="")
    cv = passage(1, "FATIMA ZAHRA BENKIRANE\n\nArchitect by training, urban planner by conviction.",
                 title="FATIMA ZAHRA BENKIRANE")
    result = introduce(intent=Intent.NAME, passages=[cv], profile=nameless, query_vector=None, embed=None)
    assert result.text.startswith("My name is Fatima Zahra Benkirane.")


def test_an_introduction_that_does_not_say_where_the_twin_is_adds_the_profiles_location() -> None:
    passages = [passage(1, "Profile\n\nHeadline: Urban-planning adviser\n\nLocation: Casablanca, Morocco")]
    result = introduce(intent=Intent.INTRODUCTION, passages=passages, profile=ADA, query_vector=None, embed=None)
    assert result.text.endswith("Location: Casablanca, Morocco [1].")


NAMELESS = Profile(twin_id="x", display_name="", persona="")


def name_said(*passages: Passage) -> str:
    """What "What's your name?" gets from ``passages`` with no name in the profile."""
    return introduce(intent=Intent.NAME, passages=passages, profile=NAMELESS, query_vector=None, embed=None).text


def test_a_profile_name_field_names_the_twin_before_a_self_naming_sentence() -> None:
    assert name_said(passage(1, "I'm Catalan, born and raised in Gr\u00e0cia, and I draw for a living.", title="Notes"),
                     passage(2, "full_name: Luc\u00eda Ferrer Bosch; city: Barcelona", title="profile.json"),
                     ).startswith("My name is Luc\u00eda Ferrer Bosch.")


@pytest.mark.parametrize("title", ["Dmitri V. Sokolov", "Oluwaseun (Seun) Adeyemi-Clarke"])
def test_a_title_naming_the_twin_may_hold_an_initial_or_a_nickname(title: str) -> None:
    assert name_said(passage(1, f"{title}\n\nStaff engineer in Helsinki.", title=title),
                     passage(2, f"{title.split()[0]} here. I like chess.", title="Notes"),
                     ).startswith(f"My name is {title}.")


def test_a_full_name_field_gives_the_name_beside_a_shorter_one() -> None:
    fields = passage(1, "Leilani Nakamura\n\nName: Leilani Nakamura\n\nFull name: Leilani Kapualani Nakamura",
                     title="Leilani Nakamura")
    assert name_said(fields) == "My name is Leilani Kapualani Nakamura."


def test_the_name_of_a_business_a_profile_lists_is_not_the_twins() -> None:
    profile_json = passage(1, "Bartłomiej Wróblewski > Business\n\nName: Wróblewski Fachübersetzungen\n\nFounded: 2018",
                           title="Bartłomiej Wróblewski", heading_path=("Bartłomiej Wróblewski", "Business"))
    resume = passage(2, "Bartłomiej Wróblewski\n\nTranslator in Leipzig.", title="Bartłomiej Wróblewski")
    assert name_said(profile_json, resume).startswith("My name is Bartłomiej Wróblewski.")


def test_the_nickname_a_profile_gives_is_said_with_the_name_and_asks_about_the_twin() -> None:
    fields = passage(1, "Bartłomiej Wróblewski\n\nName: Bartłomiej Wróblewski\n\nNickname: Bartek",
                     title="Bartłomiej Wróblewski")
    work = passage(2, "Bartek Wróblewski is a freelance technical translator in Leipzig.", title="Speaker bio")
    assert name_said(fields, work) == "My name is Bartłomiej Wróblewski (Bartek for short)."
    result = extractive_answer(question="What does Bartek do for work?", passages=[fields, work], profile=NAMELESS)
    assert result.answered
    assert "I am a freelance technical translator in Leipzig [2]." in result.text


def test_a_nickname_the_name_already_holds_is_not_said_twice() -> None:
    title = "Oluwaseun (Seun) Adeyemi-Clarke"
    assert name_said(passage(1, f"{title}\n\nNickname: Seun", title=title),
                     passage(2, "Oluwaseun here. I like chess.", title="Notes"),
                     ) == f"My name is {title}."


def test_a_title_no_other_document_names_is_not_taken_for_the_twins_name() -> None:
    assert name_said(passage(1, "Press Kit\n\nTambo opened in 2021.", title="Press Kit"),
                     passage(2, "Hello, I'm Mateo and I cook.", title="Notes")).startswith("My name is Mateo.")


@pytest.mark.parametrize("question", ["Which energy organisation are you with at the moment?",
                                      "Which GIS packages are you comfortable with?"])
def test_a_general_word_for_what_the_notes_name_is_no_reason_to_decline(question: str) -> None:
    held = terms("I work at Fjordwatt Energy as a GIS analyst at the moment, mostly in QGIS and PostGIS.")
    assert not asks_about_an_unheld_subject(question, held, frozenset(), [])
    assert asks_about_an_unheld_subject("Which climbing gym are you a member of?", held | terms("climbing"),
                                        frozenset(), [])


def test_a_word_after_the_subject_is_not_what_the_question_asks_about() -> None:
    held = terms("My football club, Shooting Stars FC, has broken my heart since I was six.")
    assert not asks_about_an_unheld_subject("Which football club breaks your heart every weekend?", held,
                                            frozenset(), [])


def test_a_question_in_another_language_is_not_declined_for_its_words_missing_from_english_notes() -> None:
    mentioned = terms("My father Jurgen is a carpenter in Passau.")
    assert not asks_about_the_unmentioned("Und was macht dein Vater beruflich?", mentioned, [])
    assert asks_about_the_unmentioned("What breed is your horse?", mentioned, [])


def test_a_relative_asked_by_one_name_is_mentioned_by_notes_using_another() -> None:
    mentioned = terms("Mamá: Luz Marina Ocampo. Taught 3rd grade at a public school for 31 years.")
    assert not asks_about_the_unmentioned("What does your mum do?", mentioned, [])
    assert asks_about_the_unmentioned("What does your uncle do?", mentioned, [])


def test_whether_the_twin_can_program_asks_about_its_skills() -> None:
    assert read_topics("Can you program?").asks("skills")
    assert read_topics("Do you code at all?").asks("skills")


def test_a_relative_the_notes_contradict_is_declined() -> None:
    sister = "Got one older sister, Bukola. She's a nurse in Houston."
    assert answer("What does your brother do for a living?", sister) == no_context_answer(ADA)
    assert "Bukola" in answer("What does your sister do?", sister)
    # Notes naming neither relative decide nothing: "my partner" may well be the wife asked about.
    partner = "My partner Jo teaches Year 4 at a primary school in Stockport."
    assert answer("What does your wife teach?", partner) != no_context_answer(ADA)


def test_a_masters_degree_the_notes_never_mention_is_declined_but_a_rowing_masters_double_is_no_degree() -> None:
    bachelor = "She graduated from Massey University (BVSc) and rows in a women's masters double."
    assert topical_answer("Where did you do your master's degree?", bachelor) == (False, no_context_answer(ADA))
    assert "Liffeyside" in topical_answer("Where did you do your master's degree?",
                                          "MA in Journalism, Liffeyside University, Dublin (2010 - 2011).")[1]


@pytest.mark.parametrize(("question", "notes"), [
    ("What breed is the family dog?", "We live in Chorlton. No pets. Ife has been lobbying for a puppy."),
    ("What's your dog's name?", "The shelter dogs are my dogs, a few hours a week. I don't have a dog myself."),
    ("How old are your kids?", "I cried at the finish like a baby. I live above the restaurant with Ines."),
])
def test_a_premise_the_notes_deny_or_never_state_is_declined(question: str, notes: str) -> None:
    assert answer(question, notes) == no_context_answer(ADA)


def test_children_the_notes_tell_of_are_not_declined() -> None:
    assert "Mereana" in answer("How old are your kids?", "Our kids Mereana (8) and Nikau (5) love the beach.")


def test_a_denial_about_another_time_does_not_undo_what_the_twin_has() -> None:
    text = answer("What's your dog called?", "We had no pets growing up.", "Our dog is called Rex, a lurcher.")
    assert "Rex" in text


def test_a_date_asked_of_someone_else_is_not_answered_by_the_twins_own() -> None:
    notes = ("I was born in Andahuaylas in 1989.", "I adopted Aji from a shelter in October 2019.")
    assert topical_answer("When is Aji's birthday?", *notes) == (False, no_context_answer(ADA))
    assert "1989" in topical_answer("When is Ada's birthday?", *notes)[1]


def test_a_wedding_year_needs_a_sentence_that_says_when_they_married() -> None:
    question = "What year did you and your wife get married?"
    assert topical_answer(question, "Wife: Katja, a speech therapist.") == (False, no_context_answer(ADA))
    assert "2014" in topical_answer(question, "Katja and I married in 2014.")[1]


def test_a_year_the_question_names_must_be_the_answers() -> None:
    honey = "Best year so far was 2024: 31 kilos of honey, mostly lime tree and bramble."
    assert topical_answer("How many kilos of honey did your hives give you in 2023?", honey) == (
        False, no_context_answer(ADA))
    assert "31 kilos" in topical_answer("How many kilos of honey did your hives give you in 2024?", honey)[1]
    assert "Brugwerk" in topical_answer("Where did you work in 2019?",
                                        "I worked as an engineer at Brugwerk from 2016 to 2021.")[1]


def test_a_degree_in_a_subject_the_notes_never_mention_is_declined() -> None:
    physio = "BSc (Hons) Physiotherapy, Cardiff University, 2009-2012. Stanford CS193p, online, 2020."
    for question in ("Where did you do your computer science degree?", "Where did you get your degree in law?"):
        assert topical_answer(question, physio) == (False, no_context_answer(ADA))
    assert "Cardiff" in topical_answer("Where did you do your physiotherapy degree?", physio)[1]
    # Which degree, not in what: "your first degree", "a degree in the UK".
    assert "Cardiff" in topical_answer("Where did you do your first degree?", physio)[1]
    assert "Cardiff" in topical_answer("Where did you do your degree in the UK?", physio)[1]


def test_what_something_brings_in_needs_a_sum_it_earns() -> None:
    costs = "Telescope costs: $95 secondary mirror, $120 focuser, $685 in total."
    question = "How much money does the YouTube channel bring in?"
    assert topical_answer(question, costs) == (False, no_context_answer(ADA))
    assert "$40" in topical_answer(question, costs, "The YouTube channel earns about $40 a month from ads.")[1]


def test_an_mba_is_not_held_by_another_masters_degree() -> None:
    teaching = "Master of Teaching (MT), Ontario Institute for Studies in Education, 2016."
    assert topical_answer("Which business school did you do your MBA at?", teaching) == (
        False, no_context_answer(ADA))
    assert "Ontario" in topical_answer("Where did you do your master's degree?", teaching)[1]


def test_a_question_asking_what_year_is_answered_by_a_year() -> None:
    beach = "We got married on the beach in Povoa, forty people, francesinhas for dinner."
    question = "In what year did you and Marta get married on the beach?"
    assert topical_answer(question, beach) == (False, no_context_answer(ADA))
    assert topical_answer(question, beach, "Marta and I got married on the beach in 2016.") == (
        True, "Marta and I got married on the beach in 2016 [2].")


def test_a_question_asking_for_numbers_prefers_a_sentence_that_gives_one() -> None:
    notes = ("The alert project was the work I am proudest of, it changed how the wards work.",
             "On the alert project the false alarms I am proudest of cutting fell by 46% in a year.")
    assert "46%" in answer("Which alert project are you proudest of, in numbers?", *notes, max_sentences=1)
    assert "46%" not in answer("Which alert project are you proudest of?", *notes, max_sentences=1)


def test_a_resumes_headline_under_the_name_introduces_the_twin() -> None:
    cv = passage(1, "Kwame Asante-Boateng\n\nCurriculum Lead \u00b7 former actuary and maths teacher \u00b7 Toronto\n\n"
                    "Skills\n\nExcel, R and Python for pricing models, plus lots of patience.",
                 title="Kwame Asante-Boateng", heading_path=("Kwame Asante-Boateng",))
    notes = passage(2, "Kwame here. I live near the gym and my weekend job is coaching youth basketball there.",
                    title="Notes")
    result = introduce(intent=Intent.INTRODUCTION, passages=[notes, cv], profile=NAMELESS, query_vector=None,
                       embed=None)
    assert result.text.startswith("I'm Kwame Asante-Boateng. Curriculum Lead \u00b7 former actuary")


def test_the_name_of_a_relative_the_notes_never_name_is_declined() -> None:
    farm = "Notes\n\nMy little brother Páll (42) runs the farm with Dad. My husband Kristján is a chef."
    assert topical_answer("What's the name of Páll's wife?", farm)[0] is False
    mum = "Notes\n\n- Mum -- 84 and still in the same house in Sydney Mines. She taught grade four."
    assert topical_answer("What's your mum's first name?", mum)[0] is False
    assert topical_answer("What's your mother-in-law's name?", farm)[0] is False


def test_the_name_of_a_relative_the_notes_give_beside_them_is_answered() -> None:
    answered, text = topical_answer("What's your mum's first name?", "Notes\n\nMy mother, Maura, taught at the school.")
    assert answered
    assert "Maura" in text
    answered, text = topical_answer("What's your husband's name?", "Notes\n\nKristján, my husband, is a chef.")
    assert answered
    assert "Kristján" in text


def test_an_ex_partner_or_a_climbing_partner_does_not_name_the_relative_asked_for() -> None:
    notes = "Notes\n\nLiisa Korhonen, my partner, is a potter. My ex-wife and I are on fine terms now."
    assert topical_answer("What's your ex-wife's name?", notes)[0] is False
    answered, text = topical_answer("What's your ex-wife's name?", "Notes\n\nMy ex-wife Maria lives in Oulu.")
    assert answered
    assert "Maria" in text
    climbing = "Notes\n\nMy climbing partner is Marta Soler; we met at the gym in 2017."
    assert topical_answer("What's your partner's name?", climbing)[0] is False


def test_a_date_asked_of_the_twin_and_someone_is_not_answered_by_another_couples() -> None:
    notes = "Notes\n\nMy brother Daniel has lived in Nagoya since 2014, married to Yui. I met Tiago at a climbing gym."
    assert topical_answer("What year did you and Tiago get married?", notes)[0] is False
    answered, text = topical_answer("What year did you and Tiago get married?", "Notes\n\nTiago and I married in 2015.")
    assert answered
    assert "2015" in text


def test_current_work_is_asked_of_the_twin_alone() -> None:
    from twin.chat.offline.answer import _asks_current_work

    assert _asks_current_work("What pays the bills for you these days?")
    assert _asks_current_work("So what's your current gig?")
    assert not _asks_current_work("What does he do for a living?")
    assert not _asks_current_work("What are you earning in your current job?")
    assert not _asks_current_work("What made you give up guiding planes for a living?")
    assert not _asks_current_work("What does Riaan do for a living?", "Thandiwe Mabandla")
    assert _asks_current_work("What does Thandiwe do for a living?", "Thandiwe Mabandla")


def test_how_to_get_in_touch_is_answered_by_the_email_address_not_by_talk_of_reaching_people() -> None:
    notes = passage(1, "Notes\n\nI love reaching people through data stories. Best way to unwind: climbing.")
    contact = passage(2, "Profile > Contact\n\nWebsite: https://ada.example.org. Email: ada@example.org.")
    for question in ("What's the best way to get hold of you?", "How would I get in touch to commission a piece?",
                     "How can I reach you?"):
        result = extractive_answer(question=question, passages=[notes, contact], profile=ADA,
                                   topics=read_topics(question)).text
        assert "ada@example.org" in result, (question, result)
        assert "reaching people" not in result, question
    for question in ("Do you have a website?", "Where can I see your code online?"):
        website = extractive_answer(question=question, passages=[notes, contact], profile=ADA,
                                    topics=read_topics(question)).text
        assert "https://ada.example.org" in website, question


def test_a_contact_question_without_an_address_in_the_notes_is_declined() -> None:
    notes = passage(1, "Notes\n\nI am easy to reach and I answer every message. I use Node.js at work.")
    result = extractive_answer(question="What's the best way to get in touch?", passages=[notes], profile=ADA,
                               topics=read_topics("What's the best way to get in touch?"))
    assert not result.answered


def test_a_sentence_that_only_repeats_the_pets_name_is_no_confident_answer_to_its_breed() -> None:
    cat = passage(1, "Notes > Pets\n\nCat: Pepper. Pepper came from a shelter in Leeds.")
    held = terms(cat.content)
    sentences = sentences_in([cat])
    naming = [Scored(s, 0.7 if s.text.startswith("Cat") else 0.3, 0.0, 0.0) for s in sentences]
    assert asks_about_an_unheld_subject("What breed is Pepper?", held, frozenset(), naming)
    # A sentence that says more than the name may be the answer in other words ("a rescue greyhound").
    telling = [Scored(s, 0.7 if "shelter" in s.text else 0.3, 0.0, 0.0) for s in sentences]
    assert not asks_about_an_unheld_subject("What breed is Pepper?", held, frozenset(), telling)


MAASLAND_CV = Passage(number=1, document_id="cv.md", chunk_id="cv:1", title="CV", heading_path=("CV", "Experience"),
                      content="CV > Experience\n\n**Principal Engineer — Maasland** *(2021 - present)*\n"
                              "**Engineer — Holbeck, Leeds** *(2014 - 2021)*", score=1.0)


def test_what_the_twin_did_somewhere_is_not_answered_by_what_it_does_now() -> None:
    resume = MAASLAND_CV
    leeds = passage(2, "Notes\n\nIn Leeds I did an MSc in water engineering and played five-a-side on Thursdays.")
    jobs = jobs_in([resume])
    now = extractive_answer(question="What do you do for a living?", passages=[resume, leeds], profile=ADA, jobs=jobs,
                            topics=read_topics("What do you do for a living?"))
    assert now.text.startswith("What I do now: Principal Engineer")
    then = extractive_answer(question="What did you do at Leeds?", passages=[resume, leeds], profile=ADA, jobs=jobs,
                             topics=read_topics("What did you do at Leeds?"))
    assert not then.text.startswith("What I do now")


def test_a_location_field_answers_where_the_twin_is_based() -> None:
    climbing = passage(1, "Notes > Climbing\n\nProjecting a V5 indoors at the moment. I boulder three times a week.")
    profile = passage(2, "Profile\n\nLocation: city: Mexico City; neighbourhood: Narvarte.")
    question = "Where are you based at the moment?"
    result = extractive_answer(question=question, passages=[climbing, profile], profile=ADA,
                               topics=read_topics(question)).text
    assert "Mexico City" in result
    assert "V5" not in result


TEAM = ("CV > Experience\n\nSite Reliability Engineer, Haulwise, Jul 2014 - Apr 2017. "
        "I run the SRE team's on-call rota and its incident reviews.")


def test_how_many_is_not_answered_by_a_year_in_a_sentence_naming_the_thing() -> None:
    assert answer("How many engineers are on your SRE team?", TEAM) == no_context_answer(ADA)
    counted = TEAM + " The SRE team is six engineers across two time zones."
    assert "six engineers" in answer("How many engineers are on your SRE team?", counted)


def test_a_count_or_a_year_about_someone_named_needs_a_sentence_about_them() -> None:
    family = ("Notes > Family\n\nMy sister Divya lives in Pune. I tested the app with nine children from my "
              "teammates' families. We married in 2017, in Galway.")
    assert answer("How many children does your sister Divya have?", family) == no_context_answer(ADA)
    assert answer("What year did you and Aoife first meet?", family + " Aoife is my wife.") == no_context_answer(ADA)
    met = family + " Aoife and I first met in 2009, the year I moved to Galway."
    assert "2009" in answer("What year did you and Aoife first meet?", met)


def test_a_section_headed_by_its_own_question_in_capitals_gives_the_reason() -> None:
    notes = ("Notes\n\nI taught maths for five years at a school in Scarborough.\n\n"
             "WHY I LEFT THE CLASSROOM (for now)\n"
             "The pandemic year showed me how many teachers were building lessons from scratch at midnight. "
             "A charity offered me the chance to write free lessons for thousands of classrooms.")
    result = answer("Why did you leave the classroom?", notes)
    assert "pandemic" in result or "thousands of classrooms" in result
    assert "WHY I LEFT" not in result  # the heading is context, not part of the answer


def test_a_phone_number_is_not_answered_by_an_email_address() -> None:
    question = "Can I have your phone number?"
    links = passage(1, "Profile > Links\n\nEmail: kenji@example.fr. Website: https://kenji.example.fr")
    phone = passage(2, "Profile > Phone\n\nPhone: +33 6 12 34 56 78")
    for passages, told in (([links], False), ([links, phone], True)):
        result = extractive_answer(question=question, passages=passages, profile=ADA, topics=read_topics(question))
        assert result.answered is told
        assert ("+33 6 12 34 56 78" in result.text) is told


def test_people_who_use_a_thing_are_counted_under_any_of_their_names() -> None:
    game = "Resume > Games\n\nKept Frostbite Farm running through its peak of 3.2 million daily active users."
    assert "3.2 million" in answer("How many players did Frostbite Farm have at its peak?", game)


def test_a_sentence_opening_with_she_holds_the_name_of_whom_the_sentences_before_it_were_about() -> None:
    notes = passage(1, "Notes\n\nElif is my wife. We met in 2011 at the Izmir Arts Centre. We married in 2014. "
                       "She is a paediatrician.")
    by_text = {s.text: s.terms for s in sentences_in([notes])}
    assert "elif" in by_text["She is a paediatrician."]
    # A place is no one "she" can be, and a sentence not opening with a pronoun borrows no name.
    assert "izmir" not in by_text["She is a paediatrician."]
    assert "elif" not in by_text["We married in 2014."]


def test_a_question_naming_the_wife_is_answered_by_the_sentence_that_calls_her_she() -> None:
    notes = passage(1, "Notes\n\nElif is my wife. We married in 2014. She is a paediatrician at a children's "
                       "hospital. I play the oud in a small ensemble.")
    result = extractive_answer(question="What's her (Elif's) job?", passages=[notes], profile=ADA)
    assert "paediatrician" in result.text


def test_a_best_sentence_pointing_back_with_that_brings_the_sentence_it_points_to() -> None:
    notes = passage(1, "Running\n\nThe Cederberg Traverse in October was 56 km and I finished it smiling. "
                       "That's my longest ever. Next year is the 100 km.")
    result = extractive_answer(question="Is that your longest ever?", passages=[notes], profile=ADA,
                               max_sentences=1)
    assert "56 km" in result.text


def test_what_someone_the_question_names_does_for_a_living_is_not_the_twins_job() -> None:
    resume = MAASLAND_CV
    family = passage(2, "Notes\n\nMy husband Riaan teaches maths at a high school in Grassy Park.")
    jobs = jobs_in([resume])
    for question in ("What does Riaan do for a living?", "What's Riaan's job?", "What does he (Riaan) do for work?"):
        result = extractive_answer(question=question, passages=[resume, family], profile=ADA, jobs=jobs,
                                   topics=read_topics(question)).text
        assert not result.startswith("What I do now"), question
    own = extractive_answer(question="What does Ada do for a living?", passages=[resume, family], profile=ADA,
                            jobs=jobs, topics=read_topics("What does Ada do for a living?")).text
    assert own.startswith("What I do now: Principal Engineer")


def test_how_many_so_far_counts_what_the_question_before_it_asked_about() -> None:
    notes = passage(1, "Notes > Mentoring\n\nI mentor junior designers. I have mentored 35 designers via ADPList.")
    result = extractive_answer(question="How many so far?", search_text="Do you mentor designers? How many so far?",
                               passages=[notes], profile=ADA)
    assert result.answered
    assert "35 designers" in result.text


@pytest.mark.parametrize("name", ["Ilse van der Wal", "Yara Khoury dos Santos"])
def test_a_name_field_may_hold_lower_case_surname_particles(name: str) -> None:
    fields = passage(1, f"{name}\n\nName: {name}\n\nPreferred name: {name.split()[0]}", title=name)
    assert name_said(fields) == f"My name is {name}."


def test_a_question_about_the_family_is_answered_by_the_people_in_it() -> None:
    notes = ("Notes > Family up north\n\nFamily up north. I grew up in Harlingen, on the Noorderhaven. "
             "My little brother Sjoerd runs a sailing school in Workum with his wife.")
    answered, text = topical_answer("Who's in your family?", notes)
    assert answered
    assert "Sjoerd" in text
