"""The intervention and action tracker: who leads each planned intervention, its milestones,
status and dated progress updates, and reminders for what is due or slipping."""
