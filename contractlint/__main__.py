from contractlint.cli import main

main()
