/**
 * Prints one plain closing line, `jest: N passed, N failed, N skipped`, that tools reading test output can parse
 * without knowing Jest's own summary format.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`;
    process.stdout.write(`${line}\n`);
  }
}
module.exports = SummaryReporter;
