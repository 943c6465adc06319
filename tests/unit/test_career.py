"""The order of a twin's jobs, read off its resume's experience section (twin.chat.offline.career)."""

from __future__ import annotations

from twin.chat.offline.career import asks_about_jobs, career_answer, jobs_in
from twin.chat.prompting import Passage
from twin.ingest.chunking import with_breadcrumb


def _chunk(number: int, path: tuple[str, ...], body: str, document: str = "cv.md") -> Passage:
    return Passage(number=number, document_id=document, chunk_id=f"t:{document}:{number}", title=path[0],
                   content=with_breadcrumb(path, body), score=0.0, heading_path=path)


SUB_SECTIONS = [
    _chunk(1, ("Ada Byrne", "Experience", "Kestrel — Data Lead"), "*March 2022 - present · Remote*\n\n- Lead five"),
    _chunk(2, ("Ada Byrne", "Experience", "Tuma Labs — Analyst"), "*2019 - 2022*\n\n- Built dashboards"),
    _chunk(3, ("Ada Byrne", "Experience", "Relay — Junior Analyst"), "- Reconciled ledgers\n- 2017 to 2019"),
    _chunk(4, ("Ada Byrne", "Education", "MSc Statistics — Leeds"), "*2015 - 2016*"),
]
BOLD_LINES = [
    _chunk(1, ("Lucas B", "Experience"), "**Senior Data Engineer — Boréal Health**, Montréal *(2022 - present)*\n"
                                         "- Tech lead\n\n**Data Engineer — Panier Frais**, Montréal *(2019 - 2022)*"),
    _chunk(2, ("Lucas B", "Experience"), "- Ran ordering\n\n**Sous-chef — Bistro Argile** *(2014 - 2018)*"),
]


def test_jobs_are_the_experience_sub_sections_newest_first_with_their_dates_line() -> None:
    assert [job.text for job in jobs_in(SUB_SECTIONS)] == [
        "Kestrel — Data Lead (March 2022 - present · Remote)", "Tuma Labs — Analyst (2019 - 2022)",
        "Relay — Junior Analyst"]


def test_jobs_written_as_bold_lines_of_the_section_are_read_in_order_across_chunks() -> None:
    assert [job.text for job in jobs_in(BOLD_LINES)] == [
        "Senior Data Engineer — Boréal Health, Montréal (2022 - present)",
        "Data Engineer — Panier Frais, Montréal (2019 - 2022)", "Sous-chef — Bistro Argile (2014 - 2018)"]


def test_before_that_answers_the_job_after_the_last_one_the_twin_named() -> None:
    jobs = jobs_in(SUB_SECTIONS)
    answer = career_answer("And before that?", jobs, said="Before that: Tuma Labs — Analyst (2019 - 2022) [2]")
    assert answer is not None
    assert [job.text for job in answer.jobs] == ["Relay — Junior Analyst"]
    assert answer.jobs[0].passage.number == 3


def test_before_the_current_job_is_the_second_entry_when_nothing_was_named_yet() -> None:
    answer = career_answer("Where did you work before your current job?", jobs_in(SUB_SECTIONS), said="")
    assert answer is not None
    assert answer.jobs[0].text.startswith("Tuma Labs")


def test_a_plain_first_job_is_the_oldest_entry_but_a_qualified_one_is_left_to_the_ordinary_answer() -> None:
    jobs = jobs_in(SUB_SECTIONS)
    first = career_answer("What was your very first job after university?", jobs, said="")
    assert first is not None
    assert first.jobs[0].text == "Relay — Junior Analyst"
    assert career_answer("What was your first job as a developer?", jobs, said="") is None


def test_before_the_oldest_job_or_without_a_named_job_there_is_no_answer_from_the_order() -> None:
    jobs = jobs_in(SUB_SECTIONS)
    assert career_answer("And before that?", jobs, said="Relay — Junior Analyst [3]") is None
    assert career_answer("And before that?", jobs, said="I grew up in Leeds.") is None


def test_only_questions_about_work_ask_for_the_order_of_the_jobs() -> None:
    assert asks_about_jobs("And before that?", "Where did you work before Kestrel? And before that?")
    assert asks_about_jobs("Where have you worked?", "Where have you worked?")
    assert not asks_about_jobs("And before that?", "Where did you live before Leeds? And before that?")
    assert not asks_about_jobs("What do you do for fun?", "What do you do for fun?")


def test_notes_without_an_experience_section_have_no_jobs() -> None:
    assert jobs_in([_chunk(1, ("Ada Byrne", "About me"), "I worked at Kestrel from 2019 to 2022.")]) == []
    assert career_answer("Where have you worked?", [], said="") is None


