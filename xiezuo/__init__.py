"""xiezuo (协作): East–West cooperation ledgers, statistics table, reports and review."""
