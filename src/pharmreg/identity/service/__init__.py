"""Use cases of the identity context, one module per area (other contexts use them through
`pharmreg.identity`)."""
