"""Stage 2, the forms: one signed, protected 填报表 per reporter, from the template, and the 分发 folder."""
