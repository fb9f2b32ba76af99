"""The 12371 export (12371 数据采集表): a school's recruits in the 12371 system's collection
layout, one sheet per stage, streamed into a workbook. The columns are the 12371 field list of
``warnings/rules/requirements.py``; see ``rules`` for the layout, ``service`` for access, PII
and audit."""