TABLE = [_chunk(1, ("Marit T", "Work"), "| When | What | Where |\n|------|------|-------|\n"
                                        "| 08.2021 - now | GIS Analyst | Troms County Council, Tromsø |\n"
                                        "| 06.2015 - 12.2018 | Veterinary Nurse | Ishavet Dyreklinikk, Tromsø |\n"
                                        "| 08.2012 - 05.2015 | Veterinary Nurse | Bø Dyreklinikk, Bø i Telemark |")]


def test_a_table_of_jobs_is_read_row_by_row_with_the_dates_last() -> None:
    assert [job.text for job in jobs_in(TABLE)] == [
        "GIS Analyst, Troms County Council, Tromsø (08.2021 - now)",
        "Veterinary Nurse, Ishavet Dyreklinikk, Tromsø (06.2015 - 12.2018)",
        "Veterinary Nurse, Bø Dyreklinikk, Bø i Telemark (08.2012 - 05.2015)"]


def test_the_job_a_question_names_is_the_one_before_which_the_answer_lies() -> None:
    answer = career_answer("What was your job before the county council?", jobs_in(TABLE), said="")
    assert answer is not None
    assert answer.jobs[0].text.startswith("Veterinary Nurse, Ishavet")


def test_before_that_follows_the_job_named_best_when_two_jobs_share_a_title() -> None:
    answer = career_answer("And before that one?", jobs_in(TABLE),
                           said="Before that: Veterinary Nurse, Ishavet Dyreklinikk, Tromsø (06.2015 - 12.2018) [1]")
    assert answer is not None
    assert answer.jobs[0].text.startswith("Veterinary Nurse, Bø")


def test_a_resume_that_lists_its_jobs_twice_is_read_from_the_fuller_listing() -> None:
    table = _chunk(1, ("Chen K", "Career"), "| Period | Role |\n|---|---|\n| 2023 - present | ML Engineer, Strata |\n"
                                             "| 2018 - 2023 | Researcher, SSI |\n| 2009 - 2016 | Athlete, BAM |")
    sections = [_chunk(2, ("Chen K", "Career", "Strata — ML Engineer (2023-)"), "- Built models"),
                _chunk(3, ("Chen K", "Career", "SSI — Researcher (2018-2023)"), "- Ran studies")]
    assert [job.text for job in jobs_in([table, *sections])] == [
        "ML Engineer, Strata (2023 - present)", "Researcher, SSI (2018 - 2023)", "Athlete, BAM (2009 - 2016)"]


def test_before_the_current_employer_skips_a_promotion_within_it_but_not_a_like_job_elsewhere() -> None:
    rows = _chunk(1, ("Chen K", "Career"), "| Period | Role | Organisation |\n|---|---|---|\n"
                                            "| 2023 - present | Senior ML Engineer | Strata Wearables |\n"
                                            "| 2021 - 2023 | ML Engineer | Strata Wearables |\n"
                                            "| 2018 - 2021 | Research Scientist | Sport Institute |")
    jobs = jobs_in([rows])
    answer = career_answer("Where were you working before your current employer?", jobs, said="")
    assert answer is not None
    assert answer.jobs[0].text.startswith("Research Scientist")
    nurse = career_answer("Which company were you at before that?", jobs_in(TABLE),
                          said="Before that: Veterinary Nurse, Ishavet Dyreklinikk, Tromsø (06.2015 - 12.2018)")
    assert nurse is not None
    assert nurse.jobs[0].text.startswith("Veterinary Nurse, Bø")


LISTED = [_chunk(1, ("Lucía F", "Work"), "- **Nov 2018 - now · Freelance illustrator**, Barcelona\n"
                                      "  - Own books\n- **Mar 2015 - Oct 2018 · Project architect, Mas Serrat**, "
                                      "Barcelona\n  - Schools\n- **Sep 2012 - Feb 2015 · Junior architect, Puig**")]


def test_jobs_written_as_a_list_of_bold_lines_are_read_without_their_sub_bullets() -> None:
    assert [job.text for job in jobs_in(LISTED)] == [
        "Nov 2018 - now · Freelance illustrator, Barcelona", "Mar 2015 - Oct 2018 · Project architect, Mas Serrat, "
        "Barcelona", "Sep 2012 - Feb 2015 · Junior architect, Puig"]


def test_where_a_career_began_is_the_oldest_job_and_the_work_done_for_a_living_is_the_newest() -> None:
    jobs = jobs_in(LISTED)
    for question in ("Where did your career actually begin?", "Where did you start out?"):
        answer = career_answer(question, jobs, "")
        assert answer is not None
        assert answer.jobs[0].text.endswith("Puig")
    for question in ("What did you do before drawing for a living?", "Where were you right before the studio gig?"):
        assert asks_about_jobs(question, question)
        answer = career_answer(question, jobs, "")
        assert answer is not None
        assert "Project architect" in answer.jobs[0].text


