// Test-harness only: a preload (`NODE_OPTIONS=--import <this file>`) that runs the step's
// process with its clock shifted by TEST_CLOCK_SKEW_MS, as a self-hosted runner whose clock
// has drifted. Date.now() and `new Date()` read the shifted time; timers are unchanged.
const skew = Number(process.env.TEST_CLOCK_SKEW_MS ?? 0)
if (Number.isFinite(skew) && skew !== 0) {
  const RealDate = Date
  const now = () => RealDate.now() + skew
  class SkewedDate extends RealDate {
    constructor(...args) {
      super(...(args.length > 0 ? args : [now()]))
    }
    static now() {
      return now()
    }
  }
  globalThis.Date = SkewedDate
}
