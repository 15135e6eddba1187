"""Our own Rasa graph components (named in config.yml): the safety check that runs before everything else."""
