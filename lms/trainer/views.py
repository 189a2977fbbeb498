"""Routes of the trainer's workspace (built in the trainer issue)."""
