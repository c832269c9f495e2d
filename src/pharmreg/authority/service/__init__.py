"""Use cases of the authority context: delegations of approval authority (`delegation`) and
officers' work delegations (`work`). Other code imports them from `pharmreg.authority`."""
