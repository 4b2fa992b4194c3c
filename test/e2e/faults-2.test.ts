// The fault suite, part 2 of 4: its cases are dealt over four files that run side by side
// (see faults-suite.ts).
import { faultSuite } from './faults-suite'

faultSuite(1, 4)
