"""Calendar feeds: a project's milestones as an .ics file, and a per-user feed behind a
secret, revocable URL that calendar applications subscribe to."""
