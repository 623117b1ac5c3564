from creditmend.interfaces.cli.app import main

main()
