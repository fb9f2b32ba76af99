"""Data calls (数据征集): a form the commission or a school sends down to the units below it, a
due date, the units' answers (once, revised until the due date), their roll-up per level with
totals and its workbook, and the reminders and overdue warnings the warnings scan raises
(``warnings/service/datacall_checks.py``). See docs/data-calls.md."""
