from baliza.cli.app import main

main()
