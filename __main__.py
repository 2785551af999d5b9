from sampark.cli import main

main()
