"""Routes of the review queue (built in the trainer issue)."""
