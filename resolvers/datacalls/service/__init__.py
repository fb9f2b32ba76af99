"""The operations of data calls, by topic: ``calls`` (issue, close, find, list), ``answers``
(answer and revise), ``rollup`` (the table per level and its workbook), ``reminders`` (what the
warnings scan reads, and the notifier it hands new warnings to)."""
