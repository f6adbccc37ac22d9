"""Support cases, their comments and attachments."""
