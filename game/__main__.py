from game.cli.entry import main

raise SystemExit(main())
