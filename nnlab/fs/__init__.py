"""Files written safely: atomic replace (temp file, fsync, os.replace), output-path checks, locks."""
