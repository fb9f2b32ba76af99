"""Attachments of recorded steps (全程纪实), their storage and quotas, and a new member's
archive (档案). See docs/attachments.md."""
