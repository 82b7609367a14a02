// Runs after every end-to-end file: no response any test received may carry a
// stack trace, SQL text, a bcrypt hash or the password the tests register with.
import { STRONG_PASSWORD } from './gatehouse.js';
import { LEAK_PATTERNS, receivedBodies } from './http-client.js';

afterAll(() => {
  const leaks = receivedBodies.filter((body) => body.includes(STRONG_PASSWORD) || LEAK_PATTERNS.some((pattern) => pattern.test(body)));
  expect(leaks).toEqual([]);
});
