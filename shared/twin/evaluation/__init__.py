"""Evaluation of a twin's answers (`twin eval`): questions with expected documents and facts, scored."""
