/**
 * Three layers, run in this order by `npm test` (serially: the machine has 2 cores and the workflow tests share
 * one time-skipping server per file):
 * - unit: pure domain rules, the provider sandbox with the real SDKs;
 * - workflows: sendMessage on the time-skipping server with the real activities, plus replay of recorded histories;
 * - e2e: the real stack (Temporal dev server, sandbox, worker, gateway) over real HTTP, and `npm start` itself.
 * @type {import('jest').Config}
 */
const ts = { '^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: { isolatedModules: true } }] };
const project = (displayName, testMatch) => ({ displayName, testEnvironment: 'node', transform: ts, testMatch });

module.exports = {
  projects: [
    project('unit', ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/sandbox/**/*.test.ts']),
    project('workflows', ['<rootDir>/test/workflows/**/*.test.ts', '<rootDir>/test/replay/**/*.test.ts']),
    project('e2e', ['<rootDir>/test/e2e/**/*.test.ts']),
  ],
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  // The Temporal native runtime keeps a handle open after the last test (sdk-typescript #928).
  forceExit: true,
};
