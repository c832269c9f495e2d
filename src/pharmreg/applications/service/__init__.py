"""Use cases of applications, one module per area (drafts, pre-check, submission, the officers'
actions and their effects); other contexts use them through `pharmreg.applications`.

Every write that touches both the province and the national index is done in two sessions
the caller commits national-first (see `pharmreg.register`).
"""
