"""Data returns: which agency supplies which file, for which period, by when; what is
received, due or overdue; and the reminders that chase the responsible analysts."""
