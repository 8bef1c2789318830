"""Stage 1, the plan: the model, the built-in Wujiang plan, and 计划.xlsx (write, read, load, check, view).

Nothing here knows about forms, returned files or reports.
"""
