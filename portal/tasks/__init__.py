"""Tasks: due on a day, assigned to a person, optionally on a customer; "my day", the week, and
each user's iCalendar feed."""
