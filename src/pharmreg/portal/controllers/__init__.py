"""Route handlers of the portal: home pages, the visitor's region, personal queries, sites and contacts."""
