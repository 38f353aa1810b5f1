import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the CLI is still being imported
    sys.stderr.write("mlefit: interrupted\n")
    sys.exit(130)

main()
