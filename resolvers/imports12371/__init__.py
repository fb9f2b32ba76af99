"""Reading a 12371 export of a school: the collection layout the export writes, read back a batch
at a time, every cell checked as the platform checks its own input."""
