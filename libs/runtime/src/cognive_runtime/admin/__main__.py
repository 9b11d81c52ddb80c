from cognive_runtime.admin.cli import main

main()
