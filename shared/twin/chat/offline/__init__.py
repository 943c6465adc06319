"""Offline answers (no language model): the passages' own sentences that best match the question.

The answer quotes sentences verbatim, cited [n], apart from one rewrite: third-person references
to the twin become first person (twin.chat.offline.voice), so the twin still speaks as "I".

A passage is read as sentences (sentences), which are scored against the question (scoring) and
chosen with what they need beside them (selection), then rendered (rendering). A question about
something the notes lack is declined (declines); one about the order of the twin's jobs is
answered from its resume (career), one about money by a stated sum only (money). Greetings and
"who are you?" are introductions (introductions); every other question goes to answer.

Importing this package loads the whole answerer: twin.chat.service imports it on the offline
path only, so a cold start with a model never pays for it.
"""

from __future__ import annotations

from twin.chat.offline.answer import extractive_answer
from twin.chat.offline.career import EXPERIENCE_SECTION, asks_about_jobs, jobs_in
from twin.chat.offline.introductions import introduce, name_of
from twin.chat.offline.rendering import OfflineAnswer

__all__ = ["EXPERIENCE_SECTION", "OfflineAnswer", "asks_about_jobs", "extractive_answer", "introduce", "jobs_in",
           "name_of"]
