from strategyfirst.cli import main

main()
