from engine.interfaces.cli import main

main()
