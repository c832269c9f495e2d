"""arq worker settings only; the jobs live beside the code they serve."""