def test_what_the_twin_does_now_is_the_newest_entry_when_it_is_still_going_on() -> None:
    now = career_answer("What pays the bills these days?", jobs_in(SUB_SECTIONS), said="", current=True)
    assert now is not None
    assert now.jobs[0].text == "Kestrel — Data Lead (March 2022 - present · Remote)"
    ended = [_chunk(1, ("Ada Byrne", "Experience", "Kestrel — Data Lead"), "*2022 - 2024*"), *SUB_SECTIONS[1:]]
    assert career_answer("What pays the bills these days?", jobs_in(ended), said="", current=True) is None


def test_a_question_about_current_work_fetches_the_resume() -> None:
    assert asks_about_jobs("What do you do for a living?", "What do you do for a living?", current=True)
    assert not asks_about_jobs("What do you do for fun?", "What do you do for fun?")


def test_an_employers_sub_section_holds_one_job_per_bold_role_line_with_its_dates() -> None:
    roles = [
        _chunk(1, ("Priya R", "Experience", "Haulwise — Vancouver, BC"),
               "*Fleet dispatch software*\n\n**Staff SRE** · Feb 2023 \u2013 present\n- Lead reliability\n\n"
               "**Senior SRE** · Sep 2021 \u2013 Jan 2023\n- **2022**: first SLOs"),
        _chunk(2, ("Priya R", "Experience", "Lakeshore Bank — Toronto"), "*Retail bank*\n*June 2017 \u2013 July 2021*"),
    ]
    assert [job.text for job in jobs_in(roles)] == [
        "Haulwise — Vancouver, BC, Staff SRE (Feb 2023 \u2013 present)",
        "Haulwise — Vancouver, BC, Senior SRE (Sep 2021 \u2013 Jan 2023)",
        "Lakeshore Bank — Toronto (June 2017 \u2013 July 2021)"]
    now = career_answer("So what pays the bills these days?", jobs_in(roles), said="", current=True)
    assert now is not None
    assert now.jobs[0].text.startswith("Haulwise — Vancouver, BC, Staff SRE")


def test_before_a_change_the_newest_job_began_is_the_job_before_the_newest() -> None:
    jobs = jobs_in(SUB_SECTIONS)
    for question in ("Where were you working before you moved to the Netherlands?",
                     "What were you doing before you started building instruments?",
                     "Where did you work before going freelance?"):
        assert asks_about_jobs(question, question), question
        answer = career_answer(question, jobs, said="")
        assert answer is not None, question
        assert answer.jobs[0].text.startswith("Tuma Labs"), question
    began = career_answer("Where did your professional career begin?", jobs, said="")
    assert began is not None
    assert began.jobs[0].text == "Relay — Junior Analyst"


def test_since_when_after_a_job_is_that_jobs_own_line_with_its_dates() -> None:
    jobs = jobs_in(SUB_SECTIONS)
    for question in ("Since when?", "How long were you there?", "How long have you been with them?"):
        answer = career_answer(question, jobs, said="Before that: Tuma Labs — Analyst (2019 - 2022) [2]")
        assert answer is not None, question
        assert [job.text for job in answer.jobs] == ["Tuma Labs — Analyst (2019 - 2022)"]
    assert career_answer("How long did it take you?", jobs, said="I ran my first marathon in Berlin [4]") is None


def test_employers_in_the_same_town_are_not_one_employer_because_they_share_its_name() -> None:
    town = [
        _chunk(1, ("Thandi M", "Experience", "Khanyisa Digital Health — Cape Town"),
               "**Senior Product Manager**, 2022 - present\n**Product Manager**, 2019 - 2022"),
        _chunk(2, ("Thandi M", "Experience", "Pilisa Health — Cape Town"),
               "**Clinical Product Specialist**, 2016 - 2019"),
        _chunk(3, ("Thandi M", "Experience", "Kaya Pharmacy — Khayelitsha, Cape Town"), "**Pharmacist**, 2013 - 2016"),
    ]
    answer = career_answer("Where were you working before your current company?", jobs_in(town), said="")
    assert answer is not None
    assert answer.jobs[0].text.startswith("Pilisa Health")


def test_a_bold_role_line_with_its_dates_on_the_line_below_is_a_job() -> None:
    experience = _chunk(1, ("Ilse", "Experience"),
                        "**Registered Maritime Pilot** — Loodswezen, Rotterdam\n*2017 - present*\n- Pilotage\n\n"
                        "**Chief Officer** — Spliethoff, Amsterdam\n*2011 - 2015*\n- Cargo planning\n\n"
                        "**Languages**\n- Dutch, English")
    jobs = jobs_in([experience])
    assert [job.text for job in jobs] == ["Registered Maritime Pilot — Loodswezen, Rotterdam (2017 - present)",
                                          "Chief Officer — Spliethoff, Amsterdam (2011 - 2015)"]
    answer = career_answer("What pays the bills these days?", jobs, "", current=True)
    assert answer is not None
    assert answer.jobs == (jobs[0],)
