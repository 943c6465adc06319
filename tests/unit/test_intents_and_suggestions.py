"""Questions about the person as a whole, job questions, and suggested questions built from a twin's headings."""

from __future__ import annotations

import pytest

from twin.chat.intents import WORK_QUERY, Intent, in_english, intent_of, read_topics, retrieval_text
from twin.chat.suggestions import heading_is_question


@pytest.mark.parametrize(("question", "intent"), [
    ("hi!", Intent.GREETING), ("Hello there", Intent.GREETING), ("Hola", Intent.GREETING),
    ("What is your name?", Intent.NAME), ("what's your name", Intent.NAME), ("¿Cómo te llamas?", Intent.NAME),
    ("Who are you?", Intent.INTRODUCTION), ("Tell me about yourself.", Intent.INTRODUCTION),
    ("¿Quién eres?", Intent.INTRODUCTION), ("Quem é você?", Intent.INTRODUCTION),
    ("Hi! Could you tell me a little about yourself?", Intent.INTRODUCTION),
    ("Hey — who am I actually chatting with here?", Intent.INTRODUCTION),
    ("Hello! Who's this?", Intent.INTRODUCTION), ("Give me the short version of your story.", Intent.INTRODUCTION),
    ("Could you give me a quick introduction to yourself?", Intent.INTRODUCTION),
    ("Hey! Who's on the other end of this chat?", Intent.INTRODUCTION),
    ("Give me the two-minute version of your life so far.", Intent.INTRODUCTION),
    ("Kia ora! Who am I talking to, and what do you do?", Intent.INTRODUCTION),
    ("Hey there \u2014 who's this I'm chatting with?", Intent.INTRODUCTION),
    ("Tell me your story in a nutshell.", Intent.INTRODUCTION),
    ("Hello there \u2014 who have I got on the other end of this?", Intent.INTRODUCTION),
    ("Give me the two-minute version of how you ended up where you are.", Intent.INTRODUCTION),
    ("How would you sum up your career so far in a few sentences?", Intent.INTRODUCTION),
    ("Sorry, I didn't catch your surname?", Intent.NAME), ("How do you spell your full name?", Intent.NAME),
    ("What should I call you?", Intent.NAME),
])
def test_questions_about_the_person_as_a_whole_are_recognised(question: str, intent: Intent) -> None:
    assert intent_of(question) is intent


@pytest.mark.parametrize("question", ["Where did you study?", "Who are your clients?", "Hi, where do you live?",
                                      "What is your dog's name?", "Who is this Femke you mentioned?",
                                      "Who are you working with?", "Who's on the other end of the phone at work?",
                                      "Tell me about your life so far in Lisbon.",
                                      "What was your last name before you married?"])
def test_ordinary_questions_are_not_taken_for_introductions(question: str) -> None:
    assert intent_of(question) is None


def test_job_questions_are_searched_the_way_a_resume_words_them() -> None:
    assert retrieval_text("What do you do for a living?").endswith(WORK_QUERY)
    assert retrieval_text("What do you do?").endswith(WORK_QUERY)
    assert retrieval_text("¿A qué te dedicas?").endswith(WORK_QUERY)
    assert retrieval_text("What did you do at Acme?").endswith(WORK_QUERY)
    assert WORK_QUERY not in retrieval_text("Where did you study?")
    assert WORK_QUERY not in retrieval_text("What do you do for fun?")


