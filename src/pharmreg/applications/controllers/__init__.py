"""Routes of the applications context: applicants, officers, and the public."""
