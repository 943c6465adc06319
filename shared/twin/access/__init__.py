"""Who may do what: API keys, rate limits and budgets, twins and their profiles."""
