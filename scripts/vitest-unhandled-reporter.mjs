// A vitest reporter that records errors raised outside any test (unhandled rejections, errors
// after teardown). vitest fails the run for them but its JSON report leaves them out.
import { writeFileSync } from 'node:fs';

export default class UnhandledErrorsReporter {
  onTestRunEnd(_testModules, unhandledErrors) {
    const file = process.env.AEROFLY_UNHANDLED_ERRORS_FILE;
    if (!file) return;
    const messages = (unhandledErrors ?? []).map((error) => String(error?.message ?? error).split('\n')[0]);
    writeFileSync(file, JSON.stringify(messages));
  }
}
