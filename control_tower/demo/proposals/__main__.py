from control_tower.demo.proposals import main

raise SystemExit(main())
