// The fault suite, part 2 of 8: its cases are dealt over eight files that run side by side
// (see faults-suite.ts).
import { faultSuite } from './faults-suite'

faultSuite(1, 8)