@pytest.mark.parametrize(("question", "topic"), [
    ("Are you married?", "partner"), ("Where are you from originally?", "origin"), ("Any pets?", "pets"),
    ("What do you do for fun?", "leisure"), ("Do you manage people?", "management"),
    ("Where did you go to school?", "education"), ("Which companies have you worked for?", "employers"),
    ("Do you have any brothers or sisters?", "siblings"), ("How many kids do you have?", "children"),
    ("Are you looking for a new position?", "job-search"), ("What salary are you hoping for?", "salary"),
    ("¿Estás casada?", "partner"), ("¿Tienes mascotas?", "pets"), ("D'où viens-tu ?", "origin"),
    ("Who's your other half?", "partner"), ("Are you seeing anyone?", "partner"),
    ("Would you move to the States for the right job?", "relocation"), ("Are you open to relocating?", "relocation"),
    ("Have you ever spoken at a conference?", "talks"), ("Could you do the job from your living room?", "remote"),
    ("How quickly could you start?", "availability"), ("What was your master's dissertation about?", "education"),
    ("Where are you working these days?", "work"), ("What was your final university project about?", "thesis"),
    ("Do you hold any professional certs?", "certifications"), ("How many languages can you get by in?", "languages"),
    ("Have any of your books picked up awards?", "awards"), ("Has your art been shown in a gallery?", "exhibitions"),
    ("How much do you charge?", "rates"), ("What sort of package are you after?", "salary"),
    ("Do you give your time to a good cause?", "volunteering"), ("¿En qué ciudad vives ahora?", "home"),
    ("Would you need visa sponsorship?", "visa"), ("So what's your day job at the moment?", "work"),
    ("Is there a special someone in your life?", "partner"), ("Is there someone special in your life?", "partner"),
    ("How do you keep fit outside of work?", "sport"), ("How do you stay in shape with those hours?", "sport"),
    ("How do you switch off when you're away from the studio?", "leisure"),
    ("What keeps you busy outside of office hours?", "leisure"), ("What do you do to clear your head?", "leisure"),
    ("Tell me about your academic background.", "education"), ("Where did you train as a physio?", "education"),
    ("How many people do you manage?", "management"), ("What dish from home do you crave most?", "food"),
    ("What's in your technical toolbox?", "skills"), ("What's your ultimate comfort food?", "food"),
    ("Is there a Mrs Sokolov?", "partner"), ("What's usually playing while you draw?", "music"),
    ("What pays the bills for you these days?", "work"),
    ("What do you get up to when you're off the clock?", "leisure"),
    ("Anything exciting on the horizon for you?", "plans"), ("What's on your bucket list?", "plans"),
    ("Who are your favourite authors?", "reading"), ("Read anything good lately?", "reading"),
    ("Are you musical at all?", "music"), ("How many tongues can you get by in?", "languages"),
    ("Which methods are you strongest in?", "skills"), ("How good is your Dutch, honestly?", "languages"),
    ("Who signs your pay cheque?", "work"), ("How much money does the YouTube channel bring in?", "salary"),
])
def test_paraphrased_questions_are_recognised_by_topic(question: str, topic: str) -> None:
    assert topic in [t.name for t in read_topics(question).topics]


def test_a_topic_is_searched_with_the_words_its_answers_use() -> None:
    assert "husband" in retrieval_text("Are you married?")
    assert "grew up" in retrieval_text("Where are you from?")


@pytest.mark.parametrize(("question", "not_topic"), [
    ("Do you talk to your parents?", "talks"), ("What did you move on to next?", "relocation"),
    ("Where are you working these days?", "home"), ("Which programming languages do you use?", "languages"),
    ("How much do you charge?", "salary"), ("What does your wife do for a living?", "work"),
    ("What's the very first job anyone ever paid you for?", "salary"),
    ("What do you do to pay the bills these days?", "salary"),
    ("How are your Dutch colleagues?", "languages"), ("Who signs your paycheck?", "salary"),
])
def test_a_word_shared_with_a_topic_does_not_make_the_question_about_it(question: str, not_topic: str) -> None:
    assert not_topic not in [t.name for t in read_topics(question).topics]


@pytest.mark.parametrize("question", ["Does Chispa like cats?", "What is the capital of Peru?", "hi"])
def test_questions_without_a_known_topic_are_searched_as_asked(question: str) -> None:
    assert read_topics(question).topics == ()
    assert retrieval_text(question) == question


def test_questions_in_other_languages_are_searched_in_english() -> None:
    assert in_english("¿A qué te dedicas?") == "What do you do for a living?"
    assert in_english("Onde você mora?") == "Where do you live?"
    assert in_english("¿Dónde naciste?") == in_english("Où es-tu né ?") == "Where were you born?"
    assert in_english("Und was macht dein Vater beruflich?") == "What do your parents do for a living?"
    assert in_english("¿Y dónde aprendiste a ilustrar?") == "Where did you study?"
    assert in_english("Does Chispa like cats?") == "Does Chispa like cats?"


def test_topic_cues_are_the_words_that_only_name_the_topic() -> None:
    assert read_topics("Are you married?").cues == "married"
    assert "for work" in read_topics("What do you do for work?").cues
    assert "Chispa" not in read_topics("Does Chispa have a dog?").cues


def test_a_heading_that_is_a_question_is_asked_as_it_is() -> None:
    assert heading_is_question("Can you start right away")
    assert not heading_is_question("Outside work")


def test_a_paid_gig_asks_about_a_job_not_a_salary() -> None:
    assert not read_topics("What was your very first paid gig out of school?").strict
    assert read_topics("How much were you paid there?").strict


def test_the_hardest_grade_sent_asks_about_sport() -> None:
    assert read_topics("What's the hardest grade you've sent?").asks("sport")


def test_the_family_is_asked_about_by_family_or_folks_but_a_furry_family_member_is_a_pet() -> None:
    assert read_topics("Tell me about your family.").asks("family")
    assert read_topics("What do your folks do back in Korea?").asks("family")
    assert not read_topics("Any furry family members at home?").asks("family")
    assert not read_topics("What breed is the family dog?").asks("family")
