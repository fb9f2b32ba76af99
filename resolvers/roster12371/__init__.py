"""The roster of Party members filled from a 12371 member export (``importMembers12371``):
the file's layout, its streaming reader and the operation. A domain of its own because it
stands on both the member roster and the 12371 reader, which itself stands on the recruits
(whose steps read the roster): inside either, the domains would import each other."""
