"""`python -m minhbach.audit.cli ARGS` is `minhbach ARGS`."""
from minhbach.audit.cli.main import main

main()
